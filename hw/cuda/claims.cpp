#include "hw/cuda/claims.hpp"

#include <string>
#include <vector>

#include "formats/registry.hpp"

namespace numconf::hw::cuda {
namespace {

constexpr Format kU32 = int_format(32, false);
constexpr Format kU64 = int_format(64, false);
constexpr Format kU16 = int_format(16, false);

// The cuda_fp8.h / cuda_fp6.h / cuda_fp4.h enumerator values (__NV_E4M3 = 0, __NV_E5M2 = 1;
// __NV_E2M3 = 0, __NV_E3M2 = 1; __NV_E2M1 = 0), checked against the headers in kernels.cu.
constexpr std::uint8_t kNvE4M3 = 0, kNvE5M2 = 1, kNvE2M3 = 0, kNvE3M2 = 1, kNvE2M1 = 0;

Policy cuda_policy(Rounding rounding, Overflow overflow = Overflow::None) {
  Policy p;
  p.rounding = rounding;
  p.overflow = overflow;
  p.profile = Profile::Cuda;
  return p;
}

Rounding rounding_of(Round r) {
  switch (r) {
    case Round::Rn:
      return Rounding::NearestEven;
    case Round::Rz:
      return Rounding::TowardZero;
    case Round::Rm:
      return Rounding::TowardNegative;
    case Round::Rp:
      return Rounding::TowardPositive;
  }
  return Rounding::NearestEven;
}

constexpr Round kRounds[] = {Round::Rn, Round::Rz, Round::Rm, Round::Rp};
// The spelling of each rounding in intrinsic names (_rd is toward -inf) and in PTX.
const char* intrinsic_suffix(Round r) {
  constexpr const char* names[] = {"_rn", "_rz", "_rd", "_ru"};
  return names[int(r)];
}
const char* ptx_suffix(Round r) {
  constexpr const char* names[] = {".rn", ".rz", ".rm", ".rp"};
  return names[int(r)];
}

const char* scalar_name(Scalar s, bool pair) {
  switch (s) {
    case Scalar::F32:
      return pair ? "float2" : "float";
    case Scalar::F64:
      return pair ? "double2" : "double";
    case Scalar::F16:
      return pair ? "halfraw2" : "halfraw";
    case Scalar::Bf16:
      return pair ? "bfloat16raw2" : "bfloat16raw";
    default:
      return "?";
  }
}

Format format_of(Scalar s) {
  switch (s) {
    case Scalar::F32:
      return kF32;
    case Scalar::F64:
      return kF64;
    case Scalar::F16:
      return kF16;
    case Scalar::Bf16:
      return kBF16;
    case Scalar::S32:
      return kI32;
    case Scalar::U32:
      return kU32;
    case Scalar::S64:
      return kI64;
    case Scalar::U64:
      return kU64;
  }
  return kF32;
}

class Table {
 public:
  std::vector<Claim> claims;

  void add(std::string name, OpKind kind, Format operand, Format result, Policy policy,
           DeviceOp device) {
    device.kind = kind;
    device.operand = operand;
    device.result = result;
    device.policy = policy;
    claims.push_back({Operation{std::move(name), kind, operand, result, policy, false}, device});
  }

  void ptx(const char* name, PtxCvt id, Format from, Format to, Policy policy, int lane_bits = 0) {
    add(name, OpKind::Convert, from, to, policy,
        DeviceOp{
            .routine = Routine::Ptx, .ptx = id, .pair = lane_bits != 0, .lane_bits = lane_bits});
  }

