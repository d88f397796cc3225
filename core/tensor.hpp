// Tensor: a dense row-major float32 or float64 array with a shape.
// Owns its storage; the engine, .npy I/O, the app and the GPU module all exchange these.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "result.hpp"

namespace cs {

enum class DType { f32, f64 };

const char* dtype_name(DType dtype);  // "float32" / "float64"
std::size_t dtype_size(DType dtype);

using Shape = std::vector<int64_t>;

// "1×3×5×5" (with the multiplication sign students see in books).
std::string shape_to_string(const Shape& shape);

// Product of the dimensions, or an error if a dimension is negative or the product overflows
// int64 or exceeds `max_elements`. `what` names the tensor in the sentence ("input", "weight").
Result<int64_t> checked_numel(const Shape& shape, const std::string& what,
                              int64_t max_elements = INT64_MAX);

// Storage for tensor data. Buffers of 64 KiB and more go through a small cache of freed blocks
// (tensor.cpp), 64-byte aligned: a 1080p trace allocates ~600 MB, and having the kernel fault in
// and zero fresh pages for it on every recompute cost more time than the arithmetic.
namespace detail {
void* allocate_big(std::size_t bytes);
void free_big(void* p, std::size_t bytes);
}  // namespace detail

template <class T>
struct TensorAllocator {
  using value_type = T;
  TensorAllocator() = default;
  template <class U>
  TensorAllocator(const TensorAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_big(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { detail::free_big(p, n * sizeof(T)); }
  // Default-initialise (no zeroing) when a vector grows; Tensor zero-fills explicitly where it
  // promises zeros, and Tensor::uninitialized skips that for buffers about to be overwritten.
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const TensorAllocator<U>&) const {
    return true;
  }
};

class Tensor {
 public:
  Tensor() = default;
  // A zero-filled tensor. The shape's product must fit (use checked_numel first on user input).
  Tensor(DType dtype, Shape shape);
  // A tensor whose values are unspecified, for outputs the caller overwrites entirely.
  static Tensor uninitialized(DType dtype, Shape shape);
  static Tensor from_values(DType dtype, Shape shape, std::initializer_list<double> values);
  static Tensor from_values(DType dtype, Shape shape, const std::vector<double>& values);

  DType dtype() const { return m_dtype; }
  const Shape& shape() const { return m_shape; }
  int ndim() const { return static_cast<int>(m_shape.size()); }
  int64_t dim(int i) const { return m_shape[static_cast<std::size_t>(i)]; }
  int64_t numel() const { return m_numel; }
  bool empty() const { return m_numel == 0; }
  std::size_t nbytes() const { return static_cast<std::size_t>(m_numel) * dtype_size(m_dtype); }

  // Typed access; T must match dtype() (float for f32, double for f64).
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  // Element access through double, for tests, the UI and I/O (not for hot loops).
  double get(int64_t flat) const;
  void set(int64_t flat, double value);

  // Same values, other dtype (a copy; a plain copy when the dtype already matches).
  Tensor to(DType dtype) const;
  // Same data, new shape with the same number of elements.
  Result<Tensor> reshaped(Shape shape) const;
  // Same dtype, shape and bits (so 0 and -0 differ, and a NaN equals the same NaN): whether a
  // result computed from `other` can be reused for this tensor.
  bool identical(const Tensor& other) const;

 private:
  DType m_dtype = DType::f32;
  Shape m_shape;
  int64_t m_numel = 0;
  std::vector<float, TensorAllocator<float>> m_f32;
  std::vector<double, TensorAllocator<double>> m_f64;
};

// [N, H, W, C] => [N, C, H, W]
Tensor nhwc_to_nchw(const Tensor& t);
// [N, C, H, W] => [N, H, W, C]
Tensor nchw_to_nhwc(const Tensor& t);
// Keras/TF weights [KH, KW, I, O] => PyTorch weights [O, I, KH, KW]
Tensor hwio_to_oihw(const Tensor& t);
// [O, I, KH, KW] => [KH, KW, I, O]
Tensor oihw_to_hwio(const Tensor& t);

}  // namespace cs
