// .npy parsing and encoding. The header is a tiny Python-literal parser that accepts exactly the
// dict NumPy writes (and its harmless variations), never evaluates anything, and reports the
// byte offset of the first thing it does not understand.
// Depends on tensor.hpp and file_io.hpp only; no NumPy, no Python.
#include "npy.hpp"

#include <bit>
#include <cstring>
#include <optional>

#include "file_io.hpp"

namespace cs {

namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kMagicLen = 6;
constexpr std::size_t kArrayAlign = 64;           // numpy.lib.format.ARRAY_ALIGN
constexpr std::size_t kGrowthAxisMaxDigits = 21;  // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
constexpr std::size_t kMaxDims = 64;              // NumPy 2's NPY_MAXDIMS (NumPy 1 has 32)

constexpr bool kLittleHost = std::endian::native == std::endian::little;

// Bytes shown in a sentence: printable ASCII as is, everything else as \xNN, at most `max` bytes.
std::string printable(const uint8_t* p, std::size_t n, std::size_t max = 24) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  const std::size_t shown = n < max ? n : max;
  for (std::size_t i = 0; i < shown; ++i) {
    const uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += static_cast<char>(c);
    } else {
      s += "\\x";
      s += hex[c >> 4];
      s += hex[c & 15];
    }
  }
  if (n > shown) s += "...";
  return s;
}
std::string printable(const std::string& s, std::size_t max = 24) {
  return printable(reinterpret_cast<const uint8_t*>(s.data()), s.size(), max);
}

// The file name and Python variable name to put in a suggested np.save(...) line:
// "data/x.npy" => ('x.npy', x). Falls back to 'x.npy' / x when the name would not be valid Python.
struct FixNames {
  std::string file;
  std::string var;
};
FixNames fix_names(const std::string& name) {
  std::string base = name;
  if (auto slash = base.find_last_of('/'); slash != std::string::npos)
    base = base.substr(slash + 1);
  std::string stem = base;
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".npy") == 0) {
    stem.resize(stem.size() - 4);
  }
  bool identifier = !stem.empty() && stem.size() <= 64 && !(stem[0] >= '0' && stem[0] <= '9');
  for (char c : stem) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '_') identifier = false;
  }
  if (!identifier) return {"x.npy", "x"};
  return {stem + ".npy", stem};
}

// ---------------------------------------------------------------------------------------------
// The header dict.

struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
};

class HeaderParser {
 public:
  // `text` is the header, `file_offset` where it starts in the file (for byte numbers in errors).
  HeaderParser(const uint8_t* text, std::size_t size, std::size_t file_offset, std::string name,
               bool allow_long_suffix)
      : m_p(text),
        m_n(size),
        m_offset(file_offset),
        m_name(std::move(name)),
        m_allow_long(allow_long_suffix) {}

  Result<Header> parse() {
    Header h;
    skip_ws();
    if (!eat('{')) return syntax("'{' to open the header dictionary");
    skip_ws();
    // Items separated by ','; a ',' right before '}' is Python's allowed trailing comma.
    while (!peek('}')) {
      const std::size_t key_pos = m_i;
      auto key = parse_string("a quoted key ('descr', 'fortran_order' or 'shape') or '}'");
      if (!key) return key.error();
      skip_ws();
      if (!eat(':')) return syntax("':' after the key '" + printable(*key) + "'");
      skip_ws();
      if (*key == "descr") {
        if (h.descr) return duplicate(*key, key_pos);
        if (peek('[')) {
          return make_error(m_name + " holds a structured array (a dtype with named fields); " +
                            "ConvScope reads plain float32 or float64 arrays: save one field " +
                            "with np.save('" + fix_names(m_name).file + "', " +
                            fix_names(m_name).var + "['field'].astype(np.float32))");
        }
        auto v = parse_string("a quoted dtype such as '<f4' as the value of 'descr'");
        if (!v) return v.error();
        h.descr = std::move(*v);
      } else if (*key == "fortran_order") {
        if (h.fortran_order) return duplicate(*key, key_pos);
        if (eat_word("True")) {
          h.fortran_order = true;
        } else if (eat_word("False")) {
          h.fortran_order = false;
        } else {
          return syntax("True or False as the value of 'fortran_order'");
        }
      } else if (*key == "shape") {
        if (h.shape) return duplicate(*key, key_pos);
        auto s = parse_shape();
        if (!s) return s.error();
        h.shape = std::move(*s);
      } else {
        return make_error(m_name + " has an unexpected key '" + printable(*key) +
                          "' in its header at byte " + std::to_string(m_offset + key_pos) +
                          "; a .npy header holds exactly 'descr', 'fortran_order' and 'shape'");
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
        continue;
      }
      if (!peek('}')) return syntax("',' or '}' after the value of '" + *key + "'");
    }
    ++m_i;  // '}'
    skip_ws();
    if (m_i != m_n) return syntax("only spaces and a newline after the header dictionary");
    const char* missing = !h.descr           ? "descr"
                          : !h.fortran_order ? "fortran_order"
                          : !h.shape         ? "shape"
                                             : nullptr;
    if (missing) {
      return make_error(m_name + " has no '" + missing + "' key in its header; a .npy header " +
                        "holds exactly 'descr', 'fortran_order' and 'shape' (save it again " +
                        "with np.save)");
    }
    return h;
  }

