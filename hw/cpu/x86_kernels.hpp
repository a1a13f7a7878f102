// The x86-64 instructions the cpu backend runs, one batch at a time.  Each kernel is compiled
// for its instruction set with a target attribute, so the binary builds for baseline x86-64
// and the backend calls a kernel only after CPUID says the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hw/backend.hpp"

namespace numconf::hw::x86 {

// SSE/FMA scalar arithmetic and float-to-integer conversions, run under an explicit MXCSR.
enum class SseOp : std::uint8_t { Add, Sub, Mul, Div, Sqrt, Fma, ToInt, ToIntTruncate };

// MXCSR bits: rounding control (rc: 0 rn, 1 rd, 2 ru, 3 rz), flush to zero, denormals are zero.
constexpr std::uint32_t kMaskAll = 0x1f80;  // every exception masked
constexpr std::uint32_t kFtz = 0x8000, kDaz = 0x0040;
constexpr std::uint32_t mxcsr(int rc, bool ftz, bool daz) {
  return kMaskAll | std::uint32_t(rc) << 13 | (ftz ? kFtz : 0) | (daz ? kDaz : 0);
}

// The MXCSR exception flags as TestFloat flags (the denormal-operand flag has no counterpart).
std::uint8_t testfloat_flags(std::uint32_t mxcsr);

// `width` 32 (ss) or 64 (sd); for ToInt* `int_width` 32 or 64 is the integer register.
void sse(SseOp op, int width, int int_width, std::uint32_t mxcsr, const Batch& b);

// F16C: vcvtps2ph with the rounding in its immediate (0 rn, 1 rd, 2 ru, 3 rz), vcvtph2ps.
void f16c_from_f32(int imm, const Batch& b);
void f16c_to_f32(const Batch& b);

// AVX512-BF16 vcvtneps2bf16; AVX512-FP16 scalar arithmetic under the default MXCSR.
void avx512bf16_from_f32(const Batch& b);
void avx512fp16(SseOp op, const Batch& b);

}  // namespace numconf::hw::x86
