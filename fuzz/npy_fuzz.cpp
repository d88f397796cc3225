// libFuzzer target for core/npy: parse_npy must never crash, hang or over-allocate on any bytes,
// and whatever it accepts must survive encode_npy + parse_npy bit for bit (abort otherwise).
// Compiles core/npy.cpp, core/tensor.cpp and core/file_io.cpp itself (see fuzz/CMakeLists.txt).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto t = cs::parse_npy(data, size, {}, "fuzz.npy");
  if (!t) {
    if (t.error().message.empty()) {
      std::fprintf(stderr, "parse_npy failed with an empty message\n");
      std::abort();
    }
    return 0;
  }
  // Everything accepted must be re-encodable as NumPy would write it and read back unchanged.
  const std::vector<uint8_t> bytes = cs::encode_npy(*t);
  auto back = cs::parse_npy(bytes.data(), bytes.size(), {}, "re-encoded.npy");
  if (!back) {
    std::fprintf(stderr, "re-encoded file was refused: %s\n", back.error().message.c_str());
    std::abort();
  }
  const bool same =
      back->dtype() == t->dtype() && back->shape() == t->shape() && back->nbytes() == t->nbytes() &&
      (t->nbytes() == 0 || std::memcmp(back->raw_data(), t->raw_data(), t->nbytes()) == 0);
  if (!same) {
    std::fprintf(stderr, "round trip changed the array (shape %s)\n",
                 cs::shape_to_string(t->shape()).c_str());
    std::abort();
  }
  // np.save's layout: data at a multiple of 64 right after a '\n'.
  const std::size_t data_at = bytes.size() - t->nbytes();
  if (data_at % 64 != 0 || bytes[data_at - 1] != '\n') {
    std::fprintf(stderr, "encoded data starts at byte %zu\n", data_at);
    std::abort();
  }
  return 0;
}
