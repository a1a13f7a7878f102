// How a value is rounded into a format: kept apart from the format itself, because the same
// encoding is used under many policies (an e4m3fn code is the same whether or not the
// conversion that made it saturates).
#pragma once

#include <cstdint>

#include "config.hpp"

namespace numconf {

enum class Rounding : std::uint8_t {
  NearestEven,     // rn
  NearestAway,     // rna
  TowardZero,      // rz
  TowardPositive,  // rp
  TowardNegative,  // rm
  ToOdd,           // ro: truncate, then set the last bit when inexact
  StochasticA,     // sra, srb, src: P3109 v4.0 stochastic rounding with an N-bit random R
  StochasticB,
  StochasticC,
};

// What happens to a finite value too large for the format, and to an infinite input.
enum class Overflow : std::uint8_t {
  None,       // IEEE 754: +-Inf, or NaN, or max finite, by format and rounding direction
  Finite,     // +-max finite for finite overflow and for +-Inf; NaN stays NaN
  Propagate,  // +-max finite for finite overflow; +-Inf stays +-Inf
};

enum class Tininess : std::uint8_t { AfterRounding, BeforeRounding };

// What a NaN becomes in a format that has no NaN (e2m1fn, e2m3fn, e3m2fn); invalid is raised.
enum class NanToNanless : std::uint8_t {
  Zero,       // +0 (default)
  MaxFinite,  // +-max finite, keeping the NaN's sign
};

// Which specification Overflow::None follows; see docs/semantics.md.  The P3109 rule for it
// ("SatNone") changed between revisions.
enum class OverflowRule : std::uint8_t {
  Ieee754,   // round to odd and rounding toward zero give max finite
  P3109,     // P3109/D1 (interim report v4.0.3) SatNone: only directed rounding clamps
  P3109V3,   // P3109 v3.2 and the IML formal spec's OvfInf: formats without Inf clamp
};

// Vendor conventions for what the specifications leave open (the NaN a result carries, its sign
// and payload, and similar): a named profile, not an #ifdef.  Model is numconf's own documented
// choice (docs/semantics.md, docs/arithmetic.md); the others reproduce a vendor's hardware or
// library bit for bit (docs/profiles.md).
enum class Profile : std::uint8_t {
  Model,
  Cuda,  // NVIDIA: PTX instructions and the cuda_fp*.h headers
  X86,   // Intel/AMD: SSE/AVX, F16C, AVX512-BF16/FP16
};

struct Policy {
  Rounding rounding = Rounding::NearestEven;
  Overflow overflow = Overflow::None;
  Tininess tininess = Tininess::AfterRounding;
  bool flush_inputs = false;   // daz: subnormal inputs read as zero of the same sign
  bool flush_outputs = false;  // ftz: tiny results become zero of the same sign
  NanToNanless nan_to_nanless = NanToNanless::Zero;
  OverflowRule overflow_rule = OverflowRule::Ieee754;
  int random_bits = 0;  // N, the width of the random value R for stochastic rounding (0..32)
  Profile profile = Profile::Model;

  friend constexpr bool operator==(const Policy&, const Policy&) = default;
};

NUMCONF_HD constexpr bool is_stochastic(Rounding r) {
  return r == Rounding::StochasticA || r == Rounding::StochasticB || r == Rounding::StochasticC;
}

// Exception flags, Berkeley TestFloat bit layout.
namespace flags {
inline constexpr std::uint8_t kInexact = 0x01;
inline constexpr std::uint8_t kUnderflow = 0x02;
inline constexpr std::uint8_t kOverflow = 0x04;
inline constexpr std::uint8_t kInfinite = 0x08;  // division by zero
inline constexpr std::uint8_t kInvalid = 0x10;
}  // namespace flags

// A code (without container padding shifted out: the container value) and the flags raised.
struct Rounded {
  std::uint64_t bits = 0;
  std::uint8_t flags = 0;

  friend constexpr bool operator==(const Rounded&, const Rounded&) = default;
};

}  // namespace numconf
