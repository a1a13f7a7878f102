// The device side of the cuda backend: one routine per family of instructions (inline PTX lives
// only in this directory), the model compiled into device code, and the kernels that run an
// operation or compare it with the model on the GPU, copying back only the differences.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "formats/arith.hpp"
#include "formats/convert.hpp"
#include "hw/cuda/kernels.hpp"

namespace numconf::hw::cuda {

// claims.cpp names the interpretations by these values without including the CUDA headers.
static_assert(__NV_E4M3 == 0 && __NV_E5M2 == 1);
static_assert(__NV_E2M3 == 0 && __NV_E3M2 == 1);
static_assert(__NV_E2M1 == 0);

namespace {

void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error: ") + call + " failed at " + file + ":" +
                             std::to_string(line) + ": " + cudaGetErrorName(status) + " (" +
                             cudaGetErrorString(status) + ")");
}

#define NUMCONF_CUDA_CHECK(call) check((call), #call, __FILE__, __LINE__)
// A launch reports a bad configuration at once and a fault in the kernel at the next sync.
#define NUMCONF_CUDA_CHECK_LAUNCH(what)                       \
  do {                                                        \
    NUMCONF_CUDA_CHECK(cudaGetLastError());                   \
    check(cudaDeviceSynchronize(), what, __FILE__, __LINE__); \
  } while (0)

// ---- Reinterpreting codes ------------------------------------------------------------------

__device__ float as_f32(std::uint64_t a) { return __uint_as_float(std::uint32_t(a)); }
__device__ double as_f64(std::uint64_t a) { return __longlong_as_double((long long)(a)); }
__device__ std::uint64_t bits(float x) { return __float_as_uint(x); }
__device__ std::uint64_t bits(double x) { return std::uint64_t(__double_as_longlong(x)); }

__device__ __half_raw half_raw(std::uint64_t a) {
  __half_raw r;
  r.x = static_cast<unsigned short>(a);
  return r;
}
__device__ __half2_raw half2_raw(std::uint64_t a) {
  __half2_raw r;
  r.x = r.y = static_cast<unsigned short>(a);
  return r;
}
__device__ __nv_bfloat16_raw bf16_raw(std::uint64_t a) {
  __nv_bfloat16_raw r;
  r.x = static_cast<unsigned short>(a);
  return r;
}
__device__ __nv_bfloat162_raw bf162_raw(std::uint64_t a) {
  __nv_bfloat162_raw r;
  r.x = r.y = static_cast<unsigned short>(a);
  return r;
}
__device__ std::uint64_t bits(__half_raw r) { return r.x; }
__device__ std::uint64_t bits(__half2_raw r) { return r.x | std::uint64_t{r.y} << 16; }
__device__ std::uint64_t bits(__nv_bfloat16_raw r) { return r.x; }
__device__ std::uint64_t bits(__nv_bfloat162_raw r) { return r.x | std::uint64_t{r.y} << 16; }
__device__ std::uint64_t bits(__half h) { return __half_as_ushort(h); }
__device__ std::uint64_t bits(__nv_bfloat16 h) { return __bfloat16_as_ushort(h); }
__device__ __half as_half(std::uint64_t a) {
  return __ushort_as_half(static_cast<unsigned short>(a));
}
__device__ __nv_bfloat16 as_bf16(std::uint64_t a) {
  return __ushort_as_bfloat16(static_cast<unsigned short>(a));
}

// A pair instruction gets the operand in both lanes.
__device__ std::uint64_t both_lanes(std::uint64_t a, int lane_bits) { return a << lane_bits | a; }

// ---- Inline PTX conversions ----------------------------------------------------------------

#define NUMCONF_CVT(instruction, out_type, out_c, in_c, in) \
  {                                                         \
    out_type d;                                             \
    asm(instruction " %0, %1;" : out_c(d) : in_c(in));      \
    return std::uint64_t(d);                                \
  }

