// numconf_cuda_check: the cuda backend on its own.  Runs every claimed operation on the GPU
// against the model (compared on the GPU), prints one row per operation, optionally writes a
// JSON report and the GPU's outputs on the level-1 operands as observed vectors.
//   numconf_cuda_check [--level 1|exhaustive] [--filter TEXT] [--report FILE.json]
//                      [--observed DIR] [--list]
// Exit status: 0 every case matches, 1 a mismatch, 2 bad input or no usable GPU.
// It needs nothing beyond the CUDA toolkit and the C++ library, so that a GPU machine without
// the project's other dependencies can build it with nvcc alone (scripts/gpu.sh).
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hw/cuda/claims.hpp"
#include "hw/cuda/cuda_backend.hpp"
#include "hw/cuda/level1.hpp"
#include "hw/recording.hpp"

namespace numconf::hw::cuda {
namespace {

constexpr std::size_t kShown = 5;  // mismatches kept and printed per operation

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char text[1024];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

std::string rounding_text(Rounding r) {
  constexpr const char* names[] = {"rn", "rna", "rz", "rp", "rm", "ro", "sra", "srb", "src"};
  return names[int(r)];
}

std::string policy_text(const Policy& p, Clamp clamp = Clamp::None) {
  const char* overflow[] = {"none", "finite", "propagate"};
  std::string s = rounding_text(p.rounding) + " sat=" + overflow[int(p.overflow)];
  if (p.flush_inputs) s += " daz";
  if (p.flush_outputs) s += " ftz";
  if (p.nan_to_nanless == NanToNanless::MaxFinite) s += " nan-to-nanless=max";
  s += p.profile == Profile::Cuda ? " profile=cuda" : " profile=model";
  if (clamp == Clamp::ZeroToOne) s += ", then clamp to [0, 1] (NaN -> +0)";
  if (clamp == Clamp::Relu) s += ", then relu (NaN -> canonical NaN)";
  return s;
}

const char* kind_text(OpKind k) {
  constexpr const char* names[] = {"convert", "add", "sub", "mul", "div", "fma", "sqrt", "rcp"};
  return names[int(k)];
}

std::string hex(std::uint64_t v, const Format& f) {
  return format("%0*llx", (storage_bits(f) + 3) / 4, static_cast<unsigned long long>(v));
}

std::string hex(std::uint64_t v) { return format("%llx", static_cast<unsigned long long>(v)); }

std::string fact(const std::vector<MachineFact>& facts, std::string_view key) {
  for (const MachineFact& f : facts)
    if (f.key == key) return f.value;
  return "unknown";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// Writes `text` to `path` through a temporary file, so no partial file is ever left behind.
void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temp.string());
  }
  std::filesystem::rename(temp, path);
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

struct Row {
  const Claim* claim;
  SweepResult result;
  double seconds = 0;
};

// What the level decides: all codes of a source of at most 32 bits (unary) or all pairs of
// 16-bit codes (binary) at `exhaustive`; the level-1 operands otherwise.
SweepResult check_one(const CudaBackend& gpu, const Claim& claim, bool exhaustive) {
  const Operation& op = claim.operation;
  const int bits = storage_bits(op.operand);
  if (arity(op.kind) == 1 && (bits <= 16 || (exhaustive && bits <= 32)))
    return *gpu.sweep(op, 0, std::uint64_t{1} << bits, kShown);
  if (arity(op.kind) == 2 && bits == 16 && exhaustive)
    return gpu.sweep_pairs16(op, 0, std::uint64_t{1} << 32, kShown);
  const OperandLists lists = level1_operands(op);
  return gpu.compare(op, lists.a, lists.b, lists.c, kShown);
}

void print_row(const Row& row) {
  const Operation& op = row.claim->operation;
  std::printf("%-58s %-7s %12llu %10llu %9.3fs\n", op.name.c_str(), kind_text(op.kind),
              static_cast<unsigned long long>(row.result.cases),
              static_cast<unsigned long long>(row.result.mismatches), row.seconds);
  for (const Mismatch& m : row.result.first) {
    std::string operands = hex(m.operands[0], op.operand);
    for (int i = 1; i < arity(op.kind); ++i) {
      operands += ' ';
      operands += hex(m.operands[std::size_t(i)], op.operand);
    }
    std::printf("    %s -> model %s (flags %02x), gpu %s\n", operands.c_str(),
                hex(m.expected.bits, op.result).c_str(), m.expected.flags,
                hex(m.got.bits, op.result).c_str());
  }
}

std::string report_json(const std::vector<MachineFact>& facts, const std::vector<Row>& rows,
                        const std::string& level) {
  std::string out = "{\n  \"tool\": \"numconf_cuda_check\",\n  \"numconf_version\": " +
                    json_string(NUMCONF_VERSION) + ",\n  \"level\": " + json_string(level) +
                    ",\n  \"date\": " + json_string(utc_now()) + ",\n  \"machine\": {";
  for (std::size_t i = 0; i < facts.size(); ++i)
    out += (i ? ", " : "") + json_string(facts[i].key) + ": " + json_string(facts[i].value);
  out += "},\n  \"rows\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Operation& op = rows[i].claim->operation;
    out += "    {\"backend\": \"cuda\", \"instruction\": " + json_string(op.name) +
           ", \"kind\": \"" + kind_text(op.kind) +
           "\", \"operand\": " + json_string(format_name(op.operand)) +
           ", \"result\": " + json_string(format_name(op.result)) +
           ", \"policy\": " + json_string(policy_text(op.policy, rows[i].claim->device.clamp)) +
           ", \"cases\": " + std::to_string(rows[i].result.cases) +
           ", \"mismatches\": " + std::to_string(rows[i].result.mismatches) +
           format(", \"seconds\": %.4f", rows[i].seconds) + ", \"first_mismatches\": [";
    for (std::size_t j = 0; j < rows[i].result.first.size(); ++j) {
      const Mismatch& m = rows[i].result.first[j];
      out += std::string(j ? ", " : "") + "{\"operands\": [\"" + hex(m.operands[0]) + "\", \"" +
             hex(m.operands[1]) + "\", \"" + hex(m.operands[2]) + "\"], \"model\": \"" +
             hex(m.expected.bits) + "\", \"model_flags\": \"" + format("%02x", m.expected.flags) +
             "\", \"gpu\": \"" + hex(m.got.bits) + "\"}";
    }
    out += i + 1 < rows.size() ? "]},\n" : "]}\n";
  }
  return out + "  ]\n}\n";
}

