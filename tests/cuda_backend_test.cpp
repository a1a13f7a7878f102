// The cuda backend: its claims table (checked here without a GPU: consistent, complete against
// the CUDA headers, the policy agreeing with each instruction's spelling), its behaviour where no
// GPU is usable, and, where one is, every claimed operation against the model, bit for bit.
#include "hw/cuda/cuda_backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "formats/arith.hpp"
#include "formats/convert.hpp"
#include "formats/registry.hpp"
#include "hw/cuda/claims.hpp"
#include "hw/cuda/level1.hpp"
#include "hw/cuda/ordered.hpp"
#include "hw/recording.hpp"

namespace numconf::hw {
namespace {

using cuda::Claim;
using cuda::claims;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Both tables: the backend's operations and the clamped (_sat, _relu) forms.
std::vector<const Claim*> all_claims() {
  std::vector<const Claim*> out;
  for (const std::span<const Claim> table : {claims(), cuda::clamped_claims()})
    for (const Claim& c : table) out.push_back(&c);
  return out;
}

// The host model's result for one case of an operation, under its claimed policy.
Rounded host_model(const Operation& op, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  switch (op.kind) {
    case OpKind::Convert:
      return convert(op.operand, op.result, a, op.policy);
    case OpKind::Add:
      return add(op.operand, a, b, op.policy);
    case OpKind::Sub:
      return sub(op.operand, a, b, op.policy);
    case OpKind::Mul:
      return mul(op.operand, a, b, op.policy);
    case OpKind::Div:
      return div(op.operand, a, b, op.policy);
    case OpKind::Fma:
      return fma(op.operand, a, b, c, op.policy);
    case OpKind::Sqrt:
      return sqrt(op.operand, a, op.policy);
    case OpKind::Reciprocal:
      return div(op.operand, std::uint64_t(op.operand.bias) << op.operand.mantissa_bits, a,
                 op.policy);
  }
  return {};
}

// ---- The claims table ----------------------------------------------------------------------

TEST(CudaClaims, NamesAreUnique) {
  std::set<std::string> seen;
  for (const Claim* c : all_claims()) {
    EXPECT_TRUE(seen.insert(c->operation.name).second) << c->operation.name;
  }
  const auto backend = make_cuda_backend();
  if (backend->unavailable_reason().empty())
    EXPECT_EQ(backend->operations().size(), claims().size());
  else
    EXPECT_TRUE(backend->operations().empty()) << "nothing runs without a GPU";
}

TEST(CudaClaims, EveryClaimIsConsistent) {
  for (const Claim* claim : all_claims()) {
    const Claim& c = *claim;
    const Operation& op = c.operation;
    SCOPED_TRACE(op.name);
    EXPECT_EQ(op.policy.profile, Profile::Cuda);
    EXPECT_EQ(invalid_reason(op.operand), nullptr);
    EXPECT_EQ(invalid_reason(op.result), nullptr);
    EXPECT_FALSE(op.reports_flags);  // CUDA raises no exception flags
    EXPECT_EQ(c.device.kind, op.kind);
    EXPECT_EQ(c.device.operand, op.operand);
    EXPECT_EQ(c.device.result, op.result);
    EXPECT_EQ(c.device.policy, op.policy);
    if (op.kind != OpKind::Convert) {
      EXPECT_EQ(op.operand, op.result);
    }
    if (c.device.pair) {
      EXPECT_TRUE(c.device.lane_bits == 4 || c.device.lane_bits == 8 || c.device.lane_bits == 16);
      EXPECT_GE(c.device.lane_bits, storage_bits(op.result));
    } else {
      EXPECT_EQ(c.device.lane_bits, 0);
    }
  }
}

// The rounding and saturation each name spells, read independently of the table's code.
Rounding rounding_spelled(const std::string& name) {
  if (contains(name, ".rna.")) return Rounding::NearestAway;
  for (const char* s : {"_rz", ".rz.", ".rzi.", "cudaRoundZero"})
    if (contains(name, s)) return Rounding::TowardZero;
  for (const char* s : {"_rd", ".rm.", ".rmi."})
    if (contains(name, s)) return Rounding::TowardNegative;
  for (const char* s : {"_ru", ".rp.", ".rpi.", "cudaRoundPosInf"})
    if (contains(name, s)) return Rounding::TowardPositive;
  return Rounding::NearestEven;  // _rn, .rn, .rni, cudaRoundNearest, or the default of __hadd
}

TEST(CudaClaims, PolicyAgreesWithTheSpelling) {
  for (const Claim* c : all_claims()) {
    const Operation& op = c->operation;
    EXPECT_EQ(c->device.clamp, contains(op.name, "_sat(")    ? cuda::Clamp::ZeroToOne
                               : contains(op.name, "_relu(") ? cuda::Clamp::Relu
                                                             : cuda::Clamp::None);
    SCOPED_TRACE(op.name);
    EXPECT_EQ(op.policy.rounding, rounding_spelled(op.name));
    // Saturating: spelled so, or a float-to-integer conversion (PTX clamps), or an fp6/fp4
    // target (cuda_fp6.h, cuda_fp4.h: out-of-range values saturate to MAXNORM).
    const bool saturating =
        contains(op.name, "SATFINITE") || contains(op.name, "satfinite") ||
        contains(op.name, ".sat.") || !is_float(op.result) ||
        (is_float(op.result) && code_bits(op.result) <= 6 && op.result.is_signed);
    EXPECT_EQ(op.policy.overflow, saturating ? Overflow::Finite : Overflow::None);
    EXPECT_EQ(op.policy.flush_inputs, contains(op.name, ".ftz"));
    EXPECT_EQ(op.policy.flush_outputs, contains(op.name, ".ftz") && op.kind != OpKind::Convert);
  }
}

// Every conversion function the CUDA headers declare is claimed (its name up to "(").
TEST(CudaClaims, CoversEveryConversionOfTheCudaHeaders) {
  std::set<std::string> claimed;
  for (const Claim& c : claims())
    claimed.insert(c.operation.name.substr(0, c.operation.name.find('(')));
  const std::regex declared(R"(\b(__nv_cvt_[a-z0-9_]+)\s*\()");
  int found = 0;
  for (const char* header : {"cuda_fp8.h", "cuda_fp6.h", "cuda_fp4.h"}) {
    std::ifstream in(std::string(NUMCONF_CUDA_INCLUDE_DIR) + "/" + header);
    ASSERT_TRUE(in) << header;
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), declared); it != std::sregex_iterator();
         ++it, ++found)
      EXPECT_TRUE(claimed.contains((*it)[1])) << (*it)[1] << " from " << header;
  }
  EXPECT_GT(found, 40);
}

