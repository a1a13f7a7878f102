// The cuda backend's claims: every operation it runs on the GPU, the device routine that runs
// it, and the policy (profile cuda) NVIDIA documents for it.  One table, host code only.
#pragma once

#include <span>

#include "hw/backend.hpp"
#include "hw/cuda/device_op.hpp"

namespace numconf::hw::cuda {

struct Claim {
  Operation operation;
  DeviceOp device;  // its kind, operand, result and policy repeat the operation's
};

std::span<const Claim> claims();

// The _sat and _relu forms of the f16/bf16 intrinsics: the model's result under the claimed
// policy, then DeviceOp::clamp.  Not among the backend's operations(), whose claims must be the
// model's alone; numconf_cuda_check and cuda_backend_test check them.
std::span<const Claim> clamped_claims();

// The claim (of either table) of the operation named `name`, or nullptr.
const Claim* find_claim(std::string_view name);

}  // namespace numconf::hw::cuda
