// The cuda-host backend: NVIDIA's own host implementations of the conversions in cuda_fp16.h,
// cuda_bf16.h, cuda_fp8.h, cuda_fp6.h and cuda_fp4.h, compiled by the host compiler against
// the CUDA toolkit's headers (no GPU, no CUDA runtime needed).
#pragma once

#include <memory>

#include "hw/backend.hpp"

namespace numconf::hw {

std::unique_ptr<Backend> make_cuda_host_backend();

}  // namespace numconf::hw
