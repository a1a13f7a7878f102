// A backend runs numeric operations on real hardware or vendor code: bits in, bits out, in
// batches.  Each operation carries the policy its instruction claims, in the model's terms, and
// `numconf check` compares the backend with the model under exactly that claim.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.hpp"
#include "formats/policy.hpp"

namespace numconf::hw {

enum class OpKind : std::uint8_t { Convert, Add, Sub, Mul, Div, Fma, Sqrt, Reciprocal };

// How many operands an operation takes.
NUMCONF_HD constexpr int arity(OpKind kind) {
  switch (kind) {
    case OpKind::Convert:
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
      return 1;
    case OpKind::Fma:
      return 3;
    default:
      return 2;
  }
}

// One entry point a backend can run and the behaviour it claims.
struct Operation {
  std::string name;  // the instruction or function as its vendor spells it
  OpKind kind = OpKind::Convert;
  Format operand;  // the source of a conversion; the operands' format otherwise
  Format result;
  Policy policy;                // the claim, vendor profile included (policy.profile)
  bool reports_flags = false;   // run() fills Batch::flags (x86 MXCSR); CUDA raises none
};

// result.size() cases; a, b, c hold as many operand codes as the operation's arity needs.
struct Batch {
  std::span<const std::uint64_t> a, b, c;
  std::span<std::uint64_t> result;
  std::span<std::uint8_t> flags;  // written only when the operation reports flags
};

struct Mismatch {
  std::array<std::uint64_t, 3> operands{};
  Rounded expected, got;  // model, backend (got.flags only when the operation reports flags)
};

struct SweepResult {
  std::uint64_t cases = 0, mismatches = 0;
  std::vector<Mismatch> first;  // the first few, in input order
};

struct MachineFact {
  std::string key, value;  // e.g. "cpu" "AMD EPYC 7B13", "gpu" "NVIDIA H100", "driver" "580.65"
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;  // "cpu", "cuda-host", "cuda"
  // Empty when the backend runs on this machine, else why not (shown, never counted as passed).
  virtual std::string unavailable_reason() const = 0;
  virtual std::vector<MachineFact> machine() const = 0;
  // What this machine can run: an instruction the hardware lacks is absent, never emulated.
  virtual std::vector<Operation> operations() const = 0;
  virtual void run(const Operation& op, const Batch& batch) const = 0;
  // An optional fast path for a dense sweep of a unary operation over the codes
  // [first, first + count): the backend compares with the model itself (the cuda backend on
  // the GPU) and returns only what differs, at most `keep` of them in `first`.  nullopt: not
  // offered, the caller runs batches through run().
  virtual std::optional<SweepResult> sweep(const Operation& op, std::uint64_t first,
                                           std::uint64_t count, std::size_t keep) const {
    (void)op, (void)first, (void)count, (void)keep;
    return std::nullopt;
  }
};

// Every backend built into this binary, available here or not.
std::vector<std::unique_ptr<Backend>> all_backends();

}  // namespace numconf::hw
