// read_file / write_file_atomic: a failed write leaves nothing behind and never clobbers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A symbolic link as the destination is refused: a rename would replace the link itself, and
// the file it points to stays as it was.
TEST(FileIo, SymbolicLinkIsRefusedAndLeftAlone) {
  const fs::path dir = temp_dir();
  const fs::path target = dir / "real.npy", link = dir / "link.npy";
  ASSERT_TRUE(write_file_atomic(target.string(), std::string("original")));
  fs::create_symlink(target, link);
  auto st = write_file_atomic(link.string(), std::string("new"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("is a symbolic link"), std::string::npos) << st.error().message;
  EXPECT_TRUE(fs::is_symlink(link));
  auto bytes = read_file(target.string(), 100);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "original");
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir))
    entries += (void(e), 1);
  EXPECT_EQ(entries, 2) << "no temporary left behind";
  fs::remove_all(dir);
}

// A character device (what `--out /dev/null` names) is written into, never renamed over.
TEST(FileIo, DeviceIsWrittenInPlaceNotReplaced) {
  struct stat before {};
  ASSERT_EQ(::lstat("/dev/null", &before), 0);
  ASSERT_TRUE(S_ISCHR(before.st_mode));
  ASSERT_TRUE(write_file_atomic("/dev/null", std::string("discarded")));
  struct stat after {};
  ASSERT_EQ(::lstat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(after.st_ino, before.st_ino);
}

// A FIFO (a shell's `>(...)` or a named pipe) is written into as a stream.
TEST(FileIo, FifoIsWrittenAsAStream) {
  const fs::path dir = temp_dir();
  const std::string fifo = (dir / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader must hold the other end; open it non-blocking first, then read what was written.
  const int rd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(rd, 0);
  ASSERT_TRUE(write_file_atomic(fifo, std::string("streamed")));
  char buf[16] = {};
  const ssize_t n = ::read(rd, buf, sizeof buf);
  ::close(rd);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "streamed");
  EXPECT_TRUE(fs::is_fifo(fifo));
  fs::remove_all(dir);
}

TEST(FileIo, FolderIsRefused) {
  const fs::path dir = temp_dir();
  auto st = write_file_atomic(dir.string(), std::string("x"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("is a folder"), std::string::npos) << st.error().message;
  EXPECT_TRUE(fs::is_directory(dir));
  fs::remove_all(dir);
}

// The streaming writer: nothing appears until commit(); dropped, it leaves nothing behind.
TEST(FileIo, AtomicWriterWritesOnlyOnCommit) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "t.json").string();
  {
    AtomicWriter w;
    ASSERT_TRUE(w.open(path));
    ASSERT_TRUE(w.write("{\"a\": ", 6));
    EXPECT_FALSE(fs::exists(path));
  }  // dropped: an error on the way
  EXPECT_TRUE(fs::is_empty(dir));
  AtomicWriter w;
  ASSERT_TRUE(w.open(path));
  ASSERT_TRUE(w.write("{\"a\": 1}", 8));
  ASSERT_TRUE(w.commit());
  auto bytes = read_file(path, 100);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "{\"a\": 1}");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cs
