// The cpu backend: this machine's x86-64 floating-point instructions (SSE/FMA under every
// MXCSR rounding mode and flush setting, F16C, AVX512-BF16, AVX512-FP16), chosen at run time
// by CPUID so that one binary runs on every x86-64 CPU.
#pragma once

#include <memory>

#include "hw/backend.hpp"

namespace numconf::hw {

std::unique_ptr<Backend> make_cpu_backend();

}  // namespace numconf::hw
