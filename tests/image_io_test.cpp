// core/image_io: PNG and JPEG round trips, other formats refused with a sentence that names the
// format, a header that claims too many pixels refused before any pixel is decoded, and crafted
// JPEGs and PNGs (built byte by byte below) refused with a sentence that says what is wrong.
#include "core/image_io.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/file_io.hpp"

namespace {

cs::Image gradient(int w, int h, int channels) {
  cs::Image img;
  img.width = w;
  img.height = h;
  img.channels = channels;
  img.pixels.resize(static_cast<std::size_t>(w * h * channels));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        img.pixels[static_cast<std::size_t>((y * w + x) * channels + c)] =
            static_cast<uint8_t>((x * 7 + y * 13 + c * 50) % 256);
  return img;
}

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/convscope_image_io_" +
         std::to_string(::getpid()) + "_" + name;
}

TEST(ImageIo, PngRoundTripIsExact) {
  for (int channels : {1, 2, 3, 4}) {
    const cs::Image img = gradient(37, 19, channels);
    auto bytes = cs::encode_png(img);
    ASSERT_TRUE(bytes) << bytes.error().message;
    EXPECT_EQ(cs::sniff_image_format(bytes->data(), bytes->size()), "PNG");
    auto back = cs::decode_image(bytes->data(), bytes->size(), "x.png");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->width, 37);
    EXPECT_EQ(back->height, 19);
    EXPECT_EQ(back->channels, channels);
    EXPECT_EQ(back->pixels, img.pixels) << channels << " channels";
  }
}

TEST(ImageIo, WritePngThenLoadImage) {
  const std::string path = temp_path("rt.png");
  const cs::Image img = gradient(16, 8, 3);
  ASSERT_TRUE(cs::write_png(path, img));
  auto back = cs::load_image(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->pixels, img.pixels);
  std::remove(path.c_str());
}

TEST(ImageIo, JpegDecodesCloseToTheOriginal) {
  // A JPEG made by the sample generator (Pillow, quality 90): a real-world encoder's output.
  auto jpg = cs::load_image(CONVSCOPE_SOURCE_DIR "/assets/images/landscape.jpg");
  auto png = cs::load_image(CONVSCOPE_SOURCE_DIR "/assets/images/landscape.png");
  ASSERT_TRUE(jpg) << jpg.error().message;
  ASSERT_TRUE(png) << png.error().message;
  ASSERT_EQ(jpg->width, png->width);
  ASSERT_EQ(jpg->height, png->height);
  ASSERT_EQ(jpg->channels, 3);
  // Lossy: compare the mean absolute difference, which quality 90 keeps small.
  double sum = 0;
  for (std::size_t i = 0; i < png->pixels.size(); ++i)
    sum += std::abs(static_cast<int>(jpg->pixels[i]) - static_cast<int>(png->pixels[i]));
  EXPECT_LT(sum / static_cast<double>(png->pixels.size()), 4.0);
}

TEST(ImageIo, ImageToTensorScalesToUnitRange) {
  cs::Image img;
  img.width = 2;
  img.height = 1;
  img.channels = 3;
  img.pixels = {255, 0, 51, 0, 255, 102};
  const cs::Tensor t = cs::image_to_tensor(img);
  ASSERT_EQ(t.shape(), (cs::Shape{1, 3, 1, 2}));
  EXPECT_FLOAT_EQ(static_cast<float>(t.get(0)), 1.0f);  // R of pixel 0
  EXPECT_FLOAT_EQ(static_cast<float>(t.get(1)), 0.0f);  // R of pixel 1
  EXPECT_FLOAT_EQ(static_cast<float>(t.get(4)), 0.2f);  // B of pixel 0: 51 / 255
  const cs::Tensor grey = cs::image_to_tensor(img, 1);
  // Rec. 601 luma of (255, 0, 51): (0.299·255 + 0.114·51) / 255 = 0.299 + 0.0228 = 0.3218
  EXPECT_NEAR(grey.get(0), 0.3218, 1e-4);
}

