// Tensor storage, dtype helpers and the layout permutations between PyTorch and Keras.
#include "tensor.hpp"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>

namespace cs {

namespace detail {

namespace {
// Buffers from 64 KiB up are cached: glibc serves the larger ones with mmap and unmaps them on
// free, and trims its heap under the smaller ones, so without the cache every call faults their
// pages in again (a trace of a 256×256 image spent a third of its time there). Sizes are rounded
// so that similar requests share blocks.
constexpr std::size_t kBig = std::size_t{64} << 10;
constexpr std::size_t kLarge = std::size_t{4} << 20;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
std::size_t rounded_big(std::size_t bytes) {
  const std::size_t step = bytes < (std::size_t{1} << 20) ? std::size_t{4} << 10
                           : bytes < kLarge               ? std::size_t{64} << 10
                                                          : kHugePage;
  return (bytes + step - 1) / step * step;
}
}  // namespace

// Freed big buffers are kept (up to 1 GiB) and handed out again: a tensor recomputed every frame
// or every benchmark iteration then reuses pages that are already mapped, instead of having the
// kernel zero fresh ones each time.
struct BigCache {
  std::mutex mutex;
  std::vector<std::pair<void*, std::size_t>> blocks;  // oldest first
  std::size_t total = 0;
  static constexpr std::size_t kLimit = std::size_t{1} << 30;
};

BigCache& big_cache() {
  static BigCache* cache = new BigCache;  // never destroyed: tensors may outlive static teardown
  return *cache;
}

void* allocate_big(std::size_t bytes) {
  if (bytes < kBig) return ::operator new(bytes);
  const std::size_t size = rounded_big(bytes);
  {
    BigCache& c = big_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    for (auto it = c.blocks.begin(); it != c.blocks.end(); ++it) {
      if (it->second == size) {
        void* p = it->first;
        c.total -= it->second;
        c.blocks.erase(it);
        return p;
      }
    }
  }
  // NOTE: no MADV_HUGEPAGE: measured here, faulting in transparent huge pages made the first
  // call several times slower (0.1 s → 1 s for a 1080p conv), and the cache makes later calls
  // fault nothing at all.
  void* p = std::aligned_alloc(size < kLarge ? 64 : kHugePage, size);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_big(void* p, std::size_t bytes) {
  if (bytes < kBig) {
    ::operator delete(p);
    return;
  }
  const std::size_t size = rounded_big(bytes);
  BigCache& c = big_cache();
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (size > BigCache::kLimit) {
      evicted.push_back(p);
    } else {
      c.blocks.emplace_back(p, size);
      c.total += size;
      while (c.total > BigCache::kLimit) {
        evicted.push_back(c.blocks.front().first);
        c.total -= c.blocks.front().second;
        c.blocks.erase(c.blocks.begin());
      }
    }
  }
  for (void* e : evicted)
    std::free(e);
}

}  // namespace detail

const char* dtype_name(DType dtype) {
  return dtype == DType::f32 ? "float32" : "float64";
}
std::size_t dtype_size(DType dtype) {
  return dtype == DType::f32 ? 4 : 8;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += "\xC3\x97";  // ×
    s += std::to_string(shape[i]);
  }
  return s;
}

Result<int64_t> checked_numel(const Shape& shape, const std::string& what, int64_t max_elements) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return make_error(what + " has a negative dimension (" + std::to_string(d) +
                        "); every dimension must be 0 or more");
    }
    if (__builtin_mul_overflow(n, d, &n)) {
      return make_error(what + " of shape " + shape_to_string(shape) +
                        " has more elements than a 64-bit count can hold; use smaller dimensions");
    }
  }
  if (n > max_elements) {
    return make_error(what + " of shape " + shape_to_string(shape) + " has " + std::to_string(n) +
                      " elements, more than the limit of " + std::to_string(max_elements) +
                      "; use smaller dimensions");
  }
  return n;
}

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  Tensor t;
  t.m_dtype = dtype;
  t.m_shape = std::move(shape);
  auto n = checked_numel(t.m_shape, "tensor");
  if (!n) throw std::length_error(n.error().message);  // programming error: callers validate
  t.m_numel = *n;
  if (dtype == DType::f32) {
    t.m_f32.resize(static_cast<std::size_t>(t.m_numel));
  } else {
    t.m_f64.resize(static_cast<std::size_t>(t.m_numel));
  }
  return t;
}

Tensor::Tensor(DType dtype, Shape shape) : Tensor(uninitialized(dtype, std::move(shape))) {
  if (m_dtype == DType::f32) {
    std::fill(m_f32.begin(), m_f32.end(), 0.0f);
  } else {
    std::fill(m_f64.begin(), m_f64.end(), 0.0);
  }
}

Tensor Tensor::from_values(DType dtype, Shape shape, std::initializer_list<double> values) {
  return from_values(dtype, std::move(shape), std::vector<double>(values));
}