  void ptx_conversions() {
    using R = Rounding;
    const R modes[] = {R::NearestEven, R::TowardZero, R::TowardNegative, R::TowardPositive};
    const char* f16_f32[] = {"cvt.rn.f16.f32", "cvt.rz.f16.f32", "cvt.rm.f16.f32",
                             "cvt.rp.f16.f32"};
    const char* f16_f32_ftz[] = {"cvt.rn.ftz.f16.f32", "cvt.rz.ftz.f16.f32", "cvt.rm.ftz.f16.f32",
                                 "cvt.rp.ftz.f16.f32"};
    const char* bf16_f32[] = {"cvt.rn.bf16.f32", "cvt.rz.bf16.f32", "cvt.rm.bf16.f32",
                              "cvt.rp.bf16.f32"};
    const char* bf16_f32_ftz[] = {"cvt.rn.ftz.bf16.f32", "cvt.rz.ftz.bf16.f32",
                                  "cvt.rm.ftz.bf16.f32", "cvt.rp.ftz.bf16.f32"};
    const char* f16_f64[] = {"cvt.rn.f16.f64", "cvt.rz.f16.f64", "cvt.rm.f16.f64",
                             "cvt.rp.f16.f64"};
    const char* bf16_f64[] = {"cvt.rn.bf16.f64", "cvt.rz.bf16.f64", "cvt.rm.bf16.f64",
                              "cvt.rp.bf16.f64"};
    for (int i = 0; i < 4; ++i) {
      ptx(f16_f32[i], PtxCvt(int(PtxCvt::F16F32Rn) + i), kF32, kF16, cuda_policy(modes[i]));
      // .ftz on a conversion flushes f32 subnormal inputs (the f16 result is not f32).
      Policy daz = cuda_policy(modes[i]);
      daz.flush_inputs = true;
      ptx(f16_f32_ftz[i], PtxCvt(int(PtxCvt::F16F32RnFtz) + i), kF32, kF16, daz);
      ptx(bf16_f32[i], PtxCvt(int(PtxCvt::Bf16F32Rn) + i), kF32, kBF16, cuda_policy(modes[i]));
      ptx(bf16_f32_ftz[i], PtxCvt(int(PtxCvt::Bf16F32RnFtz) + i), kF32, kBF16, daz);
      ptx(f16_f64[i], PtxCvt(int(PtxCvt::F16F64Rn) + i), kF64, kF16, cuda_policy(modes[i]));
      ptx(bf16_f64[i], PtxCvt(int(PtxCvt::Bf16F64Rn) + i), kF64, kBF16, cuda_policy(modes[i]));
    }
    // tf32: .rna since sm_80, .rna.satfinite since PTX 8.1, .rn/.rz since sm_90 (PTX 7.8);
    // .rn/.rz with .satfinite need sm_100 (ptxas 13.0 rejects them for sm_90).
    ptx("cvt.rna.tf32.f32", PtxCvt::Tf32F32Rna, kF32, kTF32, cuda_policy(R::NearestAway));
    ptx("cvt.rna.satfinite.tf32.f32", PtxCvt::Tf32F32RnaSatfinite, kF32, kTF32,
        cuda_policy(R::NearestAway, Overflow::Finite));
    ptx("cvt.rn.tf32.f32", PtxCvt::Tf32F32Rn, kF32, kTF32, cuda_policy(R::NearestEven));
    ptx("cvt.rz.tf32.f32", PtxCvt::Tf32F32Rz, kF32, kTF32, cuda_policy(R::TowardZero));
    ptx("cvt.f32.f16", PtxCvt::F32F16, kF16, kF32, cuda_policy(R::NearestEven));
    ptx("cvt.f32.bf16", PtxCvt::F32Bf16, kBF16, kF32, cuda_policy(R::NearestEven));
    // fp8 conversions exist on sm_89/sm_90 only with .satfinite: NaN stays NaN, +-Inf and
    // finite overflow give +-max finite.
    const Policy satfinite = cuda_policy(R::NearestEven, Overflow::Finite);
    ptx("cvt.rn.satfinite.e4m3x2.f32", PtxCvt::E4m3x2F32, kF32, kE4M3FN, satfinite, 8);
    ptx("cvt.rn.satfinite.e5m2x2.f32", PtxCvt::E5m2x2F32, kF32, kE5M2, satfinite, 8);
    ptx("cvt.rn.satfinite.e4m3x2.f16x2", PtxCvt::E4m3x2F16x2, kF16, kE4M3FN, satfinite, 8);
    ptx("cvt.rn.satfinite.e5m2x2.f16x2", PtxCvt::E5m2x2F16x2, kF16, kE5M2, satfinite, 8);
    ptx("cvt.rn.f16x2.e4m3x2", PtxCvt::F16x2E4m3x2, kE4M3FN, kF16, cuda_policy(R::NearestEven), 16);
    ptx("cvt.rn.f16x2.e5m2x2", PtxCvt::F16x2E5m2x2, kE5M2, kF16, cuda_policy(R::NearestEven), 16);
    // Float to integer clamps to the destination range, NaN gives 0 (PTX ISA, cvt).
    const char* s8[] = {"cvt.rni.s8.f32", "cvt.rzi.s8.f32", "cvt.rmi.s8.f32", "cvt.rpi.s8.f32"};
    const char* u8[] = {"cvt.rni.u8.f32", "cvt.rzi.u8.f32", "cvt.rmi.u8.f32", "cvt.rpi.u8.f32"};
    const char* s32_ftz[] = {"cvt.rni.ftz.s32.f32", "cvt.rzi.ftz.s32.f32", "cvt.rmi.ftz.s32.f32",
                             "cvt.rpi.ftz.s32.f32"};
    for (int i = 0; i < 4; ++i) {
      ptx(s8[i], PtxCvt(int(PtxCvt::S8F32Rni) + i), kF32, kI8,
          cuda_policy(modes[i], Overflow::Finite));
      ptx(u8[i], PtxCvt(int(PtxCvt::U8F32Rni) + i), kF32, kU8,
          cuda_policy(modes[i], Overflow::Finite));
      // .ftz shows on integers too: cvt.rpi.s32.f32 of the smallest subnormal is 1, flushed 0.
      Policy daz = cuda_policy(modes[i], Overflow::Finite);
      daz.flush_inputs = true;
      ptx(s32_ftz[i], PtxCvt(int(PtxCvt::S32F32RniFtz) + i), kF32, kI32, daz);
    }
    const Policy clamp = cuda_policy(R::NearestEven, Overflow::Finite);
    ptx("cvt.sat.s8.s32", PtxCvt::S8S32Sat, kI32, kI8, clamp);
    ptx("cvt.sat.u8.s32", PtxCvt::U8S32Sat, kI32, kU8, clamp);
    ptx("cvt.sat.s16.s32", PtxCvt::S16S32Sat, kI32, kI16, clamp);
    ptx("cvt.sat.u16.s32", PtxCvt::U16S32Sat, kI32, kU16, clamp);
  }

