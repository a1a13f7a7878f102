#include "hw/cpu/cpu_backend.hpp"

#include <cpuid.h>

#include <cstring>
#include <functional>
#include <stdexcept>
#include <utility>

#include "formats/registry.hpp"
#include "hw/cpu/x86_kernels.hpp"

namespace numconf::hw {

namespace {

using x86::SseOp;

std::string cpu_brand() {
  unsigned regs[12] = {};
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) return "unknown x86-64";
  for (unsigned leaf = 0; leaf < 3; ++leaf)
    __get_cpuid(0x80000002 + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2],
                &regs[4 * leaf + 3]);
  char text[49] = {};
  std::memcpy(text, regs, 48);
  std::string brand(text);
  while (!brand.empty() && brand.back() == ' ') brand.pop_back();
  return brand;
}

struct Entry {
  Operation op;
  std::function<void(const Batch&)> run;
};

constexpr Policy x86_policy(Rounding r, bool ftz = false, bool daz = false) {
  Policy p;
  p.rounding = r;
  p.flush_outputs = ftz;
  p.flush_inputs = daz;
  p.tininess = Tininess::AfterRounding;  // x86 detects tininess after rounding (SDM 4.9.1.5)
  p.profile = Profile::X86;
  return p;
}

// MXCSR.RC and F16C's immediate number the modes alike: 0 rn, 1 rd (toward -inf), 2 ru, 3 rz.
constexpr Rounding kModes[] = {Rounding::NearestEven, Rounding::TowardNegative,
                               Rounding::TowardPositive, Rounding::TowardZero};
constexpr const char* kModeNames[] = {"rn", "rd", "ru", "rz"};

void add_sse(std::vector<Entry>& out) {
  struct Arith {
    SseOp op;
    OpKind kind;
    const char* name;
  };
  constexpr Arith kArith[] = {
      {SseOp::Add, OpKind::Add, "add"},    {SseOp::Sub, OpKind::Sub, "sub"},
      {SseOp::Mul, OpKind::Mul, "mul"},    {SseOp::Div, OpKind::Div, "div"},
      {SseOp::Sqrt, OpKind::Sqrt, "sqrt"}, {SseOp::Fma, OpKind::Fma, "vfmadd231"}};
  for (const int width : {32, 64})
    for (const Arith& a : kArith)
      for (int rc = 0; rc < 4; ++rc)
        for (int flush = 0; flush < 4; ++flush) {
          const bool ftz = (flush & 1) != 0, daz = (flush & 2) != 0;
          const std::uint32_t csr = x86::mxcsr(rc, ftz, daz);
          const std::string name = std::string(a.name) + (width == 32 ? "ss" : "sd") + " " +
                                   kModeNames[rc] + (ftz ? " ftz" : "") + (daz ? " daz" : "");
          const Format f = width == 32 ? kF32 : kF64;
          if (a.op == SseOp::Fma && !__builtin_cpu_supports("fma")) continue;
          out.push_back(
              {Operation{.name = name,
                         .kind = a.kind,
                         .operand = f,
                         .result = f,
                         .policy = x86_policy(kModes[rc], ftz, daz),
                         .reports_flags = true},
               [op = a.op, width, csr](const Batch& b) { x86::sse(op, width, 0, csr, b); }});
        }
  // cvt(t)ss2si / cvt(t)sd2si: the integer indefinite for NaN and out-of-range values.
  for (const int width : {32, 64})
    for (const int int_width : {32, 64})
      for (int rc = 0; rc <= 4; ++rc) {
        const bool truncate = rc == 4;
        const std::uint32_t csr = x86::mxcsr(truncate ? 0 : rc, false, false);
        const std::string name =
            std::string(truncate ? "cvtt" : "cvt") + (width == 32 ? "ss" : "sd") + "2si" +
            (int_width == 64 ? "64" : "32") + (truncate ? "" : std::string(" ") + kModeNames[rc]);
        const SseOp op = truncate ? SseOp::ToIntTruncate : SseOp::ToInt;
        Policy p = x86_policy(truncate ? Rounding::TowardZero : kModes[rc]);
        out.push_back({Operation{.name = name,
                                 .kind = OpKind::Convert,
                                 .operand = width == 32 ? kF32 : kF64,
                                 .result = int_format(int_width, true),
                                 .policy = p,
                                 .reports_flags = true},
                       [op, width, int_width, csr](const Batch& b) {
                         x86::sse(op, width, int_width, csr, b);
                       }});
      }
}

