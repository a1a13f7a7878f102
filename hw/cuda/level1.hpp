// The level-1 operands of an operation: a few thousand cases aimed at what a conversion or an
// arithmetic instruction can get wrong (ties and their neighbours at the result's rounding point
// in every binade of the result's range, subnormals, overflow, NaN, Inf, signed zeros), chosen
// deterministically, so recordings of different GPUs and drivers line up case by case.
#pragma once

#include <cstdint>
#include <vector>

#include "hw/backend.hpp"

namespace numconf::hw::cuda {

struct OperandLists {
  std::vector<std::uint64_t> a, b, c;  // b, c empty when the operation takes fewer operands
};

OperandLists level1_operands(const Operation& op);

}  // namespace numconf::hw::cuda