TEST(CudaClaims, CoversTheIssueList) {
  std::vector<std::string> wanted = {"cvt.rna.tf32.f32",
                                     "cvt.rn.tf32.f32",
                                     "cvt.rz.tf32.f32",
                                     "cvt.rn.satfinite.e4m3x2.f32",
                                     "cvt.rn.satfinite.e5m2x2.f32",
                                     "cvt.rn.satfinite.e4m3x2.f16x2",
                                     "cvt.rn.satfinite.e5m2x2.f16x2",
                                     "cvt.rn.f16x2.e4m3x2",
                                     "cvt.rn.f16x2.e5m2x2",
                                     "cvt.sat.s8.s32",
                                     "cvt.sat.u8.s32",
                                     "__hadd(__half)",
                                     "__hmul(__half)",
                                     "__hfma(__half)",
                                     "__hadd(__nv_bfloat16)",
                                     "__hmul(__nv_bfloat16)",
                                     "__hfma(__nv_bfloat16)",
                                     "__hadd_sat(__half)",
                                     "__hmul_sat(__half)",
                                     "__hfma_sat(__half)",
                                     "__hfma_relu(__half)",
                                     "__hadd_sat(__nv_bfloat16)",
                                     "__hfma_relu(__nv_bfloat16)"};
  for (const char* r : {"rn", "rz", "rm", "rp"})
    for (const char* t : {"f16", "bf16"})
      for (const char* s : {"f32", "f64"})
        wanted.push_back(std::string("cvt.") + r + "." + t + "." + s);
  for (const char* r : {"_rn", "_rz", "_ru", "_rd"}) {
    for (const char* f : {"__fadd", "__fmul", "__fmaf", "__fdiv", "__fsqrt", "__frcp", "__dadd",
                          "__dmul", "__fma", "__ddiv", "__dsqrt", "__drcp", "__float2int"})
      wanted.push_back(std::string(f) + r);
  }
  for (const std::string& name : wanted) EXPECT_NE(cuda::find_claim(name), nullptr) << name;
}

