// NumPy .npy files: a strict reader (versions 1.0/2.0/3.0, '<f4' '<f8' '>f4' '>f8' '=f4' '=f8',
// C or Fortran order) and a writer that produces the bytes np.save writes for float32/float64.
// Untrusted input: every size is checked before anything is allocated; errors are sentences.
// Depends on tensor.hpp, result.hpp and file_io.hpp only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "tensor.hpp"

namespace cs {

struct NpyLimits {
  uint64_t max_header_bytes = 65536;      // the header dict (NumPy itself refuses more than 10000)
  int64_t max_elements = 1LL << 31;       // also caps every single dimension
  uint64_t max_file_bytes = 16ULL << 30;  // the whole file
};

// Parses the bytes of a .npy file. `name` is used in error sentences ("x.npy holds int64 values;
// ...") and in the np.save(...) line the sentence suggests. Fortran-order arrays are returned in
// C order; big-endian data is byte-swapped. The result is float32 for f4 and float64 for f8.
//
// What it accepts: the magic "\x93NUMPY", version 1.0 (2-byte header length), 2.0 or 3.0 (4-byte
// length; 3.0's header is UTF-8), then a Python dict literal with exactly the keys 'descr',
// 'fortran_order' and 'shape', each once, in any order, single or double quotes, an optional
// trailing comma, followed only by whitespace. The data must fill the rest of the file exactly.
Result<Tensor> parse_npy(const uint8_t* data, std::size_t size, const NpyLimits& limits = {},
                         const std::string& name = "file");

// Reads `path` (at most limits.max_file_bytes) and parses it; errors name the path.
Result<Tensor> read_npy(const std::string& path, const NpyLimits& limits = {});

// The bytes np.save writes for this tensor (NumPy 1.24): version 1.0 (2.0 only if the header
// would not fit in 65535 bytes), descr '<f4' or '<f8', fortran_order False, C-order data that
// starts at a multiple of 64 bytes. A default-constructed Tensor (no shape, no elements) is
// written as shape (0,), since a 0-d array always holds one value.
std::vector<uint8_t> encode_npy(const Tensor& t);

// encode_npy written through write_file_atomic: either the whole file appears or nothing does.
Status write_npy(const std::string& path, const Tensor& t);

}  // namespace cs