std::string error_for(const std::vector<uint8_t>& bytes, const std::string& name) {
  auto r = cs::decode_image(bytes.data(), bytes.size(), name);
  return r ? std::string("decoded!") : r.error().message;
}

TEST(ImageIo, OtherFormatsAreRefusedByName) {
  const std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
  std::string msg = error_for(gif, "x.gif");
  EXPECT_NE(msg.find("x.gif is a GIF"), std::string::npos) << msg;
  EXPECT_NE(msg.find("PNG and JPEG"), std::string::npos) << msg;
  EXPECT_NE(msg.find("convert"), std::string::npos) << msg;

  std::vector<uint8_t> bmp(54, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  msg = error_for(bmp, "photo.bmp");
  EXPECT_NE(msg.find("photo.bmp is a BMP"), std::string::npos) << msg;

  const std::string pnm = "P6\n2 2\n255\n............";
  msg = error_for(std::vector<uint8_t>(pnm.begin(), pnm.end()), "a.ppm");
  EXPECT_NE(msg.find("PNM"), std::string::npos) << msg;

  const std::vector<uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  msg = error_for(garbage, "notes.png");
  EXPECT_NE(msg.find("notes.png is not a PNG or JPEG"), std::string::npos) << msg;

  msg = error_for({}, "empty.png");
  EXPECT_NE(msg.find("not a PNG or JPEG"), std::string::npos) << msg;
}

// A 33-byte PNG: signature + an IHDR chunk claiming width × height, no image data.
std::vector<uint8_t> png_header(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                            0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  for (uint32_t v : {w, h})
    for (int s = 24; s >= 0; s -= 8)
      b.push_back(static_cast<uint8_t>(v >> s));
  for (uint8_t v : {8, 2, 0, 0, 0})
    b.push_back(v);  // 8-bit RGB, deflate, no filter, no interlace
  for (int i = 0; i < 4; ++i)
    b.push_back(0);  // CRC (stb does not check it)
  return b;
}

TEST(ImageIo, HugeDimensionsAreRefusedBeforeDecoding) {
  // 100000×100000 RGB would be 30 GB of pixels; the header alone must be enough to refuse.
  const std::string msg = error_for(png_header(100000, 100000), "bomb.png");
  EXPECT_NE(msg.find("100000×100000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("16384"), std::string::npos) << msg;
  // Within the side limit but over the pixel budget: 10000 × 10000 = 100 Mpixels > 16.8.
  const std::string budget = error_for(png_header(10000, 10000), "big.png");
  EXPECT_NE(budget.find("big.png is 10000×10000 pixels (100.0 Mpixels)"), std::string::npos)
      << budget;
  EXPECT_NE(budget.find("up to 16.8 Mpixels (4096×4096)"), std::string::npos) << budget;
  EXPECT_NE(budget.find("scale it down"), std::string::npos) << budget;
  EXPECT_NE(budget.find("convert big.png -resize 4096x4096 big-small.png"), std::string::npos)
      << budget;
}

TEST(ImageIo, PixelLimitIsInclusive) {
  // The 8000×8000 PNG (64 Mpixels, 1.2 GB and 51 s through render) is refused from its
  // 33-byte header; 4096×4096 = 16,777,216 pixels is exactly the limit and passes the size check
  // (this header-only file is then refused as cut off), 4097×4096 does not.
  std::string msg = error_for(png_header(8000, 8000), "photo.png");
  EXPECT_NE(msg.find("photo.png is 8000×8000 pixels (64.0 Mpixels)"), std::string::npos) << msg;
  msg = error_for(png_header(4096, 4096), "edge.png");
  EXPECT_NE(msg.find("edge.png is a PNG cut off after 33 bytes"), std::string::npos) << msg;
  msg = error_for(png_header(4097, 4096), "over.png");
  EXPECT_NE(msg.find("over.png is 4097×4096 pixels"), std::string::npos) << msg;
  // A caller can set its own limits.
  cs::ImageLimits small;
  small.max_pixels = 120;
  auto r = cs::decode_image(png_header(11, 11).data(), 33, "s.png", small);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("s.png is 11×11 pixels; ConvScope reads pictures up to 120 "
                                   "pixels (e.g. 10×10)"),
            std::string::npos)
      << r.error().message;
}

// ---- crafted PNGs -------------------------------------------------------------------------------

uint32_t crc32(const uint8_t* p, std::size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k)
      c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    b.push_back(static_cast<uint8_t>(v >> s));
}

void png_chunk(std::vector<uint8_t>& b, const char* type, const std::vector<uint8_t>& data) {
  put32(b, static_cast<uint32_t>(data.size()));
  const std::size_t at = b.size();
  b.insert(b.end(), type, type + 4);
  b.insert(b.end(), data.begin(), data.end());
  put32(b, crc32(b.data() + at, b.size() - at));
}

// An 8-bit RGB PNG of w×h whose IDAT holds `idat` as given.
std::vector<uint8_t> png_with_idat(uint32_t w, uint32_t h, const std::vector<uint8_t>& idat) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> ihdr;
  put32(ihdr, w);
  put32(ihdr, h);
  for (uint8_t v : {8, 2, 0, 0, 0})
    ihdr.push_back(v);
  png_chunk(b, "IHDR", ihdr);
  png_chunk(b, "IDAT", idat);
  png_chunk(b, "IEND", {});
  return b;
}