// The _sat and _relu clamps on worked examples (values from the f16 and bf16 encodings).
TEST(CudaClamp, WorkedExamples) {
  using cuda::Clamp;
  struct Case {
    Format f;
    Clamp clamp;
    std::uint64_t in, out;
  };
  const Case cases[] = {
      {kF16, Clamp::ZeroToOne, 0x4000, 0x3c00},   // 2 -> 1
      {kF16, Clamp::ZeroToOne, 0x3800, 0x3800},   // 0.5 stays
      {kF16, Clamp::ZeroToOne, 0x3c00, 0x3c00},   // 1 stays
      {kF16, Clamp::ZeroToOne, 0xbc00, 0x0000},   // -1 -> +0
      {kF16, Clamp::ZeroToOne, 0x7c00, 0x3c00},   // +Inf -> 1
      {kF16, Clamp::ZeroToOne, 0xfc00, 0x0000},   // -Inf -> +0
      {kF16, Clamp::ZeroToOne, 0xfe01, 0x0000},   // NaN -> +0
      {kF16, Clamp::ZeroToOne, 0x0001, 0x0001},   // smallest subnormal stays
      {kF16, Clamp::Relu, 0xc000, 0x0000},        // -2 -> +0
      {kF16, Clamp::Relu, 0x7bff, 0x7bff},        // max finite stays
      {kF16, Clamp::Relu, 0x7c00, 0x7c00},        // +Inf stays
      {kF16, Clamp::Relu, 0xfe01, 0x7fff},        // NaN -> canonical NaN
      {kBF16, Clamp::ZeroToOne, 0x4000, 0x3f80},  // 2 -> 1
      {kBF16, Clamp::Relu, 0x7fc1, 0x7fff},       // NaN -> canonical NaN
      {kBF16, Clamp::Relu, 0x8001, 0x0000},       // -smallest subnormal -> +0
  };
  for (const Case& c : cases)
    EXPECT_EQ(cuda::apply_clamp(c.f, c.clamp, Rounded{c.in, 0}).bits, c.out) << std::hex << c.in;
}

// Level-1 operands are codes of the operand format, one list per operand, and reach the ties.
TEST(CudaLevel1, OperandsAreCodesAndReachTheTies) {
  for (const Claim& c : claims()) {
    const Operation& op = c.operation;
    SCOPED_TRACE(op.name);
    const cuda::OperandLists lists = cuda::level1_operands(op);
    ASSERT_FALSE(lists.a.empty());
    EXPECT_EQ(lists.b.size(), hw::arity(op.kind) >= 2 ? lists.a.size() : 0u);
    EXPECT_EQ(lists.c.size(), hw::arity(op.kind) == 3 ? lists.a.size() : 0u);
    for (const auto* list : {&lists.a, &lists.b, &lists.c})
      for (const std::uint64_t code : *list)
        ASSERT_EQ(code & ~low_mask(storage_bits(op.operand)), 0u);
  }
  // f32 -> f16: 1 + 2^-11 is the tie between 1 and 1 + 2^-10, 65520 the overflow tie, 2^-25 the
  // tie between 0 and the smallest f16 subnormal.
  const std::vector<std::uint64_t> a =
      cuda::level1_operands(cuda::find_claim("cvt.rn.f16.f32")->operation).a;
  for (const std::uint64_t tie : {0x3f801000u, 0x477ff000u, 0x33000000u, 0xbf801001u})
    EXPECT_TRUE(std::find(a.begin(), a.end(), tie) != a.end()) << std::hex << tie;
}

// ---- The first mismatches in case order, from launches that report them in any order --------

// A stand-in for the GPU: mismatches at the given case numbers, reported in reverse order and
// cut at the capacity, as a kernel's atomic slots may leave them.
struct FakeLaunch {
  std::vector<std::uint64_t> bad;  // ascending
  int* launches;
  cuda::DeviceComparison operator()(std::uint64_t start, std::uint64_t n,
                                    std::size_t capacity) const {
    ++*launches;
    cuda::DeviceComparison out;
    for (auto it = bad.rbegin(); it != bad.rend(); ++it) {
      if (*it < start || *it >= start + n) continue;
      ++out.mismatches;
      if (out.found.size() < capacity) {
        cuda::DeviceMismatch m;
        m.index = *it;
        m.a = *it;
        out.found.push_back(m);
      }
    }
    return out;
  }
};

