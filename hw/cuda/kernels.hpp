// Host entry points of the kernels (kernels.cu): plain C++ types only, so the backend itself is
// compiled by the host compiler.  Every CUDA call and launch is checked: a failure throws
// std::runtime_error naming the call and CUDA's message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hw/cuda/device_op.hpp"

namespace numconf::hw::cuda {

// How a comparison kernel forms the operands of case i (0 <= i < count).
enum class Operands : std::uint8_t {
  Dense,    // a = first + i (unary operations)
  Pairs16,  // a = (first + i) >> 16, b = (first + i) & 0xffff: all pairs of 16-bit codes
  Lists,    // a[i], b[i], c[i] from host arrays
};

struct DeviceMismatch {
  std::uint64_t index = 0;  // the case i
  std::uint64_t a = 0, b = 0, c = 0;
  std::uint64_t expected = 0;  // the model's bits
  std::uint64_t got = 0;       // the GPU's bits (both lanes, packed, when the lanes disagree)
  std::uint8_t expected_flags = 0;
};

struct DeviceComparison {
  std::uint64_t mismatches = 0;
  std::vector<DeviceMismatch> found;  // at most `capacity` of them, in no particular order
};

// The GPU's results of `op` on n operand tuples (a, b, c may be null when the arity is lower).
void run_on_device(const DeviceOp& op, const std::uint64_t* a, const std::uint64_t* b,
                   const std::uint64_t* c, std::uint64_t* out, std::size_t n);

// Runs `op` and the model on the GPU for `count` cases and returns what differs.  For Lists,
// a, b, c hold `count` operands each (unused ones may be null).
DeviceComparison compare_on_device(const DeviceOp& op, Operands operands, std::uint64_t first,
                                   std::uint64_t count, const std::uint64_t* a,
                                   const std::uint64_t* b, const std::uint64_t* c,
                                   std::size_t capacity);

}  // namespace numconf::hw::cuda