// A zlib stream that inflates to `zeros` zero bytes in about zeros / 160 bytes: one fixed-
// Huffman block of a literal 0 followed by copies of 258 bytes at distance 1 (RFC 1951 3.2.6).
std::vector<uint8_t> zlib_of_zeros(uint64_t zeros) {
  std::vector<uint8_t> z = {0x78, 0x01};
  uint64_t acc = 0;
  int bits = 0;
  auto put = [&](uint32_t value, int count) {  // LSB first
    acc |= static_cast<uint64_t>(value) << bits;
    bits += count;
    while (bits >= 8) {
      z.push_back(static_cast<uint8_t>(acc));
      acc >>= 8;
      bits -= 8;
    }
  };
  auto code = [&](uint32_t c, int count) {  // Huffman codes go MSB first
    uint32_t r = 0;
    for (int i = 0; i < count; ++i)
      r |= ((c >> i) & 1u) << (count - 1 - i);
    put(r, count);
  };
  put(1, 1);      // BFINAL
  put(1, 2);      // BTYPE 01: fixed Huffman codes
  code(0x30, 8);  // literal 0
  uint64_t left = zeros - 1;
  for (; left >= 258; left -= 258) {
    code(0xC5, 8);  // length symbol 285: 258 bytes
    code(0, 5);     // distance symbol 0: distance 1
  }
  for (; left > 0; --left)
    code(0x30, 8);
  code(0, 7);  // end of block (256)
  if (bits > 0) put(0, 8 - bits);
  // Adler-32 of `zeros` zero bytes: a = 1, b = zeros (mod 65521).
  put32(z, static_cast<uint32_t>(((zeros % 65521) << 16) | 1));
  return z;
}

TEST(ImageIo, PngDecompressionBombIsStoppedByTheBudget) {
  // 1000×1000 RGB needs 3,001,000 bytes of rows (a filter byte each); this 400 KB IDAT inflates
  // to 64 MiB. stb_image would grow its buffer to 64 MiB (1 GB for a 1 MB file) before noticing.
  const auto idat = zlib_of_zeros(64ull << 20);
  const std::string msg = error_for(png_with_idat(1000, 1000, idat), "bomb.png");
  EXPECT_NE(msg.find("bomb.png is a PNG whose pixel data unpacks to more than its 1000×1000 "
                     "pixels need"),
            std::string::npos)
      << msg;
  // The same stream for the right amount of data decodes (all black).
  const auto exact = zlib_of_zeros(3001000);
  auto ok = cs::decode_image(png_with_idat(1000, 1000, exact).data(),
                             png_with_idat(1000, 1000, exact).size(), "black.png");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->pixels, std::vector<uint8_t>(3000000, 0));
}