// Every claim numconf_cuda_check records, written as its recording would be with the model's
// results in place of the GPU's: `numconf verify` must read every header (formats, policy,
// operand columns) and find the model in agreement, so the first GPU run's recordings are
// checked the day they are committed.  The clamped forms and reciprocals are never recorded.
TEST(CudaRecording, EveryRecordedClaimReadsBackThroughVerify) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "numconf-cuda-recordings";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Provenance provenance;
  provenance.recorder = "cuda_backend_test";
  std::string files;
  int recorded = 0;
  for (const Claim* claim : all_claims()) {
    const Operation& op = claim->operation;
    if (claim->device.clamp != cuda::Clamp::None || !unrecordable_reason(op).empty()) continue;
    const cuda::OperandLists lists = cuda::level1_operands(op);
    std::vector<std::vector<std::uint64_t>> operands{lists.a};
    if (!lists.b.empty()) operands.push_back(lists.b);
    if (!lists.c.empty()) operands.push_back(lists.c);
    std::vector<std::uint64_t> results;
    for (std::size_t i = 0; i < lists.a.size(); ++i)
      results.push_back(host_model(op, lists.a[i], lists.b.empty() ? 0 : lists.b[i],
                                   lists.c.empty() ? 0 : lists.c[i])
                            .bits);
    const std::filesystem::path path = dir / (file_slug(op.name) + ".txt");
    std::ofstream(path) << recording_text(op, operands, results, provenance);
    files += " '" + path.string() + "'";
    ++recorded;
  }
  EXPECT_GT(recorded, 250);
  const std::string log = (dir / "verify.log").string();
  const int status =
      std::system((std::string(NUMCONF_CLI) + " verify" + files + " >'" + log + "' 2>&1").c_str());
  std::stringstream output;
  output << std::ifstream(log).rdbuf();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output.str();
  int verified = 0;  // one summary line per file
  for (std::string line; std::getline(output, line);) verified += line.ends_with(" 0 mismatched");
  EXPECT_EQ(verified, recorded) << output.str();
  std::filesystem::remove_all(dir);
}

TEST(CudaOrdered, KeepsTheFirstMismatchesInCaseOrder) {
  struct Case {
    std::vector<std::uint64_t> bad;
    std::uint64_t count, chunk;
    std::size_t keep;
  };
  std::vector<std::uint64_t> dense(5000);  // more than a launch's capacity (1024)
  for (std::size_t i = 0; i < dense.size(); ++i) dense[i] = 3 * i + 7;
  const Case cases[] = {
      {{}, 100, 1 << 28, 5},      {{3, 50, 99}, 100, 1 << 28, 5}, {{3, 50, 99}, 100, 1 << 28, 2},
      {{3, 50, 99}, 100, 16, 5},  // spread over chunks
      {dense, 20000, 1 << 28, 5}, {dense, 20000, 4096, 1500},     {dense, 20000, 1 << 28, 0}};
  for (const Case& c : cases) {
    int launches = 0;
    const SweepResult r =
        cuda::OrderedComparison(FakeLaunch{c.bad, &launches}, c.keep, c.chunk).run(c.count);
    EXPECT_EQ(r.cases, c.count);
    EXPECT_EQ(r.mismatches, c.bad.size());
    ASSERT_EQ(r.first.size(), std::min(c.keep, c.bad.size()));
    for (std::size_t i = 0; i < r.first.size(); ++i) EXPECT_EQ(r.first[i].operands[0], c.bad[i]);
  }
}

// ---- Without a usable GPU ------------------------------------------------------------------

TEST(CudaBackend, SaysWhyItIsUnavailable) {
  const std::unique_ptr<Backend> gpu = make_cuda_backend();
  EXPECT_EQ(gpu->name(), "cuda");
  const std::string why = gpu->unavailable_reason();
  if (why.empty()) GTEST_SKIP() << "a usable GPU is present";
  EXPECT_TRUE(why.starts_with("no CUDA device: cudaGetDeviceCount ") ||
              why.starts_with("GPU 0 (") || why.starts_with("CUDA device 0 unusable: "))
      << why;
}

TEST(CudaBackend, ReportsTheRuntimeVersion) {
  bool found = false;
  for (const MachineFact& f : make_cuda_backend()->machine())
    if (f.key == "cuda runtime") {
      found = true;
      EXPECT_TRUE(std::regex_match(f.value, std::regex(R"(\d+\.\d+)"))) << f.value;
    }
  EXPECT_TRUE(found);
}

