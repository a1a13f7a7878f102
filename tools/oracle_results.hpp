// The exact oracle (reference/) as an implementation for `numconf verify --backend oracle`:
// each case of a vector file recomputed with Boost rationals and the oracle's own rounder,
// so files written by the model are checked against something that shares no code with it.
#pragma once

#include <span>

#include "vectors.hpp"

namespace numconf::cli {

// The oracle's answer for one case: the job's operation, formats and policy (every field of
// Policy: rounding with R, overflow and its rule, daz, ftz, tininess, NaN into NaN-less
// formats, profile), as model_result gives the model's.
Rounded oracle_result(const Job& job, const Case& c);

void run_oracle(const Job& job, std::span<const Case> cases, std::span<Rounded> out);

}  // namespace numconf::cli
