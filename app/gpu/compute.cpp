// Placeholder until the GPU issue lands: every call answers that the GPU backend is not available.
#include "app/gpu/compute.hpp"

namespace cs::gpu {

Result<Tensor> conv2d(const Tensor&, const Tensor&, const Tensor*, const Conv2dParams&) {
  return make_error("the GPU backend is not yet available in this build; use --backend cpu",
                    "backend");
}
Result<Tensor> pool2d(const Tensor&, const Pool2dParams&) {
  return make_error("the GPU backend is not yet available in this build; use --backend cpu",
                    "backend");
}

}  // namespace cs::gpu
