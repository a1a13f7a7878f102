// The hardware backends (hw/) against the model under the policy each instruction claims, and
// the vendor profiles of the model against the oracle.  A backend or instruction set this
// machine lacks is skipped with the reason, never passed.
//
// Default tier (label hw): every operation on its level-1 cases (docs/profiles.md), every code
// of 8- and 16-bit sources.  Slow tier (label slow): HwSlow.*, every f32 input of every
// cuda-host conversion from float.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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
#include "hw/recording.hpp"
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

// The level-1 cases of a conversion from a 64-bit integer reach the ties a double rounding gets
// wrong: rounding to f32 first and then to bf16 (what NVIDIA's host code avoids by rounding to
// odd) differs from the model on some of them, and the range's ends are there.
TEST(Cases, IntegerSourcesReachDoubleRoundingTies) {
  Policy rn;
  rn.profile = Profile::Cuda;
  const Operation op{.name = "__ll2bfloat16_rn",
                     .kind = OpKind::Convert,
                     .operand = kI64,
                     .result = kBF16,
                     .policy = rn};
  const Cases cases = make_cases(op, Level::Quick);
  int double_rounding_differs = 0;
  for (const std::uint64_t x : cases.a) {
    const std::uint64_t via_f32 = convert(kF32, kBF16, convert(kI64, kF32, x, rn).bits, rn).bits;
    double_rounding_differs += via_f32 != convert(kI64, kBF16, x, rn).bits;
  }
  EXPECT_GT(double_rounding_differs, 0);  // 78 of them
  for (const std::uint64_t end : {std::uint64_t{0x8000000000000000}, ~std::uint64_t{0} >> 1})
    EXPECT_NE(std::find(cases.a.begin(), cases.a.end(), end), cases.a.end()) << hex(end);
}

TEST(Backends, AbsentOnesAreListedWithAReason) {
  for (const auto& b : all_backends()) {
    if (b->unavailable_reason().empty()) continue;
    EXPECT_TRUE(b->operations().empty()) << b->name();
  }
  EXPECT_NE(find_backend("cuda"), nullptr);
  EXPECT_NE(find_backend("cuda-host"), nullptr);
}

// ---- Recordings: a backend's outputs as vector files that `numconf verify` reads ------------

// A fresh directory under the test's temporary directory, removed with the fixture.
class Recording : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("numconf-recording-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes the recording of `results` on `operands` and returns its path.
  std::filesystem::path write(const Operation& op,
                              const std::vector<std::vector<std::uint64_t>>& operands,
                              const std::vector<std::uint64_t>& results) const {
    EXPECT_EQ(unrecordable_reason(op), "") << op.name;
    const Provenance provenance{.recorder = "hw_test",
                                .device = "none (hw_test on the host)",
                                .driver = "none",
                                .cuda = "13.0",
                                .date = "2026-11-24T00:00:00Z"};
    const std::filesystem::path path = dir_ / (file_slug(op.name) + ".txt");
    std::ofstream(path) << recording_text(op, operands, results, provenance);
    return path;
  }

  // `numconf verify` on the files: its exit status, and what it printed in `output`.
  int verify(const std::vector<std::filesystem::path>& files, std::string& output) const {
    std::string command = std::string(NUMCONF_CLI) + " verify";
    for (const auto& f : files) command += " '" + f.string() + "'";
    const std::filesystem::path log = dir_ / "verify.log";
    const int status = std::system((command + " >'" + log.string() + "' 2>&1").c_str());
    std::stringstream text;
    text << std::ifstream(log).rdbuf();
    output = text.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::filesystem::path dir_;
};

// Flips the lowest bit of the result on line `line` (1-based) of a recording.
void plant_wrong_bit(const std::filesystem::path& path, int line) {
  std::ifstream in(path);
  std::string text, row;
  for (int n = 1; std::getline(in, row); ++n) {
    if (n == line) {
      char& last = row.back();
      const int digit = std::stoi(std::string(1, last), nullptr, 16) ^ 1;
      last = "0123456789abcdef"[digit];
    }
    text += row + "\n";
  }
  std::ofstream(path) << text;
}

int first_case_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string row;
  int n = 0;
  while (std::getline(in, row) && row.starts_with("#")) ++n;
  return n + 1;
}