TEST(ImageIo, PngWithFarTooMuchCompressedDataIsRefused) {
  // A 1×1 picture needs 4 bytes of rows; 200 KB of IDAT is damage or padding meant to be copied.
  std::vector<uint8_t> idat = zlib_of_zeros(4);
  idat.resize(200000, 0);
  const std::string msg = error_for(png_with_idat(1, 1, idat), "pad.png");
  EXPECT_NE(msg.find("pad.png is a PNG whose compressed pixel data (200000 bytes) is larger than "
                     "a 1×1 picture can need"),
            std::string::npos)
      << msg;
}

TEST(ImageIo, CorruptPngSaysWhatIsWrong) {
  std::vector<uint8_t> idat = zlib_of_zeros(3 * 4 + 2);
  idat[0] = 0x77;  // not a zlib header
  std::string msg = error_for(png_with_idat(4, 2, idat), "z.png");
  EXPECT_NE(msg.find("z.png is a PNG that cannot be decoded: its compressed pixel data (zlib) is "
                     "corrupt"),
            std::string::npos)
      << msg;
  msg = error_for(png_with_idat(4, 3, zlib_of_zeros(3 * 4 + 2)), "short.png");
  EXPECT_NE(msg.find("short.png is a PNG that cannot be decoded: its pixel data does not match"),
            std::string::npos)
      << msg;
}

TEST(ImageIo, TruncatedPngSaysWhereItEnds) {
  auto bytes = cs::encode_png(gradient(20, 20, 3));
  ASSERT_TRUE(bytes);
  for (std::size_t keep : {std::size_t{40}, bytes->size() / 2, bytes->size() - 1}) {
    const std::vector<uint8_t> cut(bytes->begin(), bytes->begin() + static_cast<long>(keep));
    const std::string msg = error_for(cut, "cut.png");
    EXPECT_NE(msg.find("cut.png is a PNG cut off after " + std::to_string(keep) + " bytes"),
              std::string::npos)
        << msg;
  }
}

// ---- crafted JPEGs ------------------------------------------------------------------------------

void segment(std::vector<uint8_t>& b, uint8_t marker, const std::vector<uint8_t>& payload) {
  b.push_back(0xFF);
  b.push_back(marker);
  const std::size_t len = payload.size() + 2;
  b.push_back(static_cast<uint8_t>(len >> 8));
  b.push_back(static_cast<uint8_t>(len));
  b.insert(b.end(), payload.begin(), payload.end());
}

// Quantisation table 0: all ones.
void dqt(std::vector<uint8_t>& b, uint8_t index = 0) {
  std::vector<uint8_t> p(65, 1);
  p[0] = index;
  segment(b, 0xDB, p);
}

// A frame header: SOF0 (baseline) or SOF2 (progressive), 8-bit, components 1..n sampled 1×1,
// all using quantisation table 0.
void sof(std::vector<uint8_t>& b, uint8_t marker, int w, int h, int components,
         uint8_t precision = 8) {
  std::vector<uint8_t> p = {precision,
                            static_cast<uint8_t>(h >> 8),
                            static_cast<uint8_t>(h),
                            static_cast<uint8_t>(w >> 8),
                            static_cast<uint8_t>(w),
                            static_cast<uint8_t>(components)};
  for (int c = 1; c <= components; ++c)
    for (uint8_t v : {static_cast<uint8_t>(c), uint8_t{0x11}, uint8_t{0}})
      p.push_back(v);
  segment(b, marker, p);
}

// Huffman table `id` (0x00 DC 0, 0x10 AC 0) with the given 16 code counts and symbols.
void dht(std::vector<uint8_t>& b, uint8_t id, const std::vector<uint8_t>& counts,
         const std::vector<uint8_t>& symbols) {
  std::vector<uint8_t> p = {id};
  p.insert(p.end(), counts.begin(), counts.end());
  p.insert(p.end(), symbols.begin(), symbols.end());
  segment(b, 0xC4, p);
}

// The smallest tables that code a flat block: DC 0 has one 1-bit code '0' for "difference 0",
// AC 0 one 1-bit code '0' for "end of block". A flat block is then the two bits 00.
void flat_tables(std::vector<uint8_t>& b) {
  std::vector<uint8_t> one(16, 0);
  one[0] = 1;
  dht(b, 0x00, one, {0x00});
  dht(b, 0x10, one, {0x00});
}

