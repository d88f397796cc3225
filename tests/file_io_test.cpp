// read_file / write_file_atomic: a failed write leaves nothing behind and never clobbers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file_io.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "convscope-fileio-XXXXXX").string();
  const char* d = mkdtemp(tmpl.data());
  return d ? fs::path(d) : fs::temp_directory_path();
}

TEST(FileIo, WriteThenReadBack) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "a.txt").string();
  ASSERT_TRUE(write_file_atomic(path, std::string("hello")));
  auto bytes = read_file(path, 100);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "hello");
  // Replacing keeps no temporary files around.
  ASSERT_TRUE(write_file_atomic(path, std::string("bye")));
  int files = 0;
  for (auto& e : fs::directory_iterator(dir))
    files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

TEST(FileIo, MissingFolderFailsCleanly) {
  const fs::path dir = temp_dir();
  auto st = write_file_atomic((dir / "no" / "such" / "x.npy").string(), std::string("x"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("check that the folder exists"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(FileIo, ReadLimitsAndErrors) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "big.bin").string();
  ASSERT_TRUE(write_file_atomic(path, std::string(1000, 'x')));
  auto r = read_file(path, 999);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("1000 bytes, more than the limit of 999"), std::string::npos);
  auto missing = read_file((dir / "nope").string(), 10);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
  auto folder = read_file(dir.string(), 10);
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("not a regular file"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cs