// NVIDIA's host code recorded on the level-1 cases of three of its conversions (f32, f64 and
// 8-bit sources; profiles cuda and model): `numconf verify` checks the model against each file
// and passes, and catches one result bit changed.
TEST_F(Recording, CudaHostOutputsVerifyAndAWrongBitIsCaught) {
  const Backend* backend = find_backend("cuda-host");
  ASSERT_NE(backend, nullptr);
  if (const std::string why = backend->unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::filesystem::path> files;
  for (const Operation& op : backend->operations()) {
    if (op.name != "__nv_cvt_float_to_fp8(SATFINITE, E4M3)" &&
        op.name != "__nv_cvt_double_to_fp8(NOSAT, E5M2)" &&
        op.name != "__nv_cvt_fp8_to_halfraw(E4M3)")
      continue;
    const Cases cases = make_cases(op, Level::Quick);
    std::vector<std::uint64_t> results(cases.size());
    backend->run(op, Batch{cases.a, {}, {}, results, {}});
    files.push_back(write(op, {cases.a}, results));
  }
  ASSERT_EQ(files.size(), 3u);
  std::string output;
  EXPECT_EQ(verify(files, output), 0) << output;
  EXPECT_NE(output.find("0 mismatched"), std::string::npos) << output;

  const int line = first_case_line(files[0]) + 7;
  plant_wrong_bit(files[0], line);
  EXPECT_EQ(verify(files, output), 1) << output;
  EXPECT_NE(output.find("line " + std::to_string(line) + ":"), std::string::npos) << output;
  EXPECT_NE(output.find("1 mismatched"), std::string::npos) << output;
}

// Binary and ternary operations go through the `format` header key and two or three operand
// columns: the model's own results under profile cuda recorded, verified, and one bit changed.
TEST_F(Recording, ArithmeticOperandsAndAWrongBitIsCaught) {
  Policy cuda;
  cuda.profile = Profile::Cuda;
  Policy cuda_rz = cuda;
  cuda_rz.rounding = Rounding::TowardZero;
  const Operation add{
      .name = "__hadd", .kind = OpKind::Add, .operand = kF16, .result = kF16, .policy = cuda};
  const Operation fma{
      .name = "__fmaf_rz", .kind = OpKind::Fma, .operand = kF32, .result = kF32, .policy = cuda_rz};
  std::vector<std::filesystem::path> files;
  for (const Operation& op : {add, fma}) {
    const Cases cases = make_cases(op, Level::Quick);
    std::vector<std::vector<std::uint64_t>> operands{cases.a, cases.b};
    if (op.kind == OpKind::Fma) operands.push_back(cases.c);
    std::vector<std::uint64_t> results;
    for (std::size_t i = 0; i < cases.size(); ++i)
      results.push_back(
          model_result(op, cases.a[i], cases.b[i], cases.c.empty() ? 0 : cases.c[i]).bits);
    files.push_back(write(op, operands, results));
  }
  std::string output;
  EXPECT_EQ(verify(files, output), 0) << output;
  const int line = first_case_line(files[1]) + 100;
  plant_wrong_bit(files[1], line);
  EXPECT_EQ(verify(files, output), 1) << output;
  EXPECT_NE(output.find("line " + std::to_string(line) + ":"), std::string::npos) << output;
}

TEST(RecordingText, HeaderStatesTheClaimAndProvenance) {
  Policy p;
  p.overflow = Overflow::Finite;
  p.profile = Profile::Cuda;
  const Operation op{.name = "cvt.rn.satfinite.e4m3x2.f32",
                     .kind = OpKind::Convert,
                     .operand = kF32,
                     .result = kE4M3FN,
                     .policy = p};
  const std::string text = recording_text(op, std::vector<std::vector<std::uint64_t>>{{0x43e80000}},
                                          std::vector<std::uint64_t>{0x7e},
                                          Provenance{.recorder = "numconf_cuda_check 0.1.0",
                                                     .device = "NVIDIA H100",
                                                     .driver = "",
                                                     .cuda = "13.0",
                                                     .date = ""});
  EXPECT_EQ(text,
            "# numconf-vectors 1\n# generator numconf_cuda_check 0.1.0\n# op convert\n"
            "# from f32\n# to e4m3fn\n# round rn\n# sat finite\n# overflow-rule ieee\n"
            "# daz no\n# ftz no\n# tininess after\n# nan-to-nanless zero\n# rbits 0\n"
            "# coverage recorded\n# seed 0\n# cases 1\n# fields a result\n# profile cuda\n"
            "# instruction cvt.rn.satfinite.e4m3x2.f32\n# device NVIDIA H100\n# cuda 13.0\n"
            "43e80000 7e\n");
  Operation rcp = op;
  rcp.kind = OpKind::Reciprocal;
  EXPECT_NE(unrecordable_reason(rcp), "");
  Operation flagged = op;
  flagged.reports_flags = true;
  EXPECT_NE(unrecordable_reason(flagged), "");
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