 private:
  bool peek(char c) const { return m_i < m_n && m_p[m_i] == static_cast<uint8_t>(c); }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++m_i;
    return true;
  }
  static bool is_name_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  // A Python keyword such as True, not followed by more name characters ("Truex").
  bool eat_word(const char* w) {
    const std::size_t len = std::strlen(w);
    if (m_n - m_i < len || std::memcmp(m_p + m_i, w, len) != 0) return false;
    if (m_i + len < m_n && is_name_char(m_p[m_i + len])) return false;
    m_i += len;
    return true;
  }
  void skip_ws() {
    while (m_i < m_n &&
           (m_p[m_i] == ' ' || m_p[m_i] == '\t' || m_p[m_i] == '\n' || m_p[m_i] == '\r')) {
      ++m_i;
    }
  }

  Error syntax(const std::string& expected) const {
    const std::string found =
        m_i < m_n ? "'" + printable(m_p + m_i, m_n - m_i, 16) + "'" : "the end of the header";
    return make_error(m_name + " has a malformed header: at byte " +
                      std::to_string(m_offset + m_i) + " it expected " + expected + " but found " +
                      found);
  }
  Error duplicate(const std::string& key, std::size_t pos) const {
    return make_error(m_name + " has the key '" + key + "' twice in its header (again at byte " +
                      std::to_string(m_offset + pos) + "); each key must appear exactly once");
  }

  // 'text' or "text" without escapes (NumPy's keys and dtypes never need any).
  Result<std::string> parse_string(const std::string& expected) {
    if (!peek('\'') && !peek('"')) return syntax(expected);
    const uint8_t quote = m_p[m_i++];
    std::string s;
    while (m_i < m_n && m_p[m_i] != quote) {
      const uint8_t c = m_p[m_i];
      if (c == '\\') return syntax("a string without backslash escapes");
      if (c < 0x20 || c == 0x7f) return syntax("the closing quote of the string");
      s += static_cast<char>(c);
      ++m_i;
    }
    if (m_i == m_n) return syntax("the closing quote of the string");
    ++m_i;
    return s;
  }

  // A Python int as repr() writes it: 0 or digits without a leading zero, optionally negative
  // (rejected with its own sentence), optionally with Python 2's 'L' suffix in version 1.0 files.
  Result<int64_t> parse_dim(std::size_t axis) {
    const std::size_t start = m_i;
    const bool negative = eat('-');
    if (m_i >= m_n || m_p[m_i] < '0' || m_p[m_i] > '9') {
      return syntax("a whole number for dimension " + std::to_string(axis) + " of 'shape'");
    }
    if (m_p[m_i] == '0' && m_i + 1 < m_n && m_p[m_i + 1] >= '0' && m_p[m_i + 1] <= '9') {
      return syntax("a whole number without leading zeros for dimension " + std::to_string(axis) +
                    " of 'shape'");
    }
    uint64_t v = 0;
    bool too_big = false;
    while (m_i < m_n && m_p[m_i] >= '0' && m_p[m_i] <= '9') {
      const uint64_t digit = m_p[m_i] - '0';
      if (v > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) too_big = true;
      if (!too_big) v = v * 10 + digit;
      ++m_i;
    }
    if (m_allow_long && peek('L')) ++m_i;
    if (m_i < m_n && (is_name_char(m_p[m_i]) || m_p[m_i] == '.')) {
      return syntax("a whole number for dimension " + std::to_string(axis) + " of 'shape'");
    }
    const std::string text = printable(m_p + start, m_i - start, 32);
    if (negative) {
      return make_error(m_name + " has the negative dimension " + text + " at axis " +
                        std::to_string(axis) + " of its shape; every dimension must be 0 or more");
    }
    if (too_big) {
      return make_error(m_name + " has dimension " + text + " at axis " + std::to_string(axis) +
                        " of its shape, which does not fit in a 64-bit integer");
    }
    return static_cast<int64_t>(v);
  }

  // () | (d,) | (d, d, ...) with an optional trailing comma.
  Result<Shape> parse_shape() {
    if (!eat('(')) return syntax("a tuple such as (2, 3) or (3,) or () as the value of 'shape'");
    skip_ws();
    Shape shape;
    if (eat(')')) return shape;
    while (true) {
      if (shape.size() == kMaxDims) {
        return make_error(m_name + " has a shape with more than " + std::to_string(kMaxDims) +
                          " dimensions, more than NumPy allows");
      }
      auto d = parse_dim(shape.size());
      if (!d) return d.error();
      shape.push_back(*d);
      skip_ws();
      if (eat(',')) {
        skip_ws();
        if (eat(')')) return shape;
        continue;
      }
      if (peek(')')) {
        if (shape.size() == 1) {
          return make_error(m_name + " has the shape (" + std::to_string(shape[0]) +
                            ") in its header, which Python reads as the number " +
                            std::to_string(shape[0]) + ", not a tuple; a one-dimensional " +
                            "shape is written (" + std::to_string(shape[0]) + ",)");
        }
        ++m_i;
        return shape;
      }
      return syntax("',' or ')' in the tuple of 'shape'");
    }
  }

  const uint8_t* m_p;
  std::size_t m_n;
  std::size_t m_i = 0;
  std::size_t m_offset;
  std::string m_name;
  bool m_allow_long;
};

