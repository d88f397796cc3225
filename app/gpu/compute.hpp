// GPU conv2d/pool2d for the command line and the app. The implementation lives in app/gpu/, the
// only place that makes gl* calls. Answers an Error (never aborts) when no usable GL 4.3 exists.
#pragma once

#include "core/params.hpp"
#include "core/result.hpp"
#include "core/tensor.hpp"

namespace cs::gpu {

// Same contract as cs::conv2d / cs::pool2d (layouts, dtype of the output = dtype of the input).
Result<Tensor> conv2d(const Tensor& input, const Tensor& weight, const Tensor* bias,
                      const Conv2dParams& params);
Result<Tensor> pool2d(const Tensor& input, const Pool2dParams& params);

}  // namespace cs::gpu