// A scan header over components 1..n with tables 0/0 (`table` changes them).
void sos(std::vector<uint8_t>& b, int components, uint8_t ss = 0, uint8_t se = 63,
         uint8_t tables = 0x00) {
  std::vector<uint8_t> p = {static_cast<uint8_t>(components)};
  for (int c = 1; c <= components; ++c) {
    p.push_back(static_cast<uint8_t>(c));
    p.push_back(tables);
  }
  for (uint8_t v : {ss, se, uint8_t{0}})
    p.push_back(v);
  segment(b, 0xDA, p);
}

// A baseline 8×8 grey JPEG, every pixel 128: DC difference 0 and no AC coefficient give an
// all-zero block, the IDCT of which is 0, plus the level shift of 128. Entropy data: bits 00 for
// the block, then 1-padding: 0011 1111 = 0x3F.
std::vector<uint8_t> flat_grey_jpeg() {
  std::vector<uint8_t> b = {0xFF, 0xD8};
  dqt(b);
  sof(b, 0xC0, 8, 8, 1);
  flat_tables(b);
  sos(b, 1);
  for (uint8_t v : {0x3F, 0xFF, 0xD9})
    b.push_back(v);
  return b;
}

TEST(ImageIo, HandBuiltJpegDecodesToItsArithmetic) {
  const auto bytes = flat_grey_jpeg();
  auto img = cs::decode_image(bytes.data(), bytes.size(), "flat.jpg");
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->width, 8);
  EXPECT_EQ(img->height, 8);
  EXPECT_EQ(img->channels, 1);
  EXPECT_EQ(img->pixels, std::vector<uint8_t>(64, 128));

  // CMYK (an Adobe marker, transform 0): every ink 128, so red = 128·128/255 = 64.25 -> 64.
  std::vector<uint8_t> b = {0xFF, 0xD8};
  segment(b, 0xEE, {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
  dqt(b);
  sof(b, 0xC0, 8, 8, 4);
  flat_tables(b);
  sos(b, 4);
  for (uint8_t v : {0x00, 0xFF, 0xD9})  // four flat blocks: 8 zero bits
    b.push_back(v);
  img = cs::decode_image(b.data(), b.size(), "cmyk.jpg");
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->channels, 3);
  EXPECT_EQ(img->pixels, std::vector<uint8_t>(64 * 3, 64));
}

TEST(ImageIo, JpegWithHuffmanCountsOver256IsRefused) {
  // The stb_image 2.27 heap overflow: code counts adding up to 510 made stbi__build_huffman
  // write past a 257-byte array. Now a sentence.
  std::vector<uint8_t> b = {0xFF, 0xD8};
  dqt(b);
  sof(b, 0xC0, 8, 8, 1);
  std::vector<uint8_t> counts(16, 0);
  counts[14] = 255;
  counts[15] = 255;
  dht(b, 0x00, counts, std::vector<uint8_t>(510, 0));
  std::string msg = error_for(b, "evil.jpg");
  EXPECT_NE(msg.find("evil.jpg is a JPEG with a corrupt Huffman table"), std::string::npos) << msg;

  // The same damage in a real encoder's file: the first DHT of landscape.jpg.
  auto real = cs::read_file(CONVSCOPE_SOURCE_DIR "/assets/images/landscape.jpg", 1 << 24);
  ASSERT_TRUE(real) << real.error().message;
  std::size_t at = 2;
  while (at + 4 < real->size() && (*real)[at + 1] != 0xC4)
    at += 2 + static_cast<std::size_t>(((*real)[at + 2] << 8) | (*real)[at + 3]);
  ASSERT_LT(at + 21, real->size());
  (*real)[at + 5 + 14] = 255;  // after FF C4, the length and the class/id byte
  (*real)[at + 5 + 15] = 255;
  msg = error_for(*real, "landscape.jpg");
  EXPECT_NE(msg.find("landscape.jpg is a JPEG with a corrupt Huffman table"), std::string::npos)
      << msg;
}