// ---------------------------------------------------------------------------------------------
// The dtype.

struct Descr {
  DType dtype;
  bool swap;  // the file's byte order differs from this machine's
};

// The sentence for a dtype ConvScope does not read, with the np.save line that fixes it.
Error unsupported_dtype(const std::string& descr, const std::string& name) {
  const FixNames fix = fix_names(name);
  const std::string save = "np.save('" + fix.file + "', ";
  const std::string quoted = "'" + printable(descr, 32) + "'";
  std::size_t k = 0;
  if (!descr.empty() && std::strchr("<>=|", descr[0]) != nullptr) k = 1;
  const char kind = k < descr.size() ? descr[k] : '\0';
  const std::string rest = k + 1 <= descr.size() ? descr.substr(k + 1) : std::string();
  int bytes = -1;
  if (!rest.empty() && rest.size() <= 3 && rest.find_first_not_of("0123456789") == rest.npos) {
    bytes = std::stoi(rest);
  }
  const std::string bits = bytes > 0 ? std::to_string(bytes * 8) : std::string();
  std::string what;  // "int64 values"
  switch (kind) {
    case 'i':
      if (!bits.empty()) what = "int" + bits + " values";
      break;
    case 'u':
      if (!bits.empty()) what = "uint" + bits + " values";
      break;
    case 'b':
      if (bytes == 1) what = "bool values";
      break;
    case 'f':
      if (bytes == 4 || bytes == 8) {
        return make_error(name + " declares dtype " + quoted + " without a byte order that " +
                          "ConvScope understands; it reads '<f4', '>f4', '=f4', '<f8', '>f8' " +
                          "or '=f8': save it with " + save + fix.var + ".astype(np.float32))");
      }
      if (!bits.empty()) what = "float" + bits + " values";
      break;
    case 'c':
      if (!bits.empty()) {
        return make_error(name + " holds complex" + bits + " values; ConvScope reads real " +
                          "float32 or float64 arrays: save the real part with " + save + fix.var +
                          ".real.astype(np.float32))");
      }
      break;
    case 'O':
      if (rest.empty()) {
        return make_error(name + " holds Python objects (dtype object), which ConvScope never " +
                          "loads because unpickling can run code: convert them to numbers and " +
                          "save with " + save + "np.asarray(" + fix.var + ", dtype=np.float32))");
      }
      break;
    case 'U':
    case 'S':
    case 'a':
      what = "text (dtype " + quoted + ")";
      break;
    case 'M':
    case 'm':
      what = std::string(kind == 'M' ? "dates" : "time spans") + " (dtype " + quoted + ")";
      break;
    case 'V':
      what = "raw bytes (dtype " + quoted + ")";
      break;
    default:
      break;
  }
  if (what.empty()) what = "values of dtype " + quoted;
  return make_error(name + " holds " + what + "; ConvScope reads float32 or float64 arrays: " +
                    "save it with " + save + fix.var + ".astype(np.float32))");
}

