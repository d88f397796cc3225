// core/image_io: PNG and JPEG round trips, other formats refused with a sentence that names the
// format, and a header that claims 100000×100000 pixels refused before any pixel is decoded.
#include "core/image_io.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
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
  // Within the side limit but over the pixel budget: 10000 × 10000 = 100 Mpixels > 64.
  const std::string budget = error_for(png_header(10000, 10000), "big.png");
  EXPECT_NE(budget.find("100 Mpixels"), std::string::npos) << budget;
  EXPECT_NE(budget.find("64 Mpixels"), std::string::npos) << budget;
}

TEST(ImageIo, MissingFileNamesThePath) {
  auto r = cs::load_image("/nonexistent/dir/photo.png");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/dir/photo.png"), std::string::npos);
}

}  // namespace
