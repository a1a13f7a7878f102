// The exact oracle for arithmetic (docs/arithmetic.md): every operation computes its result
// as an exact rational (Boost cpp_rational) from ref::decode and hands it to ref::round_value,
// the conversion oracle's rounder.  Square roots, which are not rational, are bracketed
// exactly: an integer s is found with (s*Q)^2 <= a < ((s+1)*Q)^2 for a quantum Q far finer
// than any decision the rounder makes, the inequalities are checked by squaring, and a
// rational from the same open interval (or s*Q itself when its square is a) is rounded in
// place of the root.  Special cases (NaN propagation, invalid, infinities, signed zeros,
// x / 0) are this file's own reading of the spec.  Nothing here is shared with formats/.
#pragma once

#include <cstdint>

#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "reference/oracle.hpp"

namespace numconf::ref {

// A code decoded once (sweeps decode each code of a small format once and reuse it).
struct Operand {
  std::uint64_t code = 0;
  ExactValue value;
};

Operand operand(const Format& format, std::uint64_t code);

// All operands and the result are container codes of `format`; only the low
// policy.random_bits bits of `random` are used (stochastic modes).
Rounded add(const Format& format, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random = 0);
Rounded sub(const Format& format, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random = 0);
Rounded mul(const Format& format, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random = 0);
Rounded div(const Format& format, const Operand& a, const Operand& b, const Policy& policy,
            std::uint64_t random = 0);
// a * b + c with one rounding.
Rounded fma(const Format& format, const Operand& a, const Operand& b, const Operand& c,
            const Policy& policy, std::uint64_t random = 0);
Rounded sqrt(const Format& format, const Operand& a, const Policy& policy,
             std::uint64_t random = 0);

// IEEE 754-2019 9.6; the result is an operand's code (quieted when NaN; with daz a subnormal
// operand is the zero it reads as), the only flag is sNaN's invalid.
Rounded minimum(const Format& format, const Operand& a, const Operand& b, const Policy& policy);
Rounded maximum(const Format& format, const Operand& a, const Operand& b, const Policy& policy);
Rounded minimum_number(const Format& format, const Operand& a, const Operand& b,
                       const Policy& policy);
Rounded maximum_number(const Format& format, const Operand& a, const Operand& b,
                       const Policy& policy);

enum class Ordering : std::uint8_t { Less, Equal, Greater, Unordered };
struct Comparison {
  Ordering order = Ordering::Unordered;
  std::uint8_t flags = 0;  // invalid for a signaling NaN operand only (quiet comparison)
};
Comparison compare(const Format& format, const Operand& a, const Operand& b, const Policy& policy);

// a rounded to an integral value of the format by policy.rounding (stochastic modes use
// `random`); inexact only when `exact` (IEEE roundToIntegralExact) and the value changed.
Rounded round_to_integral(const Format& format, const Operand& a, const Policy& policy,
                          std::uint64_t random = 0, bool exact = false);

// The same operations on plain codes.
inline Rounded add(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p,
                   std::uint64_t random = 0) {
  return add(f, operand(f, a), operand(f, b), p, random);
}
inline Rounded sub(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p,
                   std::uint64_t random = 0) {
  return sub(f, operand(f, a), operand(f, b), p, random);
}
inline Rounded mul(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p,
                   std::uint64_t random = 0) {
  return mul(f, operand(f, a), operand(f, b), p, random);
}
inline Rounded div(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p,
                   std::uint64_t random = 0) {
  return div(f, operand(f, a), operand(f, b), p, random);
}
inline Rounded fma(const Format& f, std::uint64_t a, std::uint64_t b, std::uint64_t c,
                   const Policy& p, std::uint64_t random = 0) {
  return fma(f, operand(f, a), operand(f, b), operand(f, c), p, random);
}
inline Rounded sqrt(const Format& f, std::uint64_t a, const Policy& p, std::uint64_t random = 0) {
  return sqrt(f, operand(f, a), p, random);
}
inline Rounded minimum(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p) {
  return minimum(f, operand(f, a), operand(f, b), p);
}
inline Rounded maximum(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p) {
  return maximum(f, operand(f, a), operand(f, b), p);
}
inline Rounded minimum_number(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p) {
  return minimum_number(f, operand(f, a), operand(f, b), p);
}
inline Rounded maximum_number(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p) {
  return maximum_number(f, operand(f, a), operand(f, b), p);
}
inline Comparison compare(const Format& f, std::uint64_t a, std::uint64_t b, const Policy& p) {
  return compare(f, operand(f, a), operand(f, b), p);
}
inline Rounded round_to_integral(const Format& f, std::uint64_t a, const Policy& p,
                                 std::uint64_t random = 0, bool exact = false) {
  return round_to_integral(f, operand(f, a), p, random, exact);
}

}  // namespace numconf::ref