Result<Descr> parse_descr(const std::string& descr, const std::string& name) {
  if (descr.size() == 3 && (descr[1] == 'f') && (descr[2] == '4' || descr[2] == '8')) {
    const DType dtype = descr[2] == '4' ? DType::f32 : DType::f64;
    switch (descr[0]) {
      case '<':
        return Descr{dtype, !kLittleHost};
      case '>':
        return Descr{dtype, kLittleHost};
      case '=':
        return Descr{dtype, false};
      default:
        break;
    }
  }
  return unsupported_dtype(descr, name);
}

// ---------------------------------------------------------------------------------------------
// Data.

template <class U>
U byteswap(U v) {
  if constexpr (sizeof(U) == 4) {
    return __builtin_bswap32(v);
  } else {
    return __builtin_bswap64(v);
  }
}

// Copies `numel` elements of `U` (uint32_t or uint64_t bit patterns) from the file into `out`,
// swapping bytes if asked and, for Fortran order, transposing.
// fortran: data[i0 + d0*(i1 + d1*(i2 + ...))] => out[((i0*d1 + i1)*d2 + i2)...]
template <class U>
void copy_elements(const uint8_t* src, uint8_t* out, const Shape& shape, int64_t numel, bool swap,
                   bool fortran) {
  auto load = [&](int64_t i) {
    U v;
    std::memcpy(&v, src + static_cast<std::size_t>(i) * sizeof(U), sizeof(U));
    return swap ? byteswap(v) : v;
  };
  auto store = [&](int64_t o, U v) {
    std::memcpy(out + static_cast<std::size_t>(o) * sizeof(U), &v, sizeof(U));
  };
  if (numel == 0) return;  // `out` may be null then, and memcpy must not see a null pointer
  if (!fortran || shape.size() < 2) {
    if (!swap) {
      std::memcpy(out, src, static_cast<std::size_t>(numel) * sizeof(U));
      return;
    }
    for (int64_t i = 0; i < numel; ++i)
      store(i, load(i));
    return;
  }
  // numel > 0, so every dimension is >= 1 and every stride below is <= numel.
  const std::size_t nd = shape.size();
  std::vector<int64_t> f_stride(nd, 1), idx(nd, 0);
  for (std::size_t j = 1; j < nd; ++j)
    f_stride[j] = f_stride[j - 1] * shape[j - 1];
  int64_t src_i = 0;
  for (int64_t o = 0; o < numel; ++o) {
    store(o, load(src_i));
    // Odometer over the C-order index, last axis fastest.
    for (std::size_t k = nd; k-- > 0;) {
      ++idx[k];
      src_i += f_stride[k];
      if (idx[k] < shape[k]) break;
      src_i -= shape[k] * f_stride[k];
      idx[k] = 0;
    }
  }
}

