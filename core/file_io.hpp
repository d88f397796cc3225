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

// Writes to a temporary file beside `path`, flushes, then renames over `path`. On any failure
// the temporary is removed and `path` is untouched.
Status write_file_atomic(const std::string& path, const void* data, std::size_t size);
inline Status write_file_atomic(const std::string& path, const std::string& text) {
  return write_file_atomic(path, text.data(), text.size());
}

}  // namespace cs
