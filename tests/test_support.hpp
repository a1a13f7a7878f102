// Shared pieces of the model-vs-oracle test binaries: how a policy, flags and codes are printed
// in a failure message, and the deterministic pseudo-random choices (NUMCONF_SEED) and worker
// count (NUMCONF_THREADS) of the sweeps.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <iomanip>
#include <sstream>
#include <string>
#include <thread>

#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "formats/registry.hpp"

namespace numconf::test_support {

// ---- Printing -------------------------------------------------------------------------------

inline std::string rounding_name(Rounding r) {
  switch (r) {
    case Rounding::NearestEven:
      return "rn";
    case Rounding::NearestAway:
      return "rna";
    case Rounding::TowardZero:
      return "rz";
    case Rounding::TowardPositive:
      return "rp";
    case Rounding::TowardNegative:
      return "rm";
    case Rounding::ToOdd:
      return "ro";
    case Rounding::StochasticA:
      return "sra";
    case Rounding::StochasticB:
      return "srb";
    case Rounding::StochasticC:
      return "src";
  }
  return "?";
}

inline std::string policy_string(const Policy& p, std::uint64_t random) {
  std::ostringstream s;
  s << rounding_name(p.rounding) << " overflow="
    << (p.overflow == Overflow::None     ? "none"
        : p.overflow == Overflow::Finite ? "finite"
                                         : "propagate")
    << " rule="
    << (p.overflow_rule == OverflowRule::Ieee754 ? "ieee"
        : p.overflow_rule == OverflowRule::P3109 ? "p3109"
                                                 : "p3109-v3")
    << " tininess=" << (p.tininess == Tininess::AfterRounding ? "after" : "before")
    << " daz=" << p.flush_inputs << " ftz=" << p.flush_outputs
    << " nan2nanless=" << (p.nan_to_nanless == NanToNanless::Zero ? "zero" : "max");
  if (is_stochastic(p.rounding)) s << " N=" << p.random_bits << " R=0x" << std::hex << random;
  return s.str();
}

inline std::string flags_string(std::uint8_t f) {
  std::ostringstream s;
  s << "0x" << std::hex << std::setw(2) << std::setfill('0') << int(f) << " [";
  const char* names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
  bool first = true;
  for (int i = 0; i < 5; ++i)
    if ((f >> i) & 1) s << (first ? "" : " ") << names[i], first = false;
  s << "]";
  return s.str();
}

inline std::string hex(std::uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// ---- Deterministic pseudo-random choices ----------------------------------------------------

inline std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_of(std::initializer_list<std::uint64_t> parts) {
  std::uint64_t h = 0x6e756d636f6e66ULL;
  for (const std::uint64_t part : parts) h = splitmix(h ^ part);
  return h;
}

struct Rng {
  std::uint64_t state;
  std::uint64_t next() { return state = splitmix(state); }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool coin() { return (next() >> 17) & 1; }
  int between(int lo, int hi) {
    return hi <= lo ? lo : lo + int(below(std::uint64_t(hi - lo + 1)));
  }
};

inline std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("NUMCONF_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 0) : std::uint64_t{20240601};
  }();
  return seed;
}

inline int worker_count() {
  if (const char* env = std::getenv("NUMCONF_THREADS")) return std::max(1, std::atoi(env));
  return std::clamp(int(std::thread::hardware_concurrency()), 1, 8);
}

// A format under test with the name failures print.
struct NamedFmt {
  std::string name;
  Format format;
};

inline std::string p3109_name(int k, int p, bool is_signed, bool extended) {
  return "binary" + std::to_string(k) + "p" + std::to_string(p) + (is_signed ? "s" : "u") +
         (extended ? "e" : "f");
}

inline NamedFmt p3109(int k, int p, bool is_signed, bool extended) {
  return {p3109_name(k, p, is_signed, extended), p3109_format(k, p, is_signed, extended)};
}

// NUMCONF_SHOW_FAILURES=<n>: how many mismatches each worker prints (default 25).
inline std::size_t failures_shown() {
  static const std::size_t n = [] {
    const char* env = std::getenv("NUMCONF_SHOW_FAILURES");
    return env != nullptr ? std::size_t(std::strtoull(env, nullptr, 0)) : std::size_t{25};
  }();
  return n;
}

class Timer {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace numconf::test_support