  void float_to_int() {
    struct Target {
      Scalar scalar;
      const char* name;
    };
    const Target targets[] = {
        {Scalar::S32, "int"}, {Scalar::U32, "uint"}, {Scalar::S64, "ll"}, {Scalar::U64, "ull"}};
    for (const Scalar source : {Scalar::F32, Scalar::F64})
      for (const Target& t : targets)
        for (const Round r : kRounds) {
          const std::string name = std::string(source == Scalar::F32 ? "__float2" : "__double2") +
                                   t.name + intrinsic_suffix(r);
          add(name, OpKind::Convert, format_of(source), format_of(t.scalar),
              cuda_policy(rounding_of(r), Overflow::Finite),
              DeviceOp{.routine = Routine::FloatToInt,
                       .source = source,
                       .target = t.scalar,
                       .round = r});
        }
  }

  // The cuda_fp8.h, cuda_fp6.h and cuda_fp4.h conversions, scalar and x2.
  void small_float_intrinsics() {
    struct Kind {
      Routine from, to;
      const char* type;  // "fp8", "fp6", "fp4"
      const char* enumerator;
      std::uint8_t nv_kind;
      Format format;
      int lane_bits;
    };
    const Kind kinds[] = {
        {Routine::Fp8From, Routine::Fp8ToHalf, "fp8", "__NV_E4M3", kNvE4M3, kE4M3FN, 8},
        {Routine::Fp8From, Routine::Fp8ToHalf, "fp8", "__NV_E5M2", kNvE5M2, kE5M2, 8},
        {Routine::Fp6From, Routine::Fp6ToHalf, "fp6", "__NV_E2M3", kNvE2M3, kE2M3FN, 8},
        {Routine::Fp6From, Routine::Fp6ToHalf, "fp6", "__NV_E3M2", kNvE3M2, kE3M2FN, 8},
        {Routine::Fp4From, Routine::Fp4ToHalf, "fp4", "__NV_E2M1", kNvE2M1, kE2M1FN, 4},
    };
    for (const Kind& k : kinds)
      for (const bool pair : {false, true}) {
        const std::string x2 = pair ? "x2" : "";
        for (const Scalar source : {Scalar::F32, Scalar::F64, Scalar::F16, Scalar::Bf16}) {
          const std::string stem =
              std::string("__nv_cvt_") + scalar_name(source, pair) + "_to_" + k.type + x2 + "(";
          if (k.from == Routine::Fp8From) {
            // fp8: round to nearest even; __NV_SATFINITE clamps (+-Inf too), __NV_NOSAT gives
            // NaN (e4m3) or +-Inf (e5m2).
            for (const bool sat : {true, false})
              add(stem + (sat ? "__NV_SATFINITE, " : "__NV_NOSAT, ") + k.enumerator + ")",
                  OpKind::Convert, format_of(source), k.format,
                  cuda_policy(Rounding::NearestEven, sat ? Overflow::Finite : Overflow::None),
                  DeviceOp{.routine = k.from,
                           .source = source,
                           .nv_kind = k.nv_kind,
                           .saturate = sat,
                           .pair = pair,
                           .lane_bits = pair ? k.lane_bits : 0});
          } else {
            // fp6/fp4 (header documentation): cudaRoundNearest or cudaRoundZero; out-of-range
            // values saturate to +-MAXNORM; NaN gives +MAXNORM.
            for (const Round r : {Round::Rn, Round::Rz}) {
              Policy p = cuda_policy(rounding_of(r), Overflow::Finite);
              p.nan_to_nanless = NanToNanless::MaxFinite;
              add(stem + k.enumerator +
                      (r == Round::Rn ? ", cudaRoundNearest)" : ", cudaRoundZero)"),
                  OpKind::Convert, format_of(source), k.format, p,
                  DeviceOp{.routine = k.from,
                           .source = source,
                           .round = r,
                           .nv_kind = k.nv_kind,
                           .saturate = true,
                           .pair = pair,
                           .lane_bits = pair ? k.lane_bits : 0});
            }
          }
        }
        add(std::string("__nv_cvt_") + k.type + x2 + "_to_halfraw" + (pair ? "2(" : "(") +
                k.enumerator + ")",
            OpKind::Convert, k.format, kF16, cuda_policy(Rounding::NearestEven),
            DeviceOp{
                .routine = k.to, .nv_kind = k.nv_kind, .pair = pair, .lane_bits = pair ? 16 : 0});
      }
  }

