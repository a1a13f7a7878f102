#include "hw/cpu/x86_kernels.hpp"

#include <immintrin.h>

#include <bit>

namespace numconf::hw::x86 {

std::uint8_t testfloat_flags(std::uint32_t csr) {
  std::uint8_t f = 0;
  if (csr & 0x01) f |= flags::kInvalid;
  if (csr & 0x04) f |= flags::kInfinite;
  if (csr & 0x08) f |= flags::kOverflow;
  if (csr & 0x10) f |= flags::kUnderflow;
  if (csr & 0x20) f |= flags::kInexact;
  return f;
}

namespace {

// One instruction between loading MXCSR and storing it back, in one asm statement so that
// nothing the compiler schedules can run under the test's MXCSR or change its flags.  The
// operand order is fixed here (AT&T: source first) because it decides which NaN propagates.
#define NUMCONF_X86_BINARY(insn, x, y)                                  \
  asm volatile("ldmxcsr %[in]\n\t" insn " %[b], %[a]\n\tstmxcsr %[out]" \
               : [a] "+x"(x), [out] "=m"(out_csr)                       \
               : [b] "x"(y), [in] "m"(csr))
// Intel order vfmadd231 c, a, b: c = a * b + c.  The form decides which NaN wins: the first
// of the formula's operands in order, so 231 (and 132) give a, b, c, as fma(a, b, c) in the
// model, while 213 (a = b * a + c) gives b first (docs/profiles.md).
#define NUMCONF_X86_FMA(insn, x, y, z)                                        \
  asm volatile("ldmxcsr %[in]\n\t" insn " %[b], %[a], %[c]\n\tstmxcsr %[out]" \
               : [c] "+x"(z), [out] "=m"(out_csr)                             \
               : [a] "x"(x), [b] "x"(y), [in] "m"(csr))
#define NUMCONF_X86_TO_INT(insn, r, x)                                  \
  asm volatile("ldmxcsr %[in]\n\t" insn " %[a], %[r]\n\tstmxcsr %[out]" \
               : [r] "=r"(r), [out] "=m"(out_csr)                       \
               : [a] "x"(x), [in] "m"(csr))

template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
std::uint64_t sse_one(SseOp op, int int_width, std::uint32_t csr, std::uint64_t ca,
                      std::uint64_t cb, std::uint64_t cc, std::uint32_t& out_csr) {
  constexpr bool f32 = sizeof(T) == 4;
  T a = std::bit_cast<T>(Bits<T>(ca));
  const T b = std::bit_cast<T>(Bits<T>(cb));
  T c = std::bit_cast<T>(Bits<T>(cc));
  switch (op) {
    case SseOp::Add:
      if (f32)
        NUMCONF_X86_BINARY("addss", a, b);
      else
        NUMCONF_X86_BINARY("addsd", a, b);
      break;
    case SseOp::Sub:
      if (f32)
        NUMCONF_X86_BINARY("subss", a, b);
      else
        NUMCONF_X86_BINARY("subsd", a, b);
      break;
    case SseOp::Mul:
      if (f32)
        NUMCONF_X86_BINARY("mulss", a, b);
      else
        NUMCONF_X86_BINARY("mulsd", a, b);
      break;
    case SseOp::Div:
      if (f32)
        NUMCONF_X86_BINARY("divss", a, b);
      else
        NUMCONF_X86_BINARY("divsd", a, b);
      break;
    case SseOp::Sqrt: {
      T r = a;
      if (f32)
        NUMCONF_X86_BINARY("sqrtss", r, a);
      else
        NUMCONF_X86_BINARY("sqrtsd", r, a);
      a = r;
      break;
    }
    case SseOp::Fma:
      if (f32)
        NUMCONF_X86_FMA("vfmadd231ss", a, b, c);
      else
        NUMCONF_X86_FMA("vfmadd231sd", a, b, c);
      a = c;
      break;
    case SseOp::ToInt:
    case SseOp::ToIntTruncate: {
      const bool t = op == SseOp::ToIntTruncate;
      if (int_width == 32) {
        std::uint32_t r;
        if (f32) {
          if (t)
            NUMCONF_X86_TO_INT("cvttss2si", r, a);
          else
            NUMCONF_X86_TO_INT("cvtss2si", r, a);
        } else {
          if (t)
            NUMCONF_X86_TO_INT("cvttsd2si", r, a);
          else
            NUMCONF_X86_TO_INT("cvtsd2si", r, a);
        }
        return r;
      }
      std::uint64_t r;
      if (f32) {
        if (t)
          NUMCONF_X86_TO_INT("cvttss2si", r, a);
        else
          NUMCONF_X86_TO_INT("cvtss2si", r, a);
      } else {
        if (t)
          NUMCONF_X86_TO_INT("cvttsd2si", r, a);
        else
          NUMCONF_X86_TO_INT("cvtsd2si", r, a);
      }
      return r;
    }
  }
  return std::bit_cast<Bits<T>>(a);
}

}  // namespace

void sse(SseOp op, int width, int int_width, std::uint32_t csr, const Batch& b) {
  const std::uint32_t saved = _mm_getcsr();
  for (std::size_t i = 0; i < b.result.size(); ++i) {
    const std::uint64_t y = b.b.empty() ? 0 : b.b[i];
    const std::uint64_t z = b.c.empty() ? 0 : b.c[i];
    std::uint32_t out_csr = 0;
    b.result[i] = width == 32 ? sse_one<float>(op, int_width, csr, b.a[i], y, z, out_csr)
                              : sse_one<double>(op, int_width, csr, b.a[i], y, z, out_csr);
    if (!b.flags.empty()) b.flags[i] = testfloat_flags(out_csr);
  }
  _mm_setcsr(saved);
}

namespace {

template <int Imm>
__attribute__((target("f16c"))) void f16c_narrow(const Batch& b) {
  const std::size_t n = b.result.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128i x =
        _mm_setr_epi32(int(b.a[i]), int(b.a[i + 1]), int(b.a[i + 2]), int(b.a[i + 3]));
    alignas(16) std::uint16_t h[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(h), _mm_cvtps_ph(_mm_castsi128_ps(x), Imm));
    for (std::size_t k = 0; k < 4; ++k) b.result[i + k] = h[k];
  }
  for (; i < n; ++i) {
    const __m128i h = _mm_cvtps_ph(_mm_castsi128_ps(_mm_cvtsi32_si128(int(b.a[i]))), Imm);
    b.result[i] = std::uint16_t(_mm_cvtsi128_si32(h));
  }
}

}  // namespace