// The GPU's outputs on the level-1 operands as a vector file (hw/recording.hpp), so that
// `numconf verify` checks the model against them on any machine.  False, with why, when the
// claim cannot be one (a clamp after the model's policy, or no vector operation).
bool record(const CudaBackend& gpu, const Claim& claim, const std::vector<MachineFact>& facts,
            const std::filesystem::path& dir) {
  const Operation& op = claim.operation;
  std::string why = unrecordable_reason(op);
  if (claim.device.clamp != Clamp::None) why = "its claim clamps after the model's policy";
  if (!why.empty()) {
    std::printf("not recorded: %s (%s)\n", op.name.c_str(), why.c_str());
    return false;
  }
  const OperandLists lists = level1_operands(op);
  std::vector<std::vector<std::uint64_t>> operands{lists.a};
  if (arity(op.kind) >= 2) operands.push_back(lists.b);
  if (arity(op.kind) >= 3) operands.push_back(lists.c);
  std::vector<std::uint64_t> results(lists.a.size());
  gpu.run(op, Batch{lists.a, lists.b, lists.c, results, {}});
  const Provenance provenance{
      .recorder = std::string("numconf_cuda_check ") + NUMCONF_VERSION,
      .device = fact(facts, "gpu") + ", compute capability " + fact(facts, "compute capability"),
      .driver = fact(facts, "driver"),
      .cuda = fact(facts, "cuda runtime"),
      .date = utc_now()};
  write_file(dir / (file_slug(op.name) + ".txt"),
             recording_text(op, operands, results, provenance));
  return true;
}

