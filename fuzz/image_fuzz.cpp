// libFuzzer target for core/image_io: decode_image must never crash, hang or over-allocate on
// any bytes, every refusal must name the file, and whatever it accepts must convert to tensors
// in [0, 1] and survive encode_png + decode_image pixel for pixel (abort otherwise).
// Compiles core/image_io.cpp, core/tensor.cpp and core/file_io.cpp itself and links Debian's
// libjpeg-turbo (uninstrumented: it is fuzzed upstream; our wrapper and stb_image are what we
// test).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/image_io.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "%s %s\n", what, detail.c_str());
  std::abort();
}

// Every value of an image_to_tensor result is byte / 255.
void check_unit_range(const cs::Tensor& t) {
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double v = t.get(i);
    if (!(v >= 0.0 && v <= 1.0))
      fail("image_to_tensor gave a value outside [0, 1]:", std::to_string(v));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // NOTE: smaller than the defaults (1 Mpixel, 2048 per side) so each run stays fast; the code
  // paths are the same, and the default limits are tested in tests/image_io_test.cpp.
  cs::ImageLimits limits;
  limits.max_dimension = 2048;
  limits.max_pixels = 1 << 20;
  auto image = cs::decode_image(data, size, "fuzz.img", limits);
  if (!image) {
    if (image.error().message.rfind("fuzz.img ", 0) != 0)
      fail("a refusal does not start with the file's name:", image.error().message);
    return 0;
  }
  const cs::Image& img = *image;
  if (img.width <= 0 || img.height <= 0 || img.width > limits.max_dimension ||
      img.height > limits.max_dimension || int64_t{img.width} * img.height > limits.max_pixels ||
      img.channels < 1 || img.channels > 4 ||
      img.pixels.size() != static_cast<std::size_t>(img.width) * img.height *
                               static_cast<std::size_t>(img.channels)) {
    fail("decode_image accepted an inconsistent image:", std::to_string(img.width) + "×" +
                                                             std::to_string(img.height) + "×" +
                                                             std::to_string(img.channels));
  }

  // The conversions render and the preview use: [1, C, H, W] in [0, 1], and back to pixels.
  for (int channels : {0, 1, 3}) {
    const cs::Tensor t = cs::image_to_tensor(img, channels);
    if (t.ndim() != 4 || t.dim(2) != img.height || t.dim(3) != img.width)
      fail("image_to_tensor gave shape", cs::shape_to_string(t.shape()));
    check_unit_range(t);
    const cs::Image back = cs::tensor_to_image(t);
    if (back.width != img.width || back.height != img.height)
      fail("tensor_to_image changed the size");
  }
  const cs::Image rgba = cs::image_to_rgba(img);
  if (rgba.pixels.size() != static_cast<std::size_t>(img.width) * img.height * 4)
    fail("image_to_rgba gave the wrong size");

  // PNG encoding must accept what was decoded and give back the same pixels.
  auto png = cs::encode_png(img);
  if (!png) fail("encode_png refused a decoded image:", png.error().message);
  auto again = cs::decode_image(png->data(), png->size(), "re-encoded.png", limits);
  if (!again) fail("the re-encoded PNG was refused:", again.error().message);
  if (again->width != img.width || again->height != img.height || again->channels != img.channels ||
      again->pixels != img.pixels)
    fail("the PNG round trip changed the pixels");
  return 0;
}