TEST(CudaBackend, RejectsAnUnknownOperation) {
  const std::unique_ptr<Backend> gpu = make_cuda_backend();
  Operation op;
  op.name = "cvt.rn.f17.f32";
  std::vector<std::uint64_t> a{0}, out(1);
  EXPECT_THROW(gpu->run(op, Batch{a, {}, {}, out, {}}), std::invalid_argument);
}

// A failing CUDA call becomes an exception that names the call and CUDA's error.
TEST(CudaBackend, AFailedCudaCallIsAClearError) {
  const std::unique_ptr<Backend> gpu = make_cuda_backend();
  if (gpu->unavailable_reason().empty()) GTEST_SKIP() << "a usable GPU is present";
  const Operation op = claims().front().operation;
  std::vector<std::uint64_t> a{0x3f800000}, out(1);
  try {
    gpu->run(op, Batch{a, {}, {}, out, {}});
    FAIL() << "run() succeeded without a usable GPU";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("CUDA error: cudaMalloc")) << e.what();
  }
}

// ---- On a GPU ------------------------------------------------------------------------------

class OnGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = gpu_.unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  }
  CudaBackend gpu_;
};

std::string describe(const Operation& op, const SweepResult& r) {
  std::ostringstream s;
  s << op.name << ": " << r.mismatches << " of " << r.cases << " cases differ";
  for (const Mismatch& m : r.first)
    s << "\n  operands " << std::hex << m.operands[0] << " " << m.operands[1] << " "
      << m.operands[2] << ": model " << m.expected.bits << " (flags " << int(m.expected.flags)
      << "), gpu " << m.got.bits << std::dec;
  return s.str();
}

// Every claim on its level-1 operands (every code of a source of at most 16 bits).
TEST_F(OnGpu, EveryClaimMatchesTheModelOnLevel1) {
  for (const Claim* c : all_claims()) {
    const Operation& op = c->operation;
    SweepResult r;
    if (hw::arity(op.kind) == 1 && storage_bits(op.operand) <= 16) {
      r = *gpu_.sweep(op, 0, std::uint64_t{1} << storage_bits(op.operand), 5);
    } else {
      const cuda::OperandLists lists = cuda::level1_operands(op);
      r = gpu_.compare(op, lists.a, lists.b, lists.c, 5);
    }
    EXPECT_EQ(r.mismatches, 0u) << describe(op, r);
  }
}

// The model compiled for the device agrees with the host model: run() returns the GPU's bits,
// and the host model must differ from them exactly where the GPU-side comparison said so.
TEST_F(OnGpu, DeviceModelAgreesWithHostModel) {
  for (const Claim* c : all_claims()) {
    const Operation& op = c->operation;
    const cuda::OperandLists lists = cuda::level1_operands(op);
    std::vector<std::uint64_t> got(lists.a.size());
    gpu_.run(op, Batch{lists.a, lists.b, lists.c, got, {}});
    std::uint64_t host_mismatches = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const std::uint64_t a = lists.a[i], b = lists.b.empty() ? 0 : lists.b[i],
                          x = lists.c.empty() ? 0 : lists.c[i];
      const Rounded want = host_model(op, a, b, x);
      host_mismatches += cuda::apply_clamp(op.result, c->device.clamp, want).bits != got[i];
    }
    const SweepResult device = gpu_.compare(op, lists.a, lists.b, lists.c, 0);
    EXPECT_EQ(host_mismatches, device.mismatches) << op.name;
  }
}

// The slow tier: all 2^32 inputs of every unary operation on a 32-bit source, all 2^32 operand
// pairs of every binary operation on a 16-bit format.
TEST_F(OnGpu, DISABLED_ExhaustiveSweeps) {
  for (const Claim* c : all_claims()) {
    const Operation& op = c->operation;
    const int bits = storage_bits(op.operand);
    SweepResult r;
    if (hw::arity(op.kind) == 1 && bits == 32)
      r = *gpu_.sweep(op, 0, std::uint64_t{1} << 32, 5);
    else if (hw::arity(op.kind) == 2 && bits == 16)
      r = gpu_.sweep_pairs16(op, 0, std::uint64_t{1} << 32, 5);
    else
      continue;
    EXPECT_EQ(r.mismatches, 0u) << describe(op, r);
  }
}

}  // namespace
}  // namespace numconf::hw