constexpr const char* kUsage =
    "usage: numconf_cuda_check [--level 1|exhaustive] [--filter TEXT] [--report FILE.json]\n"
    "                          [--observed DIR] [--list]\n";

struct Options {
  std::string level = "1", filter, report, observed;
  bool list = false;
};

// Throws std::invalid_argument naming the offending argument.
Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--level")
      o.level = value();
    else if (arg == "--filter")
      o.filter = value();
    else if (arg == "--report")
      o.report = value();
    else if (arg == "--observed")
      o.observed = value();
    else if (arg == "--list")
      o.list = true;
    else
      throw std::invalid_argument("unknown argument '" + arg + "'");
  }
  if (o.level != "1" && o.level != "exhaustive")
    throw std::invalid_argument("--level must be 1 or exhaustive, not '" + o.level + "'");
  return o;
}

int run_check(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "numconf_cuda_check: %s\n%s", e.what(), kUsage);
    return 2;
  }
  const auto& [level, filter, report, observed, list] = options;

  std::vector<const Claim*> chosen;
  for (const std::span<const Claim> table : {claims(), clamped_claims()})
    for (const Claim& c : table)
      if (c.operation.name.find(filter) != std::string::npos) chosen.push_back(&c);
  if (chosen.empty()) {
    std::fprintf(stderr, "numconf_cuda_check: no operation matches --filter '%s'\n",
                 filter.c_str());
    return 2;
  }
  if (list) {
    for (const Claim* c : chosen)
      std::printf("%-58s %-7s %10s -> %-10s %s\n", c->operation.name.c_str(),
                  kind_text(c->operation.kind), format_name(c->operation.operand).c_str(),
                  format_name(c->operation.result).c_str(),
                  policy_text(c->operation.policy, c->device.clamp).c_str());
    return 0;
  }

  const CudaBackend gpu;
  if (const std::string why = gpu.unavailable_reason(); !why.empty()) {
    std::fprintf(stderr, "numconf_cuda_check: cuda backend unavailable: %s\n", why.c_str());
    return 2;
  }
  const std::vector<MachineFact> facts = gpu.machine();
  for (const MachineFact& f : facts) std::printf("%s: %s\n", f.key.c_str(), f.value.c_str());
  std::printf("%-58s %-7s %12s %10s %10s\n", "instruction (profile cuda)", "kind", "cases",
              "mismatches", "time");

  std::vector<Row> rows;
  std::uint64_t failed = 0;
  for (const Claim* c : chosen) {
    const auto start = std::chrono::steady_clock::now();
    Row row{c, check_one(gpu, *c, level == "exhaustive")};
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print_row(row);
    failed += row.result.mismatches != 0;
    rows.push_back(std::move(row));
  }
  std::printf("%zu of %zu operations match the model on every case\n",
              rows.size() - std::size_t(failed), rows.size());

  if (!report.empty()) write_file(report, report_json(facts, rows, level));
  if (!observed.empty()) {
    const std::filesystem::path dir = std::filesystem::path(observed) /
                                      file_slug(fact(facts, "gpu") + "-" + fact(facts, "driver") +
                                                "-" + fact(facts, "cuda runtime"));
    std::filesystem::create_directories(dir);
    std::size_t recorded = 0;
    for (const Claim* c : chosen) recorded += record(gpu, *c, facts, dir);
    std::printf("recorded %zu of %zu operations under %s\n", recorded, chosen.size(),
                dir.string().c_str());
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace numconf::hw::cuda

int main(int argc, char** argv) {
  try {
    return numconf::hw::cuda::run_check(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "numconf_cuda_check: %s\n", e.what());
    return 2;
  }
}