  // cuda_fp8.h e8m0: |x| rounded to a power of two by cudaRoundZero or cudaRoundPosInf;
  // results below 2^-127 clip to 2^-127, above 2^127 clip (__NV_SATFINITE) or give NaN 0xff.
  void e8m0_intrinsics() {
    for (const bool pair : {false, true}) {
      const std::string x2 = pair ? "x2" : "";
      for (const Scalar source : {Scalar::F32, Scalar::F64, Scalar::Bf16})
        for (const bool sat : {true, false})
          for (const Round r : {Round::Rz, Round::Rp}) {
            const char* src = source == Scalar::Bf16 ? (pair ? "bfloat162raw" : "bfloat16raw")
                                                     : scalar_name(source, pair);
            add(std::string("__nv_cvt_") + src + "_to_e8m0" + x2 + "(" +
                    (sat ? "__NV_SATFINITE, " : "__NV_NOSAT, ") +
                    (r == Round::Rz ? "cudaRoundZero)" : "cudaRoundPosInf)"),
                OpKind::Convert, format_of(source), kE8M0FNU,
                cuda_policy(rounding_of(r), sat ? Overflow::Finite : Overflow::None),
                DeviceOp{.routine = Routine::E8m0From,
                         .source = source,
                         .round = r,
                         .saturate = sat,
                         .pair = pair,
                         .lane_bits = pair ? 8 : 0});
          }
      add(pair ? "__nv_cvt_e8m0x2_to_bf162raw" : "__nv_cvt_e8m0_to_bf16raw", OpKind::Convert,
          kE8M0FNU, kBF16, cuda_policy(Rounding::NearestEven),
          DeviceOp{.routine = Routine::E8m0ToBf16, .pair = pair, .lane_bits = pair ? 16 : 0});
    }
  }