// Why an instruction set is missing, or empty when CPUID reports it.
std::string missing(bool present, const char* feature, const char* what) {
  if (present) return {};
  return std::string(what) + ": this CPU lacks " + feature + " (CPUID)";
}

// The CPUID feature a `missing` message names.
std::string feature_of(const std::string& why) {
  const std::size_t start = why.find("lacks ") + 6;
  return why.substr(start, why.find(' ', start) - start);
}

class CpuBackend final : public Backend {
 public:
  CpuBackend() {
    __builtin_cpu_init();
    add_sse(entries_);
    if (const std::string why =
            missing(__builtin_cpu_supports("f16c"), "f16c", "F16C vcvtps2ph/vcvtph2ps");
        why.empty()) {
      for (int imm = 0; imm < 4; ++imm)
        entries_.push_back({Operation{.name = std::string("vcvtps2ph ") + kModeNames[imm],
                                      .operand = kF32,
                                      .result = kF16,
                                      .policy = x86_policy(kModes[imm])},
                            [imm](const Batch& b) { x86::f16c_from_f32(imm, b); }});
      entries_.push_back({Operation{.name = "vcvtph2ps",
                                    .operand = kF16,
                                    .result = kF32,
                                    .policy = x86_policy(Rounding::NearestEven)},
                          x86::f16c_to_f32});
    } else {
      unsupported_.push_back({feature_of(why), why});
    }
    // VCVTNEPS2BF16 (Intel SDM vol. 2A, "VCVTNEPS2BF16"): round to nearest even, input
    // denormals read as zero, output denormals flushed (none can arise from a normal f32),
    // MXCSR neither consulted nor updated (so no flags), NaN truncated with its sign and the
    // quiet bit set: the model's own IEEE NaN rule.
    if (const std::string why = missing(__builtin_cpu_supports("avx512bf16"), "avx512bf16",
                                        "AVX512-BF16 vcvtneps2bf16");
        why.empty()) {
      entries_.push_back({Operation{.name = "vcvtneps2bf16",
                                    .operand = kF32,
                                    .result = kBF16,
                                    .policy = x86_policy(Rounding::NearestEven, true, true)},
                          x86::avx512bf16_from_f32});
    } else {
      unsupported_.push_back({feature_of(why), why});
    }
    if (const std::string why = missing(__builtin_cpu_supports("avx512fp16"), "avx512fp16",
                                        "AVX512-FP16 vaddsh/vsubsh/vmulsh/vdivsh/"
                                        "vsqrtsh/vfmadd*sh");
        why.empty()) {
      const struct {
        SseOp op;
        OpKind kind;
        const char* name;
      } kHalf[] = {{SseOp::Add, OpKind::Add, "vaddsh"},    {SseOp::Sub, OpKind::Sub, "vsubsh"},
                   {SseOp::Mul, OpKind::Mul, "vmulsh"},    {SseOp::Div, OpKind::Div, "vdivsh"},
                   {SseOp::Sqrt, OpKind::Sqrt, "vsqrtsh"}, {SseOp::Fma, OpKind::Fma, "vfmadd*sh"}};
      for (const auto& h : kHalf)
        entries_.push_back({Operation{.name = h.name,
                                      .kind = h.kind,
                                      .operand = kF16,
                                      .result = kF16,
                                      .policy = x86_policy(Rounding::NearestEven)},
                            [op = h.op](const Batch& b) { x86::avx512fp16(op, b); }});
    } else {
      unsupported_.push_back({feature_of(why), why});
    }
  }

  std::string_view name() const override { return "cpu"; }
  std::string unavailable_reason() const override { return {}; }
  std::vector<MachineFact> machine() const override {
    std::vector<MachineFact> facts{{"cpu", cpu_brand()}};
    for (const auto& [feature, why] : unsupported_)
      facts.push_back({"unsupported:" + feature, why});
    return facts;
  }
  std::vector<Operation> operations() const override {
    std::vector<Operation> ops;
    for (const Entry& e : entries_) ops.push_back(e.op);
    return ops;
  }
  void run(const Operation& op, const Batch& batch) const override {
    for (const Entry& e : entries_)
      if (e.op.name == op.name) return e.run(batch);
    throw std::invalid_argument("cpu has no operation " + op.name);
  }

 private:
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string, std::string>> unsupported_;  // CPUID feature, why
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace numconf::hw