__device__ std::uint64_t ptx_convert(PtxCvt id, std::uint64_t a) {
  using u16 = unsigned short;
  using u32 = unsigned;
  const float x = as_f32(a);
  const double y = as_f64(a);
  const u32 i = std::uint32_t(a);
  switch (id) {
    case PtxCvt::F16F32Rn:
      NUMCONF_CVT("cvt.rn.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32Rz:
      NUMCONF_CVT("cvt.rz.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32Rm:
      NUMCONF_CVT("cvt.rm.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32Rp:
      NUMCONF_CVT("cvt.rp.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32RnFtz:
      NUMCONF_CVT("cvt.rn.ftz.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32RzFtz:
      NUMCONF_CVT("cvt.rz.ftz.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32RmFtz:
      NUMCONF_CVT("cvt.rm.ftz.f16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F32RpFtz:
      NUMCONF_CVT("cvt.rp.ftz.f16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32Rn:
      NUMCONF_CVT("cvt.rn.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32Rz:
      NUMCONF_CVT("cvt.rz.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32Rm:
      NUMCONF_CVT("cvt.rm.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32Rp:
      NUMCONF_CVT("cvt.rp.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32RnFtz:
      NUMCONF_CVT("cvt.rn.ftz.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32RzFtz:
      NUMCONF_CVT("cvt.rz.ftz.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32RmFtz:
      NUMCONF_CVT("cvt.rm.ftz.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::Bf16F32RpFtz:
      NUMCONF_CVT("cvt.rp.ftz.bf16.f32", u16, "=h", "f", x)
    case PtxCvt::F16F64Rn:
      NUMCONF_CVT("cvt.rn.f16.f64", u16, "=h", "d", y)
    case PtxCvt::F16F64Rz:
      NUMCONF_CVT("cvt.rz.f16.f64", u16, "=h", "d", y)
    case PtxCvt::F16F64Rm:
      NUMCONF_CVT("cvt.rm.f16.f64", u16, "=h", "d", y)
    case PtxCvt::F16F64Rp:
      NUMCONF_CVT("cvt.rp.f16.f64", u16, "=h", "d", y)
    case PtxCvt::Bf16F64Rn:
      NUMCONF_CVT("cvt.rn.bf16.f64", u16, "=h", "d", y)
    case PtxCvt::Bf16F64Rz:
      NUMCONF_CVT("cvt.rz.bf16.f64", u16, "=h", "d", y)
    case PtxCvt::Bf16F64Rm:
      NUMCONF_CVT("cvt.rm.bf16.f64", u16, "=h", "d", y)
    case PtxCvt::Bf16F64Rp:
      NUMCONF_CVT("cvt.rp.bf16.f64", u16, "=h", "d", y)
    case PtxCvt::Tf32F32Rna:
      NUMCONF_CVT("cvt.rna.tf32.f32", u32, "=r", "f", x)
    case PtxCvt::Tf32F32RnaSatfinite:
      NUMCONF_CVT("cvt.rna.satfinite.tf32.f32", u32, "=r", "f", x)
    case PtxCvt::Tf32F32Rn:
      NUMCONF_CVT("cvt.rn.tf32.f32", u32, "=r", "f", x)
    case PtxCvt::Tf32F32Rz:
      NUMCONF_CVT("cvt.rz.tf32.f32", u32, "=r", "f", x)
    case PtxCvt::F32F16: {
      float d;
      asm("cvt.f32.f16 %0, %1;" : "=f"(d) : "h"(u16(a)));
      return bits(d);
    }
    case PtxCvt::F32Bf16: {
      float d;
      asm("cvt.f32.bf16 %0, %1;" : "=f"(d) : "h"(u16(a)));
      return bits(d);
    }
    case PtxCvt::E4m3x2F32: {
      u16 d;
      asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(d) : "f"(x), "f"(x));
      return d;
    }
    case PtxCvt::E5m2x2F32: {
      u16 d;
      asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(d) : "f"(x), "f"(x));
      return d;
    }
    case PtxCvt::E4m3x2F16x2:
      NUMCONF_CVT("cvt.rn.satfinite.e4m3x2.f16x2", u16, "=h", "r", u32(both_lanes(a, 16)))
    case PtxCvt::E5m2x2F16x2:
      NUMCONF_CVT("cvt.rn.satfinite.e5m2x2.f16x2", u16, "=h", "r", u32(both_lanes(a, 16)))
    case PtxCvt::F16x2E4m3x2:
      NUMCONF_CVT("cvt.rn.f16x2.e4m3x2", u32, "=r", "h", u16(both_lanes(a, 8)))
    case PtxCvt::F16x2E5m2x2:
      NUMCONF_CVT("cvt.rn.f16x2.e5m2x2", u32, "=r", "h", u16(both_lanes(a, 8)))
    // Sub-word integer results sit in the low bits of a 32-bit register.
    case PtxCvt::S8F32Rni:
      NUMCONF_CVT("cvt.rni.s8.f32", u32, "=r", "f", x)
    case PtxCvt::S8F32Rzi:
      NUMCONF_CVT("cvt.rzi.s8.f32", u32, "=r", "f", x)
    case PtxCvt::S8F32Rmi:
      NUMCONF_CVT("cvt.rmi.s8.f32", u32, "=r", "f", x)
    case PtxCvt::S8F32Rpi:
      NUMCONF_CVT("cvt.rpi.s8.f32", u32, "=r", "f", x)
    case PtxCvt::U8F32Rni:
      NUMCONF_CVT("cvt.rni.u8.f32", u32, "=r", "f", x)
    case PtxCvt::U8F32Rzi:
      NUMCONF_CVT("cvt.rzi.u8.f32", u32, "=r", "f", x)
    case PtxCvt::U8F32Rmi:
      NUMCONF_CVT("cvt.rmi.u8.f32", u32, "=r", "f", x)
    case PtxCvt::U8F32Rpi:
      NUMCONF_CVT("cvt.rpi.u8.f32", u32, "=r", "f", x)
    case PtxCvt::S32F32RniFtz:
      NUMCONF_CVT("cvt.rni.ftz.s32.f32", u32, "=r", "f", x)
    case PtxCvt::S32F32RziFtz:
      NUMCONF_CVT("cvt.rzi.ftz.s32.f32", u32, "=r", "f", x)
    case PtxCvt::S32F32RmiFtz:
      NUMCONF_CVT("cvt.rmi.ftz.s32.f32", u32, "=r", "f", x)
    case PtxCvt::S32F32RpiFtz:
      NUMCONF_CVT("cvt.rpi.ftz.s32.f32", u32, "=r", "f", x)
    case PtxCvt::S8S32Sat:
      NUMCONF_CVT("cvt.sat.s8.s32", u32, "=r", "r", i)
    case PtxCvt::U8S32Sat:
      NUMCONF_CVT("cvt.sat.u8.s32", u32, "=r", "r", i)
    case PtxCvt::S16S32Sat:
      NUMCONF_CVT("cvt.sat.s16.s32", u32, "=r", "r", i)
    case PtxCvt::U16S32Sat:
      NUMCONF_CVT("cvt.sat.u16.s32", u32, "=r", "r", i)
  }
  return 0;
}

// ---- Intrinsics ----------------------------------------------------------------------------

#define NUMCONF_ROUNDED(stem, cast, x) \
  switch (r) {                         \
    case Round::Rn:                    \
      return cast(stem##_rn(x));       \
    case Round::Rz:                    \
      return cast(stem##_rz(x));       \
    case Round::Rm:                    \
      return cast(stem##_rd(x));       \
    case Round::Rp:                    \
      return cast(stem##_ru(x));       \
  }                                    \
  break

__device__ std::uint64_t float_to_int(Scalar source, Scalar target, Round r, std::uint64_t a) {
  const float x = as_f32(a);
  const double y = as_f64(a);
  const auto u32 = [](auto v) { return std::uint64_t(std::uint32_t(v)); };
  const auto u64 = [](auto v) { return std::uint64_t(v); };
  if (source == Scalar::F32) {
    switch (target) {
      case Scalar::S32:
        NUMCONF_ROUNDED(__float2int, u32, x);
      case Scalar::U32:
        NUMCONF_ROUNDED(__float2uint, u32, x);
      case Scalar::S64:
        NUMCONF_ROUNDED(__float2ll, u64, x);
      case Scalar::U64:
        NUMCONF_ROUNDED(__float2ull, u64, x);
      default:
        break;
    }
  } else {
    switch (target) {
      case Scalar::S32:
        NUMCONF_ROUNDED(__double2int, u32, y);
      case Scalar::U32:
        NUMCONF_ROUNDED(__double2uint, u32, y);
      case Scalar::S64:
        NUMCONF_ROUNDED(__double2ll, u64, y);
      case Scalar::U64:
        NUMCONF_ROUNDED(__double2ull, u64, y);
      default:
        break;
    }
  }
  return 0;
}

__device__ __nv_saturation_t saturation(const DeviceOp& op) {
  return op.saturate ? __NV_SATFINITE : __NV_NOSAT;
}

__device__ cudaRoundMode round_mode(Round r) {
  switch (r) {
    case Round::Rn:
      return cudaRoundNearest;
    case Round::Rz:
      return cudaRoundZero;
    case Round::Rm:
      return cudaRoundMinInf;
    case Round::Rp:
      return cudaRoundPosInf;
  }
  return cudaRoundNearest;
}

// __nv_cvt_<source>[2]_to_<type>[x2](value, args...) for the operand in one or both lanes.
#define NUMCONF_FROM_ANY(type, ...)                                                                \
  switch (op.source) {                                                                             \
    case Scalar::F32:                                                                              \
      return op.pair                                                                               \
                 ? __nv_cvt_float2_to_##type##x2(make_float2(as_f32(a), as_f32(a)), __VA_ARGS__)   \
                 : __nv_cvt_float_to_##type(as_f32(a), __VA_ARGS__);                               \
    case Scalar::F64:                                                                              \
      return op.pair                                                                               \
                 ? __nv_cvt_double2_to_##type##x2(make_double2(as_f64(a), as_f64(a)), __VA_ARGS__) \
                 : __nv_cvt_double_to_##type(as_f64(a), __VA_ARGS__);                              \
    case Scalar::F16:                                                                              \
      return op.pair ? __nv_cvt_halfraw2_to_##type##x2(half2_raw(a), __VA_ARGS__)                  \
                     : __nv_cvt_halfraw_to_##type(half_raw(a), __VA_ARGS__);                       \
    case Scalar::Bf16:                                                                             \
      return op.pair ? __nv_cvt_bfloat16raw2_to_##type##x2(bf162_raw(a), __VA_ARGS__)              \
                     : __nv_cvt_bfloat16raw_to_##type(bf16_raw(a), __VA_ARGS__);                   \
    default:                                                                                       \
      break;                                                                                       \
  }                                                                                                \
  return 0

__device__ std::uint64_t fp8_from(const DeviceOp& op, std::uint64_t a) {
  const auto kind = __nv_fp8_interpretation_t(op.nv_kind);
  NUMCONF_FROM_ANY(fp8, saturation(op), kind);
}

__device__ std::uint64_t fp6_from(const DeviceOp& op, std::uint64_t a) {
  const auto kind = __nv_fp6_interpretation_t(op.nv_kind);
  NUMCONF_FROM_ANY(fp6, kind, round_mode(op.round));
}

__device__ std::uint64_t fp4_from(const DeviceOp& op, std::uint64_t a) {
  const auto kind = __nv_fp4_interpretation_t(op.nv_kind);
  NUMCONF_FROM_ANY(fp4, kind, round_mode(op.round));
}

__device__ std::uint64_t e8m0_from(const DeviceOp& op, std::uint64_t a) {
  const cudaRoundMode mode = round_mode(op.round);
  switch (op.source) {
    case Scalar::F32:
      return op.pair ? __nv_cvt_float2_to_e8m0x2(make_float2(as_f32(a), as_f32(a)), saturation(op),
                                                 mode)
                     : __nv_cvt_float_to_e8m0(as_f32(a), saturation(op), mode);
    case Scalar::F64:
      return op.pair ? __nv_cvt_double2_to_e8m0x2(make_double2(as_f64(a), as_f64(a)),
                                                  saturation(op), mode)
                     : __nv_cvt_double_to_e8m0(as_f64(a), saturation(op), mode);
    case Scalar::Bf16:
      return op.pair ? __nv_cvt_bfloat162raw_to_e8m0x2(bf162_raw(a), saturation(op), mode)
                     : __nv_cvt_bfloat16raw_to_e8m0(bf16_raw(a), saturation(op), mode);
    default:
      break;
  }
  return 0;
}

__device__ std::uint64_t to_half(const DeviceOp& op, std::uint64_t a) {
  const int lane = op.operand.exponent_bits + op.operand.mantissa_bits + 1 <= 4 ? 4 : 8;
  switch (op.routine) {
    case Routine::Fp8ToHalf: {
      const auto kind = __nv_fp8_interpretation_t(op.nv_kind);
      return op.pair ? bits(__nv_cvt_fp8x2_to_halfraw2(
                           static_cast<__nv_fp8x2_storage_t>(both_lanes(a, lane)), kind))
                     : bits(__nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(a), kind));
    }
    case Routine::Fp6ToHalf: {
      const auto kind = __nv_fp6_interpretation_t(op.nv_kind);
      return op.pair ? bits(__nv_cvt_fp6x2_to_halfraw2(
                           static_cast<__nv_fp6x2_storage_t>(both_lanes(a, lane)), kind))
                     : bits(__nv_cvt_fp6_to_halfraw(static_cast<__nv_fp6_storage_t>(a), kind));
    }
    case Routine::Fp4ToHalf: {
      const auto kind = __nv_fp4_interpretation_t(op.nv_kind);
      return op.pair ? bits(__nv_cvt_fp4x2_to_halfraw2(
                           static_cast<__nv_fp4x2_storage_t>(both_lanes(a, lane)), kind))
                     : bits(__nv_cvt_fp4_to_halfraw(static_cast<__nv_fp4_storage_t>(a), kind));
    }
    case Routine::E8m0ToBf16:
      return op.pair ? bits(__nv_cvt_e8m0x2_to_bf162raw(
                           static_cast<__nv_fp8x2_storage_t>(both_lanes(a, 8))))
                     : bits(__nv_cvt_e8m0_to_bf16raw(static_cast<__nv_fp8_storage_t>(a)));
    default:
      break;
  }
  return 0;
}

// ---- Arithmetic ----------------------------------------------------------------------------

// PTX `<op>.<rnd>.ftz.f32` for the four roundings.
#define NUMCONF_FTZ_F32(opcode, operands, ...)                         \
  switch (r) {                                                         \
    case Round::Rn:                                                    \
      asm(opcode ".rn.ftz.f32 " operands ";" : "=f"(d) : __VA_ARGS__); \
      break;                                                           \
    case Round::Rz:                                                    \
      asm(opcode ".rz.ftz.f32 " operands ";" : "=f"(d) : __VA_ARGS__); \
      break;                                                           \
    case Round::Rm:                                                    \
      asm(opcode ".rm.ftz.f32 " operands ";" : "=f"(d) : __VA_ARGS__); \
      break;                                                           \
    case Round::Rp:                                                    \
      asm(opcode ".rp.ftz.f32 " operands ";" : "=f"(d) : __VA_ARGS__); \
      break;                                                           \
  }                                                                    \
  return bits(d)

__device__ std::uint64_t arith_f32_ftz(OpKind kind, Round r, float x, float y, float z) {
  float d = 0;
  switch (kind) {
    case OpKind::Add:
      NUMCONF_FTZ_F32("add", "%0, %1, %2", "f"(x), "f"(y));
    case OpKind::Sub:
      NUMCONF_FTZ_F32("sub", "%0, %1, %2", "f"(x), "f"(y));
    case OpKind::Mul:
      NUMCONF_FTZ_F32("mul", "%0, %1, %2", "f"(x), "f"(y));
    case OpKind::Fma:
      NUMCONF_FTZ_F32("fma", "%0, %1, %2, %3", "f"(x), "f"(y), "f"(z));
    case OpKind::Div:
      NUMCONF_FTZ_F32("div", "%0, %1, %2", "f"(x), "f"(y));
    case OpKind::Sqrt:
      NUMCONF_FTZ_F32("sqrt", "%0, %1", "f"(x));
    case OpKind::Reciprocal:
      NUMCONF_FTZ_F32("rcp", "%0, %1", "f"(x));
    default:
      break;
  }
  return 0;
}

#define NUMCONF_ROUNDED_ARGS(stem, ...)    \
  switch (r) {                             \
    case Round::Rn:                        \
      return bits(stem##_rn(__VA_ARGS__)); \
    case Round::Rz:                        \
      return bits(stem##_rz(__VA_ARGS__)); \
    case Round::Rm:                        \
      return bits(stem##_rd(__VA_ARGS__)); \
    case Round::Rp:                        \
      return bits(stem##_ru(__VA_ARGS__)); \
  }                                        \
  break

__device__ std::uint64_t arith_f32(OpKind kind, Round r, float x, float y, float z) {
  switch (kind) {
    case OpKind::Add:
      NUMCONF_ROUNDED_ARGS(__fadd, x, y);
    case OpKind::Sub:
      NUMCONF_ROUNDED_ARGS(__fsub, x, y);
    case OpKind::Mul:
      NUMCONF_ROUNDED_ARGS(__fmul, x, y);
    case OpKind::Fma:
      NUMCONF_ROUNDED_ARGS(__fmaf, x, y, z);
    case OpKind::Div:
      NUMCONF_ROUNDED_ARGS(__fdiv, x, y);
    case OpKind::Sqrt:
      NUMCONF_ROUNDED_ARGS(__fsqrt, x);
    case OpKind::Reciprocal:
      NUMCONF_ROUNDED_ARGS(__frcp, x);
    default:
      break;
  }
  return 0;
}

__device__ std::uint64_t arith_f64(OpKind kind, Round r, double x, double y, double z) {
  switch (kind) {
    case OpKind::Add:
      NUMCONF_ROUNDED_ARGS(__dadd, x, y);
    case OpKind::Sub:
      NUMCONF_ROUNDED_ARGS(__dsub, x, y);
    case OpKind::Mul:
      NUMCONF_ROUNDED_ARGS(__dmul, x, y);
    case OpKind::Fma:
      NUMCONF_ROUNDED_ARGS(__fma, x, y, z);
    case OpKind::Div:
      NUMCONF_ROUNDED_ARGS(__ddiv, x, y);
    case OpKind::Sqrt:
      NUMCONF_ROUNDED_ARGS(__dsqrt, x);
    case OpKind::Reciprocal:
      NUMCONF_ROUNDED_ARGS(__drcp, x);
    default:
      break;
  }
  return 0;
}

// __hadd ... __hfma and their _sat and _relu forms, on __half or __nv_bfloat16.
template <class Half>
__device__ std::uint64_t clamped_half_arith(const DeviceOp& op, Half x, Half y, Half z) {
  switch (op.clamp) {
    case Clamp::None:
      switch (op.kind) {
        case OpKind::Add:
          return bits(__hadd(x, y));
        case OpKind::Sub:
          return bits(__hsub(x, y));
        case OpKind::Mul:
          return bits(__hmul(x, y));
        case OpKind::Fma:
          return bits(__hfma(x, y, z));
        default:
          break;
      }
      break;
    case Clamp::ZeroToOne:
      switch (op.kind) {
        case OpKind::Add:
          return bits(__hadd_sat(x, y));
        case OpKind::Sub:
          return bits(__hsub_sat(x, y));
        case OpKind::Mul:
          return bits(__hmul_sat(x, y));
        case OpKind::Fma:
          return bits(__hfma_sat(x, y, z));
        default:
          break;
      }
      break;
    case Clamp::Relu:
      if (op.kind == OpKind::Fma) return bits(__hfma_relu(x, y, z));
      break;
  }
  return 0;
}

__device__ std::uint64_t arith_f16(const DeviceOp& op, std::uint64_t a, std::uint64_t b,
                                   std::uint64_t c) {
  if (op.ftz) {
    using u16 = unsigned short;
    const u16 x = u16(a), y = u16(b), z = u16(c);
    u16 d = 0;
    switch (op.kind) {
      case OpKind::Add:
        asm("add.rn.ftz.f16 %0, %1, %2;" : "=h"(d) : "h"(x), "h"(y));
        break;
      case OpKind::Sub:
        asm("sub.rn.ftz.f16 %0, %1, %2;" : "=h"(d) : "h"(x), "h"(y));
        break;
      case OpKind::Mul:
        asm("mul.rn.ftz.f16 %0, %1, %2;" : "=h"(d) : "h"(x), "h"(y));
        break;
      case OpKind::Fma:
        asm("fma.rn.ftz.f16 %0, %1, %2, %3;" : "=h"(d) : "h"(x), "h"(y), "h"(z));
        break;
      default:
        break;
    }
    return d;
  }
  const __half x = as_half(a), y = as_half(b), z = as_half(c);
  return clamped_half_arith(op, x, y, z);
}

__device__ std::uint64_t arith_bf16(const DeviceOp& op, std::uint64_t a, std::uint64_t b,
                                    std::uint64_t c) {
  return clamped_half_arith(op, as_bf16(a), as_bf16(b), as_bf16(c));
}

// ---- One case ------------------------------------------------------------------------------

// The GPU's raw result: for a pair instruction, both lanes packed.
__device__ std::uint64_t run_raw(const DeviceOp& op, std::uint64_t a, std::uint64_t b,
                                 std::uint64_t c) {
  switch (op.routine) {
    case Routine::Ptx:
      return ptx_convert(op.ptx, a);
    case Routine::FloatToInt:
      return float_to_int(op.source, op.target, op.round, a);
    case Routine::Fp8From:
      return fp8_from(op, a);
    case Routine::Fp6From:
      return fp6_from(op, a);
    case Routine::Fp4From:
      return fp4_from(op, a);
    case Routine::E8m0From:
      return e8m0_from(op, a);
    case Routine::Fp8ToHalf:
    case Routine::Fp6ToHalf:
    case Routine::Fp4ToHalf:
    case Routine::E8m0ToBf16:
      return to_half(op, a);
    case Routine::ArithF32:
      return op.ftz ? arith_f32_ftz(op.kind, op.round, as_f32(a), as_f32(b), as_f32(c))
                    : arith_f32(op.kind, op.round, as_f32(a), as_f32(b), as_f32(c));
    case Routine::ArithF64:
      return arith_f64(op.kind, op.round, as_f64(a), as_f64(b), as_f64(c));
    case Routine::ArithF16:
      return arith_f16(op, a, b, c);
    case Routine::ArithBf16:
      return arith_bf16(op, a, b, c);
  }
  return 0;
}

// The result as a code of op.result: the low `storage_bits` of a scalar result; for a pair, the
// lane when both lanes agree, else both lanes packed (wider than any code: a certain mismatch
// that shows what each lane gave).
__device__ std::uint64_t run_one(const DeviceOp& op, std::uint64_t a, std::uint64_t b,
                                 std::uint64_t c) {
  const std::uint64_t raw = run_raw(op, a, b, c);
  if (!op.pair) return raw & low_mask(storage_bits(op.result));
  const std::uint64_t lane_mask = low_mask(op.lane_bits);
  const std::uint64_t low = raw & lane_mask, high = raw >> op.lane_bits & lane_mask;
  return low == high ? low : raw;
}

// The model under the claimed policy, on the device (then the clamp of a _sat or _relu form).
__device__ Rounded unclamped_model(const DeviceOp& op, std::uint64_t a, std::uint64_t b,
                                   std::uint64_t c) {
  const Format& f = op.operand;
  switch (op.kind) {
    case OpKind::Convert:
      return convert(f, op.result, a, op.policy);
    case OpKind::Add:
      return add(f, a, b, op.policy);
    case OpKind::Sub:
      return sub(f, a, b, op.policy);
    case OpKind::Mul:
      return mul(f, a, b, op.policy);
    case OpKind::Div:
      return div(f, a, b, op.policy);
    case OpKind::Fma:
      return fma(f, a, b, c, op.policy);
    case OpKind::Sqrt:
      return sqrt(f, a, op.policy);
    case OpKind::Reciprocal: {
      const std::uint64_t one = std::uint64_t(f.bias) << f.mantissa_bits << f.padding_bits;
      return div(f, one, a, op.policy);
    }
  }
  return {};
}

__device__ Rounded model(const DeviceOp& op, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return apply_clamp(op.result, op.clamp, unclamped_model(op, a, b, c));
}

// ---- Kernels -------------------------------------------------------------------------------

__global__ void run_kernel(DeviceOp op, const std::uint64_t* a, const std::uint64_t* b,
                           const std::uint64_t* c, std::uint64_t* out, std::size_t n) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < n;
       i += std::size_t{gridDim.x} * blockDim.x)
    out[i] = run_one(op, a ? a[i] : 0, b ? b[i] : 0, c ? c[i] : 0);
}

struct Sink {
  DeviceMismatch* slots;
  unsigned long long capacity;
  unsigned long long* count;
};

__global__ void compare_kernel(DeviceOp op, Operands operands, std::uint64_t first,
                               std::uint64_t count, const std::uint64_t* a, const std::uint64_t* b,
                               const std::uint64_t* c, Sink sink) {
  for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < count;
       i += std::uint64_t{gridDim.x} * blockDim.x) {
    std::uint64_t x = 0, y = 0, z = 0;
    switch (operands) {
      case Operands::Dense:
        x = first + i;
        break;
      case Operands::Pairs16:
        x = (first + i) >> 16, y = (first + i) & 0xffff;
        break;
      case Operands::Lists:
        x = a ? a[i] : 0, y = b ? b[i] : 0, z = c ? c[i] : 0;
        break;
    }
    const std::uint64_t got = run_one(op, x, y, z);
    const Rounded expected = model(op, x, y, z);
    if (got == expected.bits) continue;
    const unsigned long long slot = atomicAdd(sink.count, 1ULL);
    if (slot < sink.capacity) {
      DeviceMismatch& m = sink.slots[slot];
      m.index = i, m.a = x, m.b = y, m.c = z, m.expected = expected.bits, m.got = got;
      m.expected_flags = expected.flags;
    }
  }
}

// A device buffer freed on every path out (a failed check throws).
template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t n) : n_(n) {
    if (n != 0) NUMCONF_CUDA_CHECK(cudaMalloc(&data_, n * sizeof(T)));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  // The one unchecked call: a destructor cannot throw, and a sticky error from cudaFree would
  // surface at the next checked call anyway.
  ~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);
  }
  T* get() const { return data_; }
  void upload(const T* host) {
    if (host != nullptr && n_ != 0)
      NUMCONF_CUDA_CHECK(cudaMemcpy(data_, host, n_ * sizeof(T), cudaMemcpyHostToDevice));
  }
  void download(T* host, std::size_t n) const {
    if (n != 0) NUMCONF_CUDA_CHECK(cudaMemcpy(host, data_, n * sizeof(T), cudaMemcpyDeviceToHost));
  }

 private:
  T* data_ = nullptr;
  std::size_t n_;
};

// Enough blocks to fill the GPU several times over; the kernels stride over the rest.
unsigned grid_for(std::uint64_t n, unsigned block) {
  int device = 0, sms = 0;
  NUMCONF_CUDA_CHECK(cudaGetDevice(&device));
  NUMCONF_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  const std::uint64_t wanted = (n + block - 1) / block;
  return unsigned(
      std::max<std::uint64_t>(1, std::min<std::uint64_t>(wanted, std::uint64_t(sms) * 16)));
}

constexpr unsigned kBlock = 256;

const std::uint64_t* optional_upload(DeviceBuffer<std::uint64_t>& buffer,
                                     const std::uint64_t* host) {
  if (host == nullptr) return nullptr;
  buffer.upload(host);
  return buffer.get();
}

}  // namespace

void run_on_device(const DeviceOp& op, const std::uint64_t* a, const std::uint64_t* b,
                   const std::uint64_t* c, std::uint64_t* out, std::size_t n) {
  if (n == 0) return;
  DeviceBuffer<std::uint64_t> da(a ? n : 0), db(b ? n : 0), dc(c ? n : 0), dout(n);
  const std::uint64_t* pa = optional_upload(da, a);
  const std::uint64_t* pb = optional_upload(db, b);
  const std::uint64_t* pc = optional_upload(dc, c);
  run_kernel<<<grid_for(n, kBlock), kBlock>>>(op, pa, pb, pc, dout.get(), n);
  NUMCONF_CUDA_CHECK_LAUNCH("run_kernel");
  dout.download(out, n);
}

DeviceComparison compare_on_device(const DeviceOp& op, Operands operands, std::uint64_t first,
                                   std::uint64_t count, const std::uint64_t* a,
                                   const std::uint64_t* b, const std::uint64_t* c,
                                   std::size_t capacity) {
  DeviceComparison result;
  if (count == 0) return result;
  const bool lists = operands == Operands::Lists;
  DeviceBuffer<std::uint64_t> da(lists && a ? count : 0), db(lists && b ? count : 0),
      dc(lists && c ? count : 0);
  const std::uint64_t* pa = lists ? optional_upload(da, a) : nullptr;
  const std::uint64_t* pb = lists ? optional_upload(db, b) : nullptr;
  const std::uint64_t* pc = lists ? optional_upload(dc, c) : nullptr;
  DeviceBuffer<DeviceMismatch> slots(std::max<std::size_t>(capacity, 1));
  DeviceBuffer<unsigned long long> counter(1);
  NUMCONF_CUDA_CHECK(cudaMemset(counter.get(), 0, sizeof(unsigned long long)));
  compare_kernel<<<grid_for(count, kBlock), kBlock>>>(op, operands, first, count, pa, pb, pc,
                                                      Sink{slots.get(), capacity, counter.get()});
  NUMCONF_CUDA_CHECK_LAUNCH("compare_kernel");
  unsigned long long mismatches = 0;
  counter.download(&mismatches, 1);
  result.mismatches = mismatches;
  result.found.resize(std::min<std::uint64_t>(mismatches, capacity));
  slots.download(result.found.data(), result.found.size());
  return result;
}

}  // namespace numconf::hw::cuda