  void arithmetic() {
    struct Op {
      OpKind kind;
      const char* f32;  // intrinsic stem
      const char* f64;
      const char* ptx;  // PTX opcode of the .ftz form
    };
    const Op ops[] = {
        {OpKind::Add, "__fadd", "__dadd", "add"},
        {OpKind::Sub, "__fsub", "__dsub", "sub"},
        {OpKind::Mul, "__fmul", "__dmul", "mul"},
        {OpKind::Fma, "__fmaf", "__fma", "fma"},
        {OpKind::Div, "__fdiv", "__ddiv", "div"},
        {OpKind::Sqrt, "__fsqrt", "__dsqrt", "sqrt"},
        {OpKind::Reciprocal, "__frcp", "__drcp", "rcp"},
    };
    for (const Op& op : ops)
      for (const Round r : kRounds) {
        const Policy p = cuda_policy(rounding_of(r));
        add(std::string(op.f32) + intrinsic_suffix(r), op.kind, kF32, kF32, p,
            DeviceOp{.routine = Routine::ArithF32, .round = r});
        Policy ftz = p;
        ftz.flush_inputs = ftz.flush_outputs = true;
        add(std::string(op.ptx) + ptx_suffix(r) + ".ftz.f32", op.kind, kF32, kF32, ftz,
            DeviceOp{.routine = Routine::ArithF32, .round = r, .ftz = true});
        add(std::string(op.f64) + intrinsic_suffix(r), op.kind, kF64, kF64, p,
            DeviceOp{.routine = Routine::ArithF64, .round = r});
      }
    // f16 and bf16: round to nearest even only.  The _sat ([0, 1] clamp) and _relu (max(0, x))
    // variants post-process the result in a way no Policy expresses: not claimed here.
    struct HalfOp {
      OpKind kind;
      const char* name;
      const char* ptx;
    };
    const HalfOp half_ops[] = {{OpKind::Add, "__hadd", "add.rn.ftz.f16"},
                               {OpKind::Sub, "__hsub", "sub.rn.ftz.f16"},
                               {OpKind::Mul, "__hmul", "mul.rn.ftz.f16"},
                               {OpKind::Fma, "__hfma", "fma.rn.ftz.f16"}};
    for (const HalfOp& op : half_ops) {
      const Policy p = cuda_policy(Rounding::NearestEven);
      add(std::string(op.name) + "(__half)", op.kind, kF16, kF16, p,
          DeviceOp{.routine = Routine::ArithF16});
      Policy ftz = p;
      ftz.flush_inputs = ftz.flush_outputs = true;
      add(op.ptx, op.kind, kF16, kF16, ftz, DeviceOp{.routine = Routine::ArithF16, .ftz = true});
      add(std::string(op.name) + "(__nv_bfloat16)", op.kind, kBF16, kBF16, p,
          DeviceOp{.routine = Routine::ArithBf16});
    }
  }

  void clamped_arithmetic() {
    struct Variant {
      OpKind kind;
      const char* name;
      Clamp clamp;
    };
    const Variant variants[] = {{OpKind::Add, "__hadd_sat", Clamp::ZeroToOne},
                                {OpKind::Sub, "__hsub_sat", Clamp::ZeroToOne},
                                {OpKind::Mul, "__hmul_sat", Clamp::ZeroToOne},
                                {OpKind::Fma, "__hfma_sat", Clamp::ZeroToOne},
                                {OpKind::Fma, "__hfma_relu", Clamp::Relu}};
    for (const Variant& v : variants) {
      const Policy p = cuda_policy(Rounding::NearestEven);
      add(std::string(v.name) + "(__half)", v.kind, kF16, kF16, p,
          DeviceOp{.routine = Routine::ArithF16, .clamp = v.clamp});
      add(std::string(v.name) + "(__nv_bfloat16)", v.kind, kBF16, kBF16, p,
          DeviceOp{.routine = Routine::ArithBf16, .clamp = v.clamp});
    }
  }
};

std::vector<Claim> build() {
  Table t;
  t.ptx_conversions();
  t.float_to_int();
  t.small_float_intrinsics();
  t.e8m0_intrinsics();
  t.arithmetic();
  return std::move(t.claims);
}

}  // namespace

std::span<const Claim> claims() {
  static const std::vector<Claim> table = build();
  return table;
}

std::span<const Claim> clamped_claims() {
  static const std::vector<Claim> table = [] {
    Table t;
    t.clamped_arithmetic();
    return std::move(t.claims);
  }();
  return table;
}

const Claim* find_claim(std::string_view name) {
  for (const std::span<const Claim> table : {claims(), clamped_claims()})
    for (const Claim& c : table)
      if (c.operation.name == name) return &c;
  return nullptr;
}

}  // namespace numconf::hw::cuda
