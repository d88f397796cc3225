// Whole-file reads and all-or-nothing writes: a failed command never leaves a half-written file.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"

namespace cs {

// Reads at most max_bytes; a larger file is an error naming both sizes.
Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes);
// The first max_bytes of a file (all of it when shorter) and the file's whole size, so that a
// header can be checked before a large file is read.
Result<std::vector<uint8_t>> read_file_head(const std::string& path, uint64_t max_bytes,
                                            uint64_t& file_size);

// A file written all or nothing, in pieces: open() makes a temporary beside `path`, write()
// appends, commit() flushes and renames it over `path`. Dropped without commit() (an error on
// the way), the temporary is removed and `path` is untouched.
// What `path` may be: a new name or a regular file (replaced whole); a character device or a
// FIFO such as /dev/null or a pipe (written straight into: renaming over a device would replace
// it); never a symbolic link (a rename would replace the link, not its target) nor a directory,
// which open() refuses with a sentence.
class AtomicWriter {
 public:
  AtomicWriter() = default;
  ~AtomicWriter();
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;

  Status open(const std::string& path);
  Status write(const void* data, std::size_t size);
  Status commit();

 private:
  void discard();

  std::string m_path, m_tmp;  // m_tmp is empty when writing straight into a device or FIFO
  int m_fd = -1;
};

// AtomicWriter in one call: open, write everything, commit.
Status write_file_atomic(const std::string& path, const void* data, std::size_t size);
inline Status write_file_atomic(const std::string& path, const std::string& text) {
  return write_file_atomic(path, text.data(), text.size());
}

}  // namespace cs
