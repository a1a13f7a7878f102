// The hardware backends (hw/) against the model under the policy each instruction claims, and
// the vendor profiles of the model against the oracle.  A backend or instruction set this
// machine lacks is skipped with the reason, never passed.
//
// Default tier (label hw): every operation on its level-1 cases (docs/profiles.md), every code
// of 8- and 16-bit sources.  Slow tier (label slow): HwSlow.*, every f32 input of every
// cuda-host conversion from float.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "formats/arith.hpp"
#include "formats/batch.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"
#include "hw/backend.hpp"
#include "hw/cases.hpp"
#include "hw/compare.hpp"
#include "reference/arith.hpp"
#include "reference/oracle.hpp"

namespace numconf::hw {
namespace {

const Backend* find_backend(std::string_view name) {
  static const auto backends = all_backends();
  for (const auto& b : backends)
    if (b->name() == name) return b.get();
  return nullptr;
}

std::string hex(std::uint64_t x) { return ::testing::PrintToString(reinterpret_cast<void*>(x)); }

// Runs every operation of the backend whose name contains `family` and expects no mismatch;
// skips when the backend is absent or offers no such operation here.
void check_family(std::string_view backend_name, std::string_view family, Level level) {
  const Backend* backend = find_backend(backend_name);
  ASSERT_NE(backend, nullptr);
  if (const std::string why = backend->unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  int ran = 0;
  for (const Operation& op : backend->operations()) {
    if (op.name.find(family) == std::string::npos) continue;
    ++ran;
    const SweepResult r =
        sweeps_every_code(op, level)
            ? compare_range(*backend, op, 0, std::uint64_t{1} << code_bits(op.operand), 3)
            : compare_cases(*backend, op, make_cases(op, level), 3);
    EXPECT_GT(r.cases, 0u) << op.name;
    EXPECT_EQ(r.mismatches, 0u) << op.name;
    for (const Mismatch& m : r.first)
      ADD_FAILURE() << op.name << ": operands " << hex(m.operands[0]) << " " << hex(m.operands[1])
                    << " " << hex(m.operands[2]) << " model " << hex(m.expected.bits) << " flags "
                    << int(m.expected.flags) << ", backend " << hex(m.got.bits) << " flags "
                    << int(m.got.flags);
  }
  if (ran == 0) {
    std::string why = "no operation '" + std::string(family) + "' on this machine";
    for (const MachineFact& f : backend->machine())
      if (f.key.starts_with("unsupported") && f.value.find(family) != std::string::npos)
        why = f.value;
    GTEST_SKIP() << why;
  }
}

TEST(CpuBackend, SseArithmeticInEveryMxcsrMode) {
  for (const char* op :
       {"addss", "subss", "mulss", "divss", "sqrtss", "addsd", "subsd", "mulsd", "divsd", "sqrtsd"})
    check_family("cpu", op, Level::Quick);
}
TEST(CpuBackend, FmaInEveryMxcsrMode) { check_family("cpu", "vfmadd231", Level::Quick); }
TEST(CpuBackend, FloatToIntegerIndefinite) { check_family("cpu", "2si", Level::Quick); }
TEST(CpuBackend, F16cNarrowing) { check_family("cpu", "vcvtps2ph", Level::Quick); }
TEST(CpuBackend, F16cWidening) { check_family("cpu", "vcvtph2ps", Level::Quick); }
TEST(CpuBackend, Avx512Bf16) { check_family("cpu", "vcvtneps2bf16", Level::Quick); }
TEST(CpuBackend, Avx512Fp16) { check_family("cpu", "sh", Level::Quick); }

TEST(CpuBackend, ListsWhatItCannotRun) {
  const Backend* cpu = find_backend("cpu");
  ASSERT_NE(cpu, nullptr);
  const auto ops = cpu->operations();
  const bool has_bf16 = std::any_of(ops.begin(), ops.end(),
                                    [](const Operation& op) { return op.name == "vcvtneps2bf16"; });
  bool listed = false;
  for (const MachineFact& f : cpu->machine()) listed = listed || f.key == "unsupported:avx512bf16";
  EXPECT_NE(has_bf16, listed) << "AVX512-BF16 must be either offered or listed as unsupported";
}

TEST(CudaHostBackend, HalfAndBfloat16) {
  check_family("cuda-host", "half", Level::Quick);
  check_family("cuda-host", "bfloat16", Level::Quick);
}
TEST(CudaHostBackend, Fp8) { check_family("cuda-host", "fp8", Level::Quick); }
TEST(CudaHostBackend, E8m0) { check_family("cuda-host", "e8m0", Level::Quick); }
TEST(CudaHostBackend, Fp6) { check_family("cuda-host", "fp6", Level::Quick); }
TEST(CudaHostBackend, Fp4) { check_family("cuda-host", "fp4", Level::Quick); }

TEST(Backends, AbsentOnesAreListedWithAReason) {
  for (const auto& b : all_backends()) {
    if (b->unavailable_reason().empty()) continue;
    EXPECT_TRUE(b->operations().empty()) << b->name();
  }
  EXPECT_NE(find_backend("cuda"), nullptr);
  EXPECT_NE(find_backend("cuda-host"), nullptr);
}

// ---- Profiles: the model against the oracle ------------------------------------------------

Policy with_profile(Profile profile, Rounding r, Overflow o, NanToNanless n) {
  Policy p;
  p.rounding = r;
  p.overflow = o;
  p.nan_to_nanless = n;
  p.profile = profile;
  return p;
}

TEST(Profiles, ConversionsMatchTheOracle) {
  const Format sources[] = {kF16, kBF16, kE4M3FN, kE5M2, kE8M0FNU, kE2M1FN, kE3M2FN};
  const Format targets[] = {kF32,
                            kF16,
                            kBF16,
                            kE4M3FN,
                            kE5M2,
                            kE8M0FNU,
                            kE2M1FN,
                            kE2M3FN,
                            kE3M2FN,
                            kI32,
                            int_format(8, false)};
  for (const Profile profile : {Profile::Cuda, Profile::X86})
    for (const Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::TowardPositive})
      for (const Overflow o : {Overflow::None, Overflow::Finite})
        for (const NanToNanless n : {NanToNanless::Zero, NanToNanless::MaxFinite}) {
          const Policy p = with_profile(profile, r, o, n);
          for (const Format& from : sources)
            for (const Format& to : targets) {
              int shown = 0;
              for (std::uint64_t code = 0; code >> code_bits(from) == 0; ++code) {
                const Rounded model = convert(from, to, code, p);
                const Rounded oracle = ref::convert(from, to, code, p);
                if (model == oracle || shown++ >= 3) continue;
                ADD_FAILURE() << "profile " << int(profile) << " mode " << int(r) << " sat "
                              << int(o) << " nan " << int(n) << " " << code_bits(from) << "->"
                              << code_bits(to) << " bits, input " << hex(code) << ": model "
                              << hex(model.bits) << "/" << int(model.flags) << ", oracle "
                              << hex(oracle.bits) << "/" << int(oracle.flags);
              }
            }
        }
}

TEST(Profiles, ArithmeticMatchesTheOracle) {
  for (const Profile profile : {Profile::Cuda, Profile::X86})
    for (const Format& f : {kE5M2, kE4M3FN}) {
      const Policy p =
          with_profile(profile, Rounding::NearestEven, Overflow::None, NanToNanless::Zero);
      int shown = 0;
      const auto expect_same = [&](const char* what, std::uint64_t a, std::uint64_t b,
                                   const Rounded& model, const Rounded& oracle) {
        if (model == oracle || shown++ >= 5) return;
        ADD_FAILURE() << what << " profile " << int(profile) << " " << hex(a) << " " << hex(b)
                      << ": model " << hex(model.bits) << "/" << int(model.flags) << ", oracle "
                      << hex(oracle.bits) << "/" << int(oracle.flags);
      };
      for (std::uint64_t a = 0; a < 256; ++a) {
        expect_same("sqrt", a, 0, sqrt(f, a, p), ref::sqrt(f, a, p));
        for (std::uint64_t b = 0; b < 256; ++b) {
          expect_same("add", a, b, add(f, a, b, p), ref::add(f, a, b, p));
          expect_same("mul", a, b, mul(f, a, b, p), ref::mul(f, a, b, p));
          expect_same("div", a, b, div(f, a, b, p), ref::div(f, a, b, p));
          for (const std::uint64_t c : {0x00u, 0x7fu, 0xffu, 0x38u, 0x7cu})
            expect_same("fma", a, b, fma(f, a, b, c, p), ref::fma(f, a, b, c, p));
        }
      }
    }
}

// The batch path (formats/batch.hpp) under the profiles, against the scalar convert: every f16
// code and a spread of f32 codes (NaN payloads of both signs included) into every target.
TEST(Profiles, BatchMatchesScalar) {
  std::vector<std::uint32_t> f32_codes;
  for (std::uint64_t i = 0; i < (std::uint64_t{1} << 32); i += 0x1003)
    f32_codes.push_back(std::uint32_t(i));
  for (const std::uint32_t nan : {0x7fc00000u, 0xffc00001u, 0x7f800001u, 0xff812345u})
    f32_codes.push_back(nan);
  std::vector<std::uint32_t> f16_codes(1 << 16);
  for (std::uint32_t i = 0; i < f16_codes.size(); ++i) f16_codes[i] = i;
  const Format targets[] = {kF16, kBF16, kE4M3FN, kE5M2, kE8M0FNU, kE2M1FN, kE2M3FN, kE3M2FN};
  for (const Profile profile : {Profile::Cuda, Profile::X86})
    for (const Overflow o : {Overflow::None, Overflow::Finite})
      for (const Format& to : targets)
        for (const auto& [from, codes] :
             {std::pair{kF32, &f32_codes}, std::pair{kF16, &f16_codes}}) {
          const Policy p = with_profile(profile, Rounding::NearestEven, o, NanToNanless::MaxFinite);
          std::vector<std::uint64_t> out(codes->size());
          Converter(from, to, p)(std::span<const std::uint32_t>(*codes),
                                 std::span<std::uint64_t>(out));
          int shown = 0;
          for (std::size_t i = 0; i < codes->size(); ++i) {
            const std::uint64_t scalar = convert(from, to, (*codes)[i], p).bits;
            if (out[i] == scalar || shown++ >= 3) continue;
            ADD_FAILURE() << "profile " << int(profile) << " input " << hex((*codes)[i]) << " -> "
                          << code_bits(to) << " bits: batch " << hex(out[i]) << ", scalar "
                          << hex(scalar);
          }
        }
}

// Values NVIDIA's host code and this CPU returned (docs/profiles.md), pinned against the model
// so that a change to a profile shows up even where the backends are absent.
TEST(Profiles, PublishedVendorResults) {
  const Policy cuda =
      with_profile(Profile::Cuda, Rounding::NearestEven, Overflow::None, NanToNanless::Zero);
  EXPECT_EQ(convert(kF32, kF16, 0xffc00001, cuda).bits, 0x7fffu);
  EXPECT_EQ(convert(kF32, kBF16, 0xffc00001, cuda).bits, 0x7fffu);
  EXPECT_EQ(convert(kF32, kE5M2, 0xffc00001, cuda).bits, 0x7fu);
  EXPECT_EQ(convert(kF16, kF32, 0xfc01, cuda).bits, 0x7fffffffu);
  EXPECT_EQ(convert(kBF16, kF32, 0x7f81, cuda).bits, 0x7f810000u);  // sNaN kept: a shift
  Policy e8m0 = cuda;
  e8m0.rounding = Rounding::TowardZero;
  EXPECT_EQ(convert(kF32, kE8M0FNU, 0xbf800000, e8m0).bits, 0x7fu);  // -1 -> 2^0
  EXPECT_EQ(convert(kF32, kE8M0FNU, 0x00000000, e8m0).bits, 0x00u);  // 0 -> 2^-127
  Policy fp4 = cuda;
  fp4.overflow = Overflow::Finite;
  fp4.nan_to_nanless = NanToNanless::MaxFinite;
  EXPECT_EQ(convert(kF32, kE2M1FN, 0xffc00000, fp4).bits, 0x07u);  // NaN -> +6
  EXPECT_EQ(convert(kF32, kE2M1FN, 0xff800000, fp4).bits, 0x0fu);  // -Inf -> -6
  const Policy x86 =
      with_profile(Profile::X86, Rounding::NearestEven, Overflow::None, NanToNanless::Zero);
  EXPECT_EQ(mul(kF32, 0x00000000, 0x7f800000, x86).bits, 0xffc00000u);
  EXPECT_EQ(convert(kF32, kI32, 0x4f800000, x86).bits, 0x80000000u);
  EXPECT_EQ(fma(kF32, 0x00000000, 0x7f800000, 0x7fc00000, x86).flags, 0);
}

// ---- Slow tier -----------------------------------------------------------------------------

// `convert --profile cuda` against NVIDIA's host code on all 2^32 f32 inputs of every
// cuda_fp*.h conversion from float.
TEST(HwSlow, DISABLED_CudaHostEveryFloatInput) {
  const Backend* backend = find_backend("cuda-host");
  ASSERT_NE(backend, nullptr);
  if (const std::string why = backend->unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  for (const Operation& op : backend->operations()) {
    if (!(op.operand == kF32) || op.kind != OpKind::Convert) continue;
    const SweepResult r = compare_range(*backend, op, 0, std::uint64_t{1} << 32, 3);
    EXPECT_EQ(r.cases, std::uint64_t{1} << 32) << op.name;
    EXPECT_EQ(r.mismatches, 0u) << op.name;
  }
}

}  // namespace
}  // namespace numconf::hw