std::string shape_repr(const Shape& shape) {
  if (shape.empty()) return "()";
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

namespace {

// What a .npy header says, checked against the limits and against the file's size.
struct NpyHeader {
  Descr descr;
  Shape shape;
  bool fortran = false;
  int64_t numel = 0;
  std::size_t data_offset = 0;
};

// Parses the preamble and header from the first `avail` bytes of a file of `file_size` bytes
// (avail covers the header whenever the file has one within the limits), and checks the shape
// against the limits and the data's length against the file: all before any data is read.
Result<NpyHeader> parse_header(const uint8_t* data, std::size_t avail, uint64_t file_size,
                               const NpyLimits& limits, const std::string& name) {
  const uint64_t size = file_size;
  if (size > limits.max_file_bytes) {
    return make_error(name + " is " + std::to_string(size) + " bytes, more than the limit of " +
                      std::to_string(limits.max_file_bytes) + " bytes");
  }
  if (size == 0)
    return make_error(name + " is empty (0 bytes); a .npy file starts with \\x93NUMPY");
  const std::size_t magic_have = avail < kMagicLen ? avail : kMagicLen;
  if (std::memcmp(data, kMagic, magic_have) != 0) {
    return make_error(name + " is not a .npy file: it starts with '" + printable(data, avail, 8) +
                      "' instead of '\\x93NUMPY'");
  }
  if (size < kMagicLen + 2) {
    return make_error(name + " is only " + std::to_string(size) +
                      " bytes long and ends inside the .npy preamble; the file is truncated");
  }
  const int major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0) {
    return make_error(name + " is .npy format version " + std::to_string(major) + "." +
                      std::to_string(minor) + ", which ConvScope cannot read; it reads " +
                      "versions 1.0, 2.0 and 3.0 (save it again with np.save)");
  }
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) {
    return make_error(name + " is only " + std::to_string(size) + " bytes long, shorter than " +
                      "the " + std::to_string(prefix) + "-byte preamble of a version " +
                      std::to_string(major) + ".0 .npy file; the file is truncated");
  }
  uint64_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) {
    header_len |= static_cast<uint64_t>(data[kMagicLen + 2 + i]) << (8 * i);
  }
  if (header_len > limits.max_header_bytes) {
    return make_error(name + " declares a header of " + std::to_string(header_len) +
                      " bytes, more than the limit of " + std::to_string(limits.max_header_bytes) +
                      " bytes; np.save never writes headers that long");
  }
  if (header_len > size - prefix || header_len > avail - prefix) {
    return make_error(name + " declares a header of " + std::to_string(header_len) +
                      " bytes but only " + std::to_string(size - prefix) +
                      " bytes follow the preamble; the file is truncated");
  }
  NpyHeader h;
  h.data_offset = prefix + static_cast<std::size_t>(header_len);
  HeaderParser parser(data + prefix, static_cast<std::size_t>(header_len), prefix, name,
                      major == 1);
  auto header = parser.parse();
  if (!header) return header.error();
  auto descr = parse_descr(*header->descr, name);
  if (!descr) return descr.error();
  h.descr = *descr;
  h.shape = *header->shape;
  h.fortran = *header->fortran_order;
  const Shape& shape = h.shape;

  // A zero-size array may have other huge dimensions whose product never overflows; the engine
  // multiplies dimensions in other orders, so no single dimension may exceed the element limit.
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] > limits.max_elements) {
      return make_error(name + " has dimension " + std::to_string(shape[i]) + " at axis " +
                        std::to_string(i) + " of its shape " + shape_repr(shape) +
                        ", more than the limit of " + std::to_string(limits.max_elements) +
                        " elements");
    }
  }
  auto numel = checked_numel(shape, "the array in " + name, limits.max_elements);
  if (!numel) return numel.error();
  h.numel = *numel;

  const std::size_t item = dtype_size(h.descr.dtype);
  uint64_t need = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(*numel), static_cast<uint64_t>(item), &need)) {
    return make_error("the array in " + name + " of shape " + shape_to_string(shape) +
                      " needs more bytes than a 64-bit size can hold; use smaller dimensions");
  }
  const uint64_t have = size - h.data_offset;
  if (have != need) {
    const std::string what = std::string("a ") + dtype_name(h.descr.dtype) + " array of shape " +
                             shape_repr(shape) + " needs " + std::to_string(need) + " bytes";
    if (have < need) {
      return make_error(name + " has only " + std::to_string(have) + " bytes of data after its " +
                        std::to_string(h.data_offset) + "-byte header, but " + what +
                        "; the file is truncated");
    }
    const uint64_t extra = have - need;
    return make_error(name + " has " + std::to_string(extra) +
                      (extra == 1 ? " unexpected byte" : " unexpected bytes") +
                      " after its data: " + what + " and the file has " + std::to_string(have) +
                      " after its header");
  }
  return h;
}

}  // namespace