TEST(ImageIo, TruncatedJpegSaysWhereItEnds) {
  auto real = cs::read_file(CONVSCOPE_SOURCE_DIR "/assets/images/landscape.jpg", 1 << 24);
  ASSERT_TRUE(real) << real.error().message;
  // In the tables, in the picture data, and just before the end-of-image marker.
  for (std::size_t keep : {std::size_t{300}, real->size() / 2, real->size() - 2}) {
    const std::vector<uint8_t> cut(real->begin(), real->begin() + static_cast<long>(keep));
    const std::string msg = error_for(cut, "photo.jpg");
    EXPECT_NE(msg.find("photo.jpg is a JPEG cut off after " + std::to_string(keep) + " bytes"),
              std::string::npos)
        << msg;
  }
  // A segment whose length runs past the end of the file is the same thing.
  std::vector<uint8_t> b = {0xFF, 0xD8};
  segment(b, 0xE1, std::vector<uint8_t>(100, 0));
  b.resize(50);
  const std::string msg = error_for(b, "exif.jpg");
  EXPECT_NE(msg.find("exif.jpg is a JPEG cut off after 50 bytes"), std::string::npos) << msg;
}

TEST(ImageIo, CorruptJpegSaysWhatIsWrong) {
  struct Case {
    const char* what;
    std::vector<uint8_t> bytes;
    const char* expected;
  };
  std::vector<Case> cases;
  {  // DQT for table 5: there are four.
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b, 5);
    cases.push_back({"DQT index", b, "with a corrupt quantisation table"});
  }
  {  // DHT for table 5: there are four.
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dht(b, 0x05, std::vector<uint8_t>(16, 0), {});
    cases.push_back({"DHT index", b, "with a corrupt Huffman table"});
  }
  {  // The scan names DC/AC table 3, which was never defined (libjpeg-turbo supplies the
     // standard tables for 0 and 1 only, as Motion-JPEG files omit them).
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    sof(b, 0xC0, 8, 8, 1);
    flat_tables(b);
    sos(b, 1, 0, 63, 0x33);
    b.insert(b.end(), {0x3F, 0xFF, 0xD9});
    cases.push_back({"missing table", b, "that uses a Huffman table it never defines"});
  }
  {  // A frame of 0 columns.
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    sof(b, 0xC0, 0, 8, 1);
    flat_tables(b);
    sos(b, 1);
    cases.push_back({"empty frame", b, "with a corrupt frame header (SOF)"});
  }
  {  // A progressive DC scan must stop at coefficient 0 (Se = 0), not 63.
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    sof(b, 0xC2, 8, 8, 1);
    flat_tables(b);
    sos(b, 1, 0, 63);
    b.insert(b.end(), {0x3F, 0xFF, 0xD9});
    cases.push_back({"progression", b, "with corrupt scan parameters (SOS)"});
  }
  {  // Entropy data of all ones: no code of the tables starts with 1.
    std::vector<uint8_t> b = flat_grey_jpeg();
    b[b.size() - 3] = 0xFF;
    b.insert(b.end() - 2, {0x00, 0xFF, 0x00, 0xFF, 0x00});
    cases.push_back({"bad code", b, "with corrupt compressed picture data"});
  }
  {  // Tables and the end marker, no frame: an "abbreviated table specification".
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    flat_tables(b);
    b.insert(b.end(), {0xFF, 0xD9});
    cases.push_back({"tables only", b, "that holds tables but no picture"});
  }
  {  // Two components: neither grey nor colour.
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    sof(b, 0xC0, 8, 8, 2);
    flat_tables(b);
    sos(b, 2);
    cases.push_back({"2 components", b, "with 2 colour components"});
  }
  {  // 12-bit samples (SOF1).
    std::vector<uint8_t> b = {0xFF, 0xD8};
    dqt(b);
    sof(b, 0xC1, 8, 8, 1, 12);
    flat_tables(b);
    sos(b, 1);
    cases.push_back({"12-bit", b, "with 12-bit samples; ConvScope reads 8-bit JPEGs"});
  }
  for (const Case& c : cases) {
    const std::string msg = error_for(c.bytes, "bad.jpg");
    EXPECT_EQ(msg.rfind("bad.jpg is a JPEG ", 0), 0u) << c.what << ": " << msg;
    EXPECT_NE(msg.find(c.expected), std::string::npos) << c.what << ": " << msg;
  }
}

