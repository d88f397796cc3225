// PNG and JPEG in, PNG out: JPEG decoded by Debian's libjpeg-turbo, PNG by our own static
// PNG-only stb_image instance, the picture's size checked from the header before decoding;
// encoding through stb_image_write to memory, then an atomic write. Depends on nothing but the
// standard library, libjpeg and Debian's stb headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "tensor.hpp"

namespace cs {

// 8-bit pixels, row-major, interleaved: pixels[(y * width + x) * channels + c].
struct Image {
  int width = 0, height = 0;
  int channels = 0;  // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  std::vector<uint8_t> pixels;
};

// What a picture may cost. NOTE: the defaults bound every caller (render, the preview, Ctrl+I):
// at the 16.8 Mpixel limit a valid file decodes in at most about 1.4 s of CPU and 330 MB, a
// crafted one in at most about 4 s (measured in bench/RESULTS.md, documented in docs/cli.md); a
// larger photo is refused from its header with its size and the limit, and told to scale it down.
struct ImageLimits {
  int max_dimension = 16384;               // widest / tallest image accepted
  int64_t max_pixels = 4096LL * 4096;      // width·height budget (16,777,216 pixels)
  uint64_t max_file_bytes = 256ULL << 20;  // 256 MiB
  int max_jpeg_scans = 100;                // progressive JPEG scans (encoders write about 10)
};

// Reads a PNG or JPEG file. Anything else (GIF, BMP, PNM, ...) is refused with a sentence that
// names the format and how to convert it; so is a picture over the limits, a file cut off, or a
// damaged one (saying what is damaged). `name` is used in messages only for decode_image.
Result<Image> load_image(const std::string& path, const ImageLimits& limits = {});
Result<Image> decode_image(const uint8_t* bytes, std::size_t size, const std::string& name,
                           const ImageLimits& limits = {});

// "PNG", "JPEG", "GIF", ... from the first bytes, or "" when unknown.
std::string sniff_image_format(const uint8_t* bytes, std::size_t size);

// Image => [1, C, H, W] float32 in [0, 1] (value = byte / 255), alpha dropped.
// channels 0: as stored (grey -> 1, colour -> 3); 1: grey (Rec. 601 luma 0.299 R + 0.587 G +
// 0.114 B for colour images); 3: colour (grey replicated).
Tensor image_to_tensor(const Image& image, int channels = 0);
// [1, C, H, W] with C = 1 or 3 in [0, 1] => 8-bit RGBA (value·255 rounded, clamped).
Image tensor_to_image(const Tensor& map);
// Any 1-4 channel image => RGBA (grey replicated, alpha 255 where absent).
Image image_to_rgba(const Image& image);

// Encodes 1, 2, 3 or 4 channel 8-bit pixels as PNG in memory.
Result<std::vector<uint8_t>> encode_png(const Image& image);
// encode_png then cs::write_file_atomic: `path` is untouched on failure.
Status write_png(const std::string& path, const Image& image);

}  // namespace cs
