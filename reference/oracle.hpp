// The exact oracle: decodes codes to exact rationals and rounds exact values into any format
// by comparing them with their two neighbouring representable values.  It implements
// docs/semantics.md independently of the model in formats/ and shares no code with it: only
// the descriptor and policy types are common, every derived property is recomputed here.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>

#include "formats/format.hpp"
#include "formats/policy.hpp"

namespace numconf::ref {

enum class ValueClass { Zero, Subnormal, Normal, Infinite, Nan };

// What a code means.  Integer codes decode to Zero or Normal.
struct ExactValue {
  ValueClass cls = ValueClass::Zero;
  // The sign bit; false for unsigned formats and for the sign-less NaN of nan=negzero formats.
  bool negative = false;
  boost::multiprecision::cpp_rational magnitude;  // zero for Infinite and Nan
  bool signaling = false;                         // an ieee NaN with its quiet bit clear
  std::uint64_t nan_payload = 0;                  // trailing significand of an ieee NaN
};

// The value of a container code (padding included).  The code must be valid for the format.
ExactValue decode(const Format& format, std::uint64_t code);

// Converts a container code of `from` into a container code of `to`, with the TestFloat flags.
// Only the low policy.random_bits bits of `random` are used (stochastic modes).
Rounded convert(const Format& from, const Format& to, std::uint64_t code, const Policy& policy,
                std::uint64_t random = 0);

// Rounds the exact finite value (negative ? -1 : 1) * magnitude into `to`; a zero magnitude
// follows the rules for a zero input.
Rounded round_value(const Format& to, bool negative,
                    const boost::multiprecision::cpp_rational& magnitude, const Policy& policy,
                    std::uint64_t random = 0);

// An exact infinite value of the given sign into the float format `to`, as a conversion of
// +-Inf would give it (finite saturates, unsigned targets take -Inf per rule 1, ...).
Rounded round_infinity(const Format& to, bool negative, const Policy& policy);

// The default NaN of docs/arithmetic.md: positive, quiet bit alone for ieee, the format's NaN
// code otherwise; in a format without NaN what nan_to_nanless asks for (+0 or +max finite).
std::uint64_t default_nan(const Format& to, const Policy& policy);

}  // namespace numconf::ref
