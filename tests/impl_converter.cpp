// A stand-alone f32 -> e4m3fn converter (OCP OFP8 v1.0, saturating: --sat finite), written
// without the model so that numconf test-impl has something independent to check.  It reads
// one f32 code per stdin line and writes one e4m3fn code per line.
//   impl_converter correct    nearest, ties to even
//   impl_converter ties-away  nearest, ties away from zero (wrong)
//   impl_converter via-f16    rounds to f16 first, then to e4m3fn (double rounding: wrong)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

// The value of an e4m3fn magnitude code 0x00..0x7e: subnormals m/8 * 2^-6, normals
// (1 + m/8) * 2^(e - 7).
double e4m3fn_value(int code) {
  const int e = code >> 3, m = code & 7;
  return e == 0 ? std::ldexp(m / 8.0, -6) : std::ldexp(1 + m / 8.0, e - 7);
}

// Nearest f16 value of x (ties to even), by the same search over its codes.
double f16_round(double x) {
  const double a = std::fabs(x);
  if (a >= 65520) return std::copysign(INFINITY, x);  // 65504 + half an ulp and above
  int e = a < std::ldexp(1, -14) ? -14 : std::ilogb(a);
  const double ulp = std::ldexp(1, e - 10);
  const double low = std::floor(a / ulp) * ulp, rest = a - low;
  double r = low;
  if (rest > ulp / 2 || (rest == ulp / 2 && std::fmod(low / ulp, 2) == 1)) r = low + ulp;
  return std::copysign(r, x);
}

int to_e4m3fn(double x, bool ties_away) {
  const int sign = std::signbit(x) ? 0x80 : 0;
  if (std::isnan(x)) return sign | 0x7f;
  const double a = std::fabs(x);
  if (a >= 448) return sign | 0x7e;  // saturating; Inf too
  int best = 0;
  for (int code = 1; code <= 0x7e; ++code)
    if (e4m3fn_value(code) <= a) best = code;
  const double low = e4m3fn_value(best), high = e4m3fn_value(best + 1);
  const double mid = (low + high) / 2;
  if (a > mid || (a == mid && (ties_away || (best & 1)))) ++best;
  return sign | best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "correct";
  if (mode != "correct" && mode != "ties-away" && mode != "via-f16") {
    std::fprintf(stderr, "usage: impl_converter correct|ties-away|via-f16\n");
    return 2;
  }
  char line[64];
  while (std::fgets(line, sizeof line, stdin)) {
    const std::uint32_t bits = std::uint32_t(std::strtoul(line, nullptr, 16));
    float f;
    std::memcpy(&f, &bits, 4);
    double x = f;
    if (mode == "via-f16" && !std::isnan(x)) x = f16_round(x);
    std::printf("%02x\n", to_e4m3fn(x, mode == "ties-away"));
  }
  return 0;
}
