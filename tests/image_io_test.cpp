// core/image_io: PNG and JPEG round trips, other formats refused with a sentence that names the
// format, and a header that claims 100000×100000 pixels refused before any pixel is decoded.
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

TEST(ImageIo, TruncatedPngIsRefused) {
  auto bytes = cs::encode_png(gradient(20, 20, 3));
  ASSERT_TRUE(bytes);
  bytes->resize(bytes->size() / 2);
  const std::string msg = error_for(*bytes, "cut.png");
  EXPECT_NE(msg.find("cut.png"), std::string::npos) << msg;
  EXPECT_NE(msg, "decoded!");
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
  EXPECT_EQ(msg.find("pixels; ConvScope"), std::string::npos) << msg;
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