void f16c_from_f32(int imm, const Batch& b) {
  switch (imm) {
    case 0:
      f16c_narrow<0>(b);
      break;
    case 1:
      f16c_narrow<1>(b);
      break;
    case 2:
      f16c_narrow<2>(b);
      break;
    default:
      f16c_narrow<3>(b);
      break;
  }
}

__attribute__((target("f16c"))) void f16c_to_f32(const Batch& b) {
  for (std::size_t i = 0; i < b.result.size(); ++i) {
    const __m128 f = _mm_cvtph_ps(_mm_cvtsi32_si128(int(b.a[i])));
    b.result[i] = std::uint32_t(_mm_cvtsi128_si32(_mm_castps_si128(f)));
  }
}

__attribute__((target("avx512bf16,avx512vl"))) void avx512bf16_from_f32(const Batch& b) {
  for (std::size_t i = 0; i < b.result.size(); ++i) {
    const __m128 x = _mm_castsi128_ps(_mm_cvtsi32_si128(int(b.a[i])));
    const __m128bh h = _mm_cvtneps_pbh(x);
    b.result[i] = std::uint16_t(_mm_cvtsi128_si32(reinterpret_cast<const __m128i&>(h)));
  }
}

namespace {

__attribute__((target("avx512fp16,avx512vl"))) __m128h load_half(std::uint64_t bits) {
  return _mm_castsi128_ph(_mm_cvtsi32_si128(int(bits & 0xffff)));
}

}  // namespace

__attribute__((target("avx512fp16,avx512vl"))) void avx512fp16(SseOp op, const Batch& b) {
  for (std::size_t i = 0; i < b.result.size(); ++i) {
    const __m128h x = load_half(b.a[i]);
    const __m128h y = load_half(b.b.empty() ? 0 : b.b[i]);
    const __m128h z = load_half(b.c.empty() ? 0 : b.c[i]);
    __m128h r = x;
    switch (op) {
      case SseOp::Add:
        r = _mm_add_sh(x, y);
        break;
      case SseOp::Sub:
        r = _mm_sub_sh(x, y);
        break;
      case SseOp::Mul:
        r = _mm_mul_sh(x, y);
        break;
      case SseOp::Div:
        r = _mm_div_sh(x, y);
        break;
      case SseOp::Sqrt:
        r = _mm_sqrt_sh(x, x);
        break;
      case SseOp::Fma:
        r = _mm_fmadd_sh(x, y, z);
        break;
      default:
        break;
    }
    b.result[i] = std::uint16_t(_mm_cvtsi128_si32(_mm_castph_si128(r)));
  }
}

}  // namespace numconf::hw::x86
