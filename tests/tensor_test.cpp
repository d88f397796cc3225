// Tensor::identical and same_arithmetic: the checks the app uses to reuse a computed result.
#include <gtest/gtest.h>

#include <cmath>

#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs {
namespace {

TEST(Tensor, IdenticalComparesDtypeShapeAndBits) {
  const Tensor a = Tensor::from_values(DType::f32, {2, 2}, {1, 2, 3, 4});
  EXPECT_TRUE(a.identical(Tensor::from_values(DType::f32, {2, 2}, {1, 2, 3, 4})));
  EXPECT_FALSE(a.identical(Tensor::from_values(DType::f32, {2, 2}, {1, 2, 3, 5})));
  EXPECT_FALSE(a.identical(Tensor::from_values(DType::f32, {4}, {1, 2, 3, 4})));
  EXPECT_FALSE(a.identical(Tensor::from_values(DType::f64, {2, 2}, {1, 2, 3, 4})));
  // Bits, not values: -0 is not 0, and the same NaN is the same.
  EXPECT_FALSE(Tensor::from_values(DType::f32, {1}, {0.0})
                   .identical(Tensor::from_values(DType::f32, {1}, {-0.0})));
  const Tensor nan = Tensor::from_values(DType::f64, {1}, {std::nan("")});
  EXPECT_TRUE(nan.identical(nan));
  EXPECT_TRUE(Tensor(DType::f32, {0, 3}).identical(Tensor(DType::f32, {0, 3})));
}

TEST(Conv2dParams, SameArithmeticIgnoresOnlyTheLayout) {
  Conv2dParams a;
  a.padding = PaddingSpec::symmetric(1);
  Conv2dParams b = a;
  b.layout = Layout::nhwc;
  EXPECT_TRUE(same_arithmetic(a, b));
  b.padding_mode = PaddingMode::reflect;
  EXPECT_FALSE(same_arithmetic(a, b));
  b = a;
  b.stride_w = 2;
  EXPECT_FALSE(same_arithmetic(a, b));
  b = a;
  b.padding = PaddingSpec::pair(1, 2);
  EXPECT_FALSE(same_arithmetic(a, b));
  b = a;
  b.groups = 3;
  EXPECT_FALSE(same_arithmetic(a, b));
}

}  // namespace
}  // namespace cs