Result<Tensor> parse_npy(const uint8_t* data, std::size_t size, const NpyLimits& limits,
                         const std::string& name) {
  auto h = parse_header(data, size, size, limits, name);
  if (!h) return h.error();
  // The data fills the file exactly (checked), so this allocation is bounded by the input.
  Tensor t(h->descr.dtype, h->shape);
  auto* out = static_cast<uint8_t*>(t.raw_data());
  const uint8_t* in = data + h->data_offset;
  if (h->descr.dtype == DType::f32) {
    copy_elements<uint32_t>(in, out, h->shape, h->numel, h->descr.swap, h->fortran);
  } else {
    copy_elements<uint64_t>(in, out, h->shape, h->numel, h->descr.swap, h->fortran);
  }
  return t;
}

// NOTE: the header is read and checked first: a 14 GB (sparse) file whose shape is over the
// limits is refused without reading its data.
Result<Tensor> read_npy(const std::string& path, const NpyLimits& limits) {
  uint64_t file_size = 0;
  const uint64_t head_max = kMagicLen + 6 + limits.max_header_bytes;
  auto head = read_file_head(path, head_max, file_size);
  if (!head) return head.error();
  if (auto h = parse_header(head->data(), head->size(), file_size, limits, path); !h) {
    return h.error();
  }
  auto bytes = read_file(path, limits.max_file_bytes);
  if (!bytes) return bytes.error();
  return parse_npy(bytes->data(), bytes->size(), limits, path);
}

std::vector<uint8_t> encode_npy(const Tensor& t) {
  Shape shape = t.shape();
  if (shape.empty() && t.numel() == 0) shape = {0};  // default-constructed Tensor
  // NumPy 1.24's _write_array_header: sorted keys, repr() values, then spare spaces so the first
  // dimension can grow in place, then spaces and '\n' up to a multiple of ARRAY_ALIGN.
  std::string dict = std::string("{'descr': '") + (t.dtype() == DType::f32 ? "<f4" : "<f8") +
                     "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) {
    const std::size_t digits = std::to_string(shape[0]).size();
    if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  const std::size_t hlen = dict.size() + 1;  // + '\n'
  int major = 1;
  std::size_t prefix = kMagicLen + 2 + 2;
  std::size_t pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
  if (hlen + pad > 65535) {
    major = 2;
    prefix = kMagicLen + 2 + 4;
    pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
  }
  const std::size_t nbytes = t.nbytes();
  const uint64_t header_len = hlen + pad;
  std::string head(reinterpret_cast<const char*>(kMagic), kMagicLen);
  head += static_cast<char>(major);
  head += '\0';
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) {
    head += static_cast<char>((header_len >> (8 * i)) & 0xff);
  }
  head += dict;
  head.append(pad, ' ');
  head += '\n';
  const std::size_t data_at = head.size();
  std::vector<uint8_t> out(data_at + nbytes);
  std::memcpy(out.data(), head.data(), data_at);
  if (nbytes == 0) return out;
  const auto* src = static_cast<const uint8_t*>(t.raw_data());
  if (kLittleHost) {
    std::memcpy(out.data() + data_at, src, nbytes);
  } else {
    const std::size_t item = dtype_size(t.dtype());
    for (std::size_t i = 0; i < nbytes; ++i) {
      out[data_at + i] = src[i - i % item + (item - 1 - i % item)];
    }
  }
  return out;
}

Status write_npy(const std::string& path, const Tensor& t) {
  const std::vector<uint8_t> bytes = encode_npy(t);
  return write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace cs
