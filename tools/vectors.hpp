// Golden vectors (vectors/README.md): what a vector set is (an operation, its formats and
// policy, a generator), the cases a generator makes, the `#` header of a vector file, and the
// model an implementation is checked against.  Shared by gen, verify and test-impl.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/format.hpp"
#include "formats/policy.hpp"
#include "policy_options.hpp"

namespace numconf::cli {

inline constexpr int kVectorFormatVersion = 1;

// The operations a vector set can hold: a conversion, or an arithmetic operation of one format.
enum class Op { Convert, Add, Sub, Mul, Div, Fma, Sqrt, Min, Max, MinNum, MaxNum };

struct OpInfo {
  std::string_view name;
  Op op;
  int operands;
  bool rounds;  // whether the rounding and overflow policy can change its results
};

const OpInfo& op_from_name(std::string_view name);  // throws InputError
const OpInfo& op_info(Op op);

// Which cases a set holds.  Recorded: the operands a hardware recording chose (hw/recording.hpp),
// listed in its file; gen cannot make such a set.
enum class Coverage { Level1, Level2, Exhaustive, Random, Recorded };

// Everything that defines a vector set: the keys of a file's header.
struct VectorSpec {
  std::string op = "convert";
  std::string from, to;  // a conversion's source and result; both the format of arithmetic
  PolicyOptions policy;
  Coverage coverage = Coverage::Level1;
  std::uint64_t count = 0;  // Random: how many cases
  std::uint64_t seed = 0;   // Random cases and the R of stochastic rounding
  bool flags_column = true;  // false: a recording of hardware that raises no flags
};

// The options that name a vector set on the command line (gen, test-impl).
struct SetOptions {
  VectorSpec spec;
  std::string format;  // arithmetic: the format of operands and result
  int level = 1;
  bool exhaustive = false;
  std::uint64_t random = 0;

  void add_to(CLI::App& command);
  VectorSpec to_spec() const;  // throws InputError on contradictory options
};

// A spec with its names resolved and checked.
struct Job {
  VectorSpec spec;
  OpInfo info;
  Format operand, result;
  Policy policy;
  bool stochastic = false;

  int operand_digits() const { return (storage_bits(operand) + 3) / 4; }
  int result_digits() const { return (storage_bits(result) + 3) / 4; }
};

Job make_job(const VectorSpec& spec);  // throws InputError on unknown names and bad shapes

// One case: operands and, for stochastic rounding, the random value R.
struct Case {
  std::array<std::uint64_t, 3> operands{};
  std::uint64_t random = 0;
};

// The model's answer for one case.
Rounded model_result(const Job& job, const Case& c);

// An implementation under test: results and flags for a batch of cases.  The model is one;
// a hardware backend (hw/backend.hpp) plugs in as another.
using Implementation =
    std::function<void(const Job& job, std::span<const Case> cases, std::span<Rounded> out)>;
void run_model(const Job& job, std::span<const Case> cases, std::span<Rounded> out);

// The cases of a set, in file order: structured sets (levels 1 and 2) are built once, the
// others (exhaustive, random) are computed from their index, so any shard of any set starts
// anywhere.  With stochastic rounding, the R of case i is drawn from the seed and i.
class CaseSource {
 public:
  explicit CaseSource(const Job& job);
  std::uint64_t size() const { return size_; }
  Case at(std::uint64_t index) const;

 private:
  const Job& job_;
  std::vector<Case> structured_;
  std::uint64_t size_ = 0;
};

// A case's input fields (operands, then R for stochastic rounding) as convert and op read
// them, and a whole vector line (inputs, result, flags), each field zero-padded hex.
void append_inputs(std::string& out, const Job& job, const Case& c);
void append_case_line(std::string& out, const Job& job, const Case& c, const Rounded& r);
int random_digits(const Job& job);

// The `#` header lines of a file (each ending in '\n').
std::string header_text(const Job& job, std::uint64_t cases);

// Reads a header line by line.  Every line must be "# key value" with a known key, the first
// one "# numconf-vectors 1"; errors name the file and line.
class HeaderParser {
 public:
  explicit HeaderParser(std::string where) : where_(std::move(where)) {}
  void line(std::string_view text, long long number);
  bool empty() const { return lines_ == 0; }
  // The spec and the number of cases the header states; throws when a key is missing.
  VectorSpec spec(std::uint64_t& cases) const;

 private:
  [[noreturn]] void fail(long long number, const std::string& why) const;
  std::string where_;
  long long lines_ = 0;
  std::vector<std::pair<std::string, std::string>> keys_;
};

std::string_view coverage_name(Coverage c);

// The record of a .npy vector file: the inputs (operands a, b, c and R), then expected and
// flags, each a little-endian unsigned integer of 1, 2, 4 or 8 bytes.  Exhaustive sets leave
// the inputs out: record i is case FIRST + i, whose inputs are its index.
struct NpyField {
  std::string name;
  int bytes;
};
bool npy_stores_inputs(const Job& job);
std::vector<NpyField> npy_fields(const Job& job);
std::string npy_descr(const std::vector<NpyField>& fields);  // "[('a', '<u4'), ...]"

}  // namespace numconf::cli
