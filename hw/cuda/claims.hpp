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

// The claim of the operation named `name`, or nullptr.
const Claim* find_claim(std::string_view name);

}  // namespace numconf::hw::cuda
