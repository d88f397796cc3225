// Replays the fuzzer's seed corpus (fuzz/corpus/npy) in the ordinary g++ test run: no file may
// crash the reader, files named valid_* must parse and round-trip bit for bit, bad_* must be
// refused with a sentence. Other names (inputs the fuzzer found) only need to not crash.
// Depends on core/npy.hpp, core/file_io.hpp and GoogleTest only.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/file_io.hpp"
#include "core/npy.hpp"

namespace cs {
namespace {

TEST(NpyCorpusReplay, EveryCorpusFile) {
  const std::filesystem::path dir = std::filesystem::path(CONVSCOPE_SOURCE_DIR) / "fuzz/corpus/npy";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int valid = 0, bad = 0, other = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    auto bytes = read_file(entry.path().string(), 1 << 20);
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto t = parse_npy(bytes->data(), bytes->size(), {}, name);
    if (name.rfind("bad_", 0) == 0) {
      ++bad;
      ASSERT_FALSE(t) << name << " should be refused";
      EXPECT_FALSE(t.error().message.empty());
      EXPECT_EQ(t.error().message.find('\n'), std::string::npos) << t.error().message;
      continue;
    }
    if (name.rfind("valid_", 0) == 0) {
      ++valid;
      ASSERT_TRUE(t) << name << ": " << t.error().message;
    } else {
      ++other;
      if (!t) continue;
    }
    const auto encoded = encode_npy(*t);
    auto back = parse_npy(encoded.data(), encoded.size(), {}, name + " (re-encoded)");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->dtype(), t->dtype()) << name;
    EXPECT_EQ(back->shape(), t->shape()) << name;
    ASSERT_EQ(back->nbytes(), t->nbytes()) << name;
    if (t->nbytes() > 0) {
      EXPECT_EQ(std::memcmp(back->raw_data(), t->raw_data(), t->nbytes()), 0) << name;
    }
  }
  // The seed corpus has both kinds; an empty or misplaced directory would pass vacuously.
  EXPECT_GE(valid, 5);
  EXPECT_GE(bad, 3);
  std::printf("replayed %d valid, %d bad and %d other corpus files\n", valid, bad, other);
}

}  // namespace
}  // namespace cs