TEST(ImageIo, JpegOverTheLimitsIsRefusedFromItsHeader) {
  // Tables, an 8000×8000 frame and a scan header, no picture data: refused by size, not as cut
  // off, so nothing was decoded.
  std::vector<uint8_t> b = {0xFF, 0xD8};
  dqt(b);
  sof(b, 0xC0, 8000, 8000, 3);
  flat_tables(b);
  sos(b, 3);
  std::string msg = error_for(b, "photo.jpg");
  EXPECT_NE(msg.find("photo.jpg is 8000×8000 pixels (64.0 Mpixels); ConvScope reads pictures up "
                     "to 16.8 Mpixels"),
            std::string::npos)
      << msg;
  b = {0xFF, 0xD8};
  dqt(b);
  sof(b, 0xC0, 20000, 16, 1);
  flat_tables(b);
  sos(b, 1);
  msg = error_for(b, "pano.jpg");
  EXPECT_NE(
      msg.find("pano.jpg is 20000×16 pixels; ConvScope accepts at most 16384 pixels per side"),
      std::string::npos)
      << msg;
}

// A progressive 8×8 grey JPEG of one DC scan and `ac_scans` identical AC scans (Ss 1, Se 63),
// each coding "end of band": libjpeg accepts a repeated band, and a file of thousands of such
// scans makes the decoder revisit every block thousands of times.
std::vector<uint8_t> progressive_jpeg(int ac_scans) {
  std::vector<uint8_t> b = {0xFF, 0xD8};
  dqt(b);
  sof(b, 0xC2, 8, 8, 1);
  flat_tables(b);
  sos(b, 1, 0, 0);
  b.push_back(0x7F);  // DC difference 0 ('0'), 1-padding
  for (int i = 0; i < ac_scans; ++i) {
    sos(b, 1, 1, 63);
    b.push_back(0x7F);  // EOB0 ('0'), 1-padding
  }
  b.push_back(0xFF);
  b.push_back(0xD9);
  return b;
}

TEST(ImageIo, ProgressiveJpegScansAreCapped) {
  auto bytes = progressive_jpeg(99);  // 100 scans: the limit
  auto img = cs::decode_image(bytes.data(), bytes.size(), "prog.jpg");
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->pixels, std::vector<uint8_t>(64, 128));
  const std::string msg = error_for(progressive_jpeg(100), "prog.jpg");
  EXPECT_NE(msg.find("prog.jpg is a progressive JPEG with more than 100 scans"), std::string::npos)
      << msg;
}

TEST(ImageIo, LoadImageChecksTheSizeBeforeReadingTheFile) {
  // The file is larger than the caller's file limit: the pixel limit, checked from the first
  // bytes, speaks first, so the 8000×8000 picture's file was never read whole.
  cs::ImageLimits limits;
  limits.max_file_bytes = 1000;
  std::vector<uint8_t> png = png_header(8000, 8000);
  png.resize(5000, 0);
  std::vector<uint8_t> jpg = {0xFF, 0xD8};
  segment(jpg, 0xE1, std::vector<uint8_t>(3000, 0));  // an Exif-sized APP1 before the frame
  dqt(jpg);
  sof(jpg, 0xC2, 8000, 8000, 3);
  jpg.resize(5000, 0);
  for (const auto& [name, bytes] : {std::pair{std::string("big.png"), png}, {"big.jpg", jpg}}) {
    const std::string path = temp_path(name);
    ASSERT_TRUE(cs::write_file_atomic(path, bytes.data(), bytes.size()));
    auto r = cs::load_image(path, limits);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(name + " is 8000×8000 pixels (64.0 Mpixels)"),
              std::string::npos)
        << r.error().message;
    std::remove(path.c_str());
  }
}

TEST(ImageIo, MissingFileNamesThePath) {
  auto r = cs::load_image("/nonexistent/dir/photo.png");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/dir/photo.png"), std::string::npos);
}

}  // namespace
