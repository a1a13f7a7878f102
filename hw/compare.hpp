// Running one backend operation against the model, case by case, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hw/backend.hpp"

namespace numconf::hw {

// What the model gives for one case of an operation under the policy it claims.
Rounded model_result(const Operation& op, std::uint64_t a, std::uint64_t b = 0,
                     std::uint64_t c = 0);

// The operands of a list of cases: a, b, c as the arity needs (unused ones may stay empty).
struct Cases {
  std::vector<std::uint64_t> a, b, c;
  std::size_t size() const { return a.size(); }
};

// Every case on the backend and on the model, compared bit for bit (and the flags where the
// operation reports them), on every core.  At most `keep` mismatches are kept, in case order.
SweepResult compare_cases(const Backend& backend, const Operation& op, const Cases& cases,
                          std::size_t keep);

// Every code in [first, first + count) of a unary operation: the backend's own sweep() where
// it offers one, else batches through run() against the model, on every core.
SweepResult compare_range(const Backend& backend, const Operation& op, std::uint64_t first,
                          std::uint64_t count, std::size_t keep);

}  // namespace numconf::hw