Tensor Tensor::from_values(DType dtype, Shape shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  assert(static_cast<int64_t>(values.size()) == t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, values[static_cast<std::size_t>(i)]);
  return t;
}

template <>
float* Tensor::data<float>() {
  assert(m_dtype == DType::f32);
  return m_f32.data();
}
template <>
const float* Tensor::data<float>() const {
  assert(m_dtype == DType::f32);
  return m_f32.data();
}
template <>
double* Tensor::data<double>() {
  assert(m_dtype == DType::f64);
  return m_f64.data();
}
template <>
const double* Tensor::data<double>() const {
  assert(m_dtype == DType::f64);
  return m_f64.data();
}

void* Tensor::raw_data() {
  return m_dtype == DType::f32 ? static_cast<void*>(m_f32.data())
                               : static_cast<void*>(m_f64.data());
}
const void* Tensor::raw_data() const {
  return m_dtype == DType::f32 ? static_cast<const void*>(m_f32.data())
                               : static_cast<const void*>(m_f64.data());
}

double Tensor::get(int64_t flat) const {
  assert(flat >= 0 && flat < m_numel);
  return m_dtype == DType::f32 ? static_cast<double>(m_f32[static_cast<std::size_t>(flat)])
                               : m_f64[static_cast<std::size_t>(flat)];
}

void Tensor::set(int64_t flat, double value) {
  assert(flat >= 0 && flat < m_numel);
  if (m_dtype == DType::f32) {
    m_f32[static_cast<std::size_t>(flat)] = static_cast<float>(value);
  } else {
    m_f64[static_cast<std::size_t>(flat)] = value;
  }
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == m_dtype) return *this;
  Tensor t(dtype, m_shape);
  for (int64_t i = 0; i < m_numel; ++i)
    t.set(i, get(i));
  return t;
}

bool Tensor::identical(const Tensor& other) const {
  return m_dtype == other.m_dtype && m_shape == other.m_shape &&
         (nbytes() == 0 || std::memcmp(raw_data(), other.raw_data(), nbytes()) == 0);
}

Result<Tensor> Tensor::reshaped(Shape shape) const {
  auto n = checked_numel(shape, "reshaped tensor");
  if (!n) return n.error();
  if (*n != m_numel) {
    return make_error("cannot view " + shape_to_string(m_shape) + " as " + shape_to_string(shape) +
                      ": the element counts differ");
  }
  Tensor t = *this;
  t.m_shape = std::move(shape);
  return t;
}

namespace {

// Generic 4-D permutation: out[perm-applied index] = in[index]. `perm[i]` is the input axis
// that becomes output axis i.
template <class T>
void permute4(const T* in, const Shape& in_shape, const int perm[4], T* out) {
  int64_t in_stride[4];
  in_stride[3] = 1;
  for (int i = 2; i >= 0; --i)
    in_stride[i] = in_stride[i + 1] * in_shape[i + 1];
  const int64_t d0 = in_shape[perm[0]], d1 = in_shape[perm[1]], d2 = in_shape[perm[2]],
                d3 = in_shape[perm[3]];
  const int64_t s0 = in_stride[perm[0]], s1 = in_stride[perm[1]], s2 = in_stride[perm[2]],
                s3 = in_stride[perm[3]];
  int64_t o = 0;
  for (int64_t a = 0; a < d0; ++a)
    for (int64_t b = 0; b < d1; ++b)
      for (int64_t c = 0; c < d2; ++c)
        for (int64_t d = 0; d < d3; ++d)
          out[o++] = in[a * s0 + b * s1 + c * s2 + d * s3];
}

Tensor permuted(const Tensor& t, const int perm[4]) {
  assert(t.ndim() == 4);
  Shape s{t.dim(perm[0]), t.dim(perm[1]), t.dim(perm[2]), t.dim(perm[3])};
  Tensor out(t.dtype(), s);
  if (t.dtype() == DType::f32) {
    permute4(t.data<float>(), t.shape(), perm, out.data<float>());
  } else {
    permute4(t.data<double>(), t.shape(), perm, out.data<double>());
  }
  return out;
}

}  // namespace

Tensor nhwc_to_nchw(const Tensor& t) {
  const int perm[4] = {0, 3, 1, 2};
  return permuted(t, perm);
}
Tensor nchw_to_nhwc(const Tensor& t) {
  const int perm[4] = {0, 2, 3, 1};
  return permuted(t, perm);
}
Tensor hwio_to_oihw(const Tensor& t) {
  const int perm[4] = {3, 2, 0, 1};
  return permuted(t, perm);
}
Tensor oihw_to_hwio(const Tensor& t) {
  const int perm[4] = {2, 3, 1, 0};
  return permuted(t, perm);
}

}  // namespace cs
