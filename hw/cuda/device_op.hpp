// What a kernel is told about one operation: which device routine runs it (the hardware side)
// and the model's operation under the claimed policy (the reference side).  Plain data shared
// by host code (claims.cpp) and device code (kernels.cu), passed to kernels by value.
#pragma once

#include <cstdint>

#include "formats/config.hpp"
#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "hw/backend.hpp"

namespace numconf::hw::cuda {

// The device routines.  Ptx runs one instruction of the PtxCvt list; the others call an NVIDIA
// intrinsic with the run-time arguments of DeviceOp.
enum class Routine : std::uint8_t {
  Ptx,         // inline PTX, DeviceOp::ptx names the instruction
  FloatToInt,  // __float2int_rn ... __double2ull_rd
  Fp8From,     // __nv_cvt_{float,double,halfraw,bfloat16raw}[2]_to_fp8[x2]
  Fp8ToHalf,   // __nv_cvt_fp8[x2]_to_halfraw[2]
  E8m0From,    // __nv_cvt_{float,double,bfloat16raw}[2]_to_e8m0[x2]
  E8m0ToBf16,  // __nv_cvt_e8m0[x2]_to_bf16raw[2]
  Fp6From,     // __nv_cvt_{float,double,halfraw,bfloat16raw}[2]_to_fp6[x2]
  Fp6ToHalf,   // __nv_cvt_fp6[x2]_to_halfraw[2]
  Fp4From,     // __nv_cvt_{float,double,halfraw,bfloat16raw}[2]_to_fp4[x2]
  Fp4ToHalf,   // __nv_cvt_fp4[x2]_to_halfraw[2]
  ArithF32,    // __fadd_rn ... (and the .ftz PTX forms)
  ArithF64,    // __dadd_rn ...
  ArithF16,    // __hadd, __hsub, __hmul, __hfma (and the .ftz PTX forms)
  ArithBf16,   // __hadd, __hsub, __hmul, __hfma on __nv_bfloat16
};

// Every inline-PTX conversion, spelled as in the PTX ISA ("cvt" in "Data Movement and
// Conversion Instructions").  Which of them sm_90 accepts was checked with ptxas of CUDA 13.0.
enum class PtxCvt : std::uint8_t {
  F16F32Rn,
  F16F32Rz,
  F16F32Rm,
  F16F32Rp,
  F16F32RnFtz,
  F16F32RzFtz,
  F16F32RmFtz,
  F16F32RpFtz,
  Bf16F32Rn,
  Bf16F32Rz,
  Bf16F32Rm,
  Bf16F32Rp,
  Bf16F32RnFtz,
  Bf16F32RzFtz,
  Bf16F32RmFtz,
  Bf16F32RpFtz,
  F16F64Rn,
  F16F64Rz,
  F16F64Rm,
  F16F64Rp,
  Bf16F64Rn,
  Bf16F64Rz,
  Bf16F64Rm,
  Bf16F64Rp,
  Tf32F32Rna,
  Tf32F32RnaSatfinite,
  Tf32F32Rn,
  Tf32F32Rz,
  F32F16,
  F32Bf16,
  E4m3x2F32,
  E5m2x2F32,
  E4m3x2F16x2,
  E5m2x2F16x2,
  F16x2E4m3x2,
  F16x2E5m2x2,
  S8F32Rni,
  S8F32Rzi,
  S8F32Rmi,
  S8F32Rpi,
  U8F32Rni,
  U8F32Rzi,
  U8F32Rmi,
  U8F32Rpi,
  S32F32RniFtz,
  S32F32RziFtz,
  S32F32RmiFtz,
  S32F32RpiFtz,
  S8S32Sat,
  U8S32Sat,
  S16S32Sat,
  U16S32Sat,
};

// Source or destination of an intrinsic: which C type the bits are reinterpreted as.
enum class Scalar : std::uint8_t { F32, F64, F16, Bf16, S32, U32, S64, U64 };

// Rounding of an intrinsic or PTX arithmetic instruction (_rn _rz _rd _ru; .rn .rz .rm .rp).
enum class Round : std::uint8_t { Rn, Rz, Rm, Rp };

// What the _sat and _relu forms of the f16/bf16 intrinsics do to the rounded result, in the words
// of cuda_fp16.h and cuda_bf16.h.  No Policy expresses it: it is applied to the model's result.
enum class Clamp : std::uint8_t {
  None,
  ZeroToOne,  // _sat: "clamps the result to range [0.0, 1.0]. NaN results are flushed to +0.0"
  Relu,       // _relu: "negative result is clamped to 0. NaN result is converted to canonical NaN"
};

// The clamp on a code of the IEEE format f.  -0 is not below 0 and stays (not documented: the
// GPU run decides); the canonical NaN is the positive all-ones code (0x7fff for f16 and bf16).
NUMCONF_HD constexpr Rounded apply_clamp(const Format& f, Clamp clamp, Rounded r) {
  const std::uint64_t magnitude = r.bits & magnitude_mask(f);
  const bool nan = magnitude > inf_magnitude(f);
  const bool below_zero = (r.bits & sign_bit(f)) != 0 && magnitude != 0 && !nan;
  const std::uint64_t one = std::uint64_t(f.bias) << f.mantissa_bits;
  switch (clamp) {
    case Clamp::None:
      break;
    case Clamp::ZeroToOne:
      if (nan || below_zero)
        r.bits = 0;
      else if ((r.bits & sign_bit(f)) == 0 && magnitude > one)
        r.bits = one;
      break;
    case Clamp::Relu:
      if (nan)
        r.bits = magnitude_mask(f);
      else if (below_zero)
        r.bits = 0;
      break;
  }
  return r;
}

struct DeviceOp {
  Routine routine = Routine::Ptx;
  PtxCvt ptx = PtxCvt::F16F32Rn;
  Scalar source = Scalar::F32;  // the intrinsic's argument type
  Scalar target = Scalar::F32;  // FloatToInt only
  Round round = Round::Rn;
  std::uint8_t nv_kind = 0;   // __nv_fp8/fp6_interpretation_t value (__NV_E4M3, __NV_E2M3, ...)
  bool saturate = false;      // __NV_SATFINITE rather than __NV_NOSAT
  bool pair = false;          // the x2 form: both lanes get the operand, both are compared
  bool ftz = false;           // the .ftz PTX form of an arithmetic instruction
  int lane_bits = 0;          // pair only: width of one lane of the packed result
  Clamp clamp = Clamp::None;  // ArithF16/ArithBf16: the _sat or _relu form
  // The model's side.
  OpKind kind = OpKind::Convert;
  Format operand{}, result{};
  Policy policy{};
};

}  // namespace numconf::hw::cuda
