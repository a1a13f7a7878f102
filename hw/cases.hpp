// The case sets of `numconf check` (docs/profiles.md, "numconf check levels").
#pragma once

#include <cstdint>

#include "hw/backend.hpp"
#include "hw/compare.hpp"

namespace numconf::hw {

enum class Level : std::uint8_t { Quick, Broad, Exhaustive };  // --level 1, 2, exhaustive

// A unary operation whose operand codes are all swept at this level, as a dense range.
bool sweeps_every_code(const Operation& op, Level level);

// The cases of an operation that is not swept densely: for a conversion, the source's
// specials and, for every source exponent, the codes around the target's rounding points
// (ties and their neighbours) under random upper bits (from an integer: the ends of its range
// and ties at every cut below every leading bit); for arithmetic, every pair (triple) of
// specials plus random operands with nearby exponents.  Level 2 and exhaustive add random
// codes (2^22 and 2^24 per operation).  Seeded: the same cases every run.
Cases make_cases(const Operation& op, Level level);

}  // namespace numconf::hw
