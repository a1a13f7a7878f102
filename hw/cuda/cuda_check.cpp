// numconf_cuda_check: the cuda backend on its own.  Runs every claimed operation on the GPU
// against the model (compared on the GPU), prints one row per operation, optionally writes a
// JSON report and the GPU's outputs on the level-1 operands as observed vectors.
//   numconf_cuda_check [--level 1|exhaustive] [--filter TEXT] [--report FILE.json]
//                      [--observed DIR] [--list]
// Exit status: 0 every case matches, 1 a mismatch, 2 bad input or no usable GPU.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
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

namespace numconf::hw::cuda {
namespace {

constexpr std::size_t kShown = 5;  // mismatches kept and printed per operation

std::string rounding_text(Rounding r) {
  constexpr const char* names[] = {"rn", "rna", "rz", "rp", "rm", "ro", "sra", "srb", "src"};
  return names[int(r)];
}

std::string policy_text(const Policy& p) {
  const char* overflow[] = {"none", "finite", "propagate"};
  std::string s = rounding_text(p.rounding) + " sat=" + overflow[int(p.overflow)];
  if (p.flush_inputs) s += " daz";
  if (p.flush_outputs) s += " ftz";
  if (p.nan_to_nanless == NanToNanless::MaxFinite) s += " nan-to-nanless=max";
  s += p.profile == Profile::Cuda ? " profile=cuda" : " profile=model";
  return s;
}

const char* kind_text(OpKind k) {
  constexpr const char* names[] = {"convert", "add", "sub", "mul", "div", "fma", "sqrt", "rcp"};
  return names[int(k)];
}

int arity(OpKind k) {
  return k == OpKind::Convert || k == OpKind::Sqrt || k == OpKind::Reciprocal ? 1
         : k == OpKind::Fma                                                   ? 3
                                                                              : 2;
}

std::string hex(std::uint64_t v, const Format& f) {
  return fmt::format("{:0{}x}", v, (storage_bits(f) + 3) / 4);
}

std::string slug(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_';
    if (keep) out += char(std::tolower(static_cast<unsigned char>(ch)));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

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
  fmt::print("{:<58} {:<7} {:>12} {:>10} {:>9.3f}s\n", op.name, kind_text(op.kind),
             row.result.cases, row.result.mismatches, row.seconds);
  for (const Mismatch& m : row.result.first) {
    std::string operands = hex(m.operands[0], op.operand);
    for (int i = 1; i < arity(op.kind); ++i) operands += " " + hex(m.operands[std::size_t(i)], op.operand);
    fmt::print("    {} -> model {} (flags {:02x}), gpu {}\n", operands,
               hex(m.expected.bits, op.result), m.expected.flags, hex(m.got.bits, op.result));
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
    out += fmt::format(
        "    {{\"backend\": \"cuda\", \"instruction\": {}, \"kind\": \"{}\", \"operand\": {}, "
        "\"result\": {}, \"policy\": {}, \"cases\": {}, \"mismatches\": {}, \"seconds\": {:.4f}, "
        "\"first_mismatches\": [",
        json_string(op.name), kind_text(op.kind), json_string(format_name(op.operand)),
        json_string(format_name(op.result)), json_string(policy_text(op.policy)),
        rows[i].result.cases, rows[i].result.mismatches, rows[i].seconds);
    for (std::size_t j = 0; j < rows[i].result.first.size(); ++j) {
      const Mismatch& m = rows[i].result.first[j];
      out += fmt::format("{}{{\"operands\": [\"{:x}\", \"{:x}\", \"{:x}\"], \"model\": \"{:x}\", "
                         "\"model_flags\": \"{:02x}\", \"gpu\": \"{:x}\"}}",
                         j ? ", " : "", m.operands[0], m.operands[1], m.operands[2],
                         m.expected.bits, m.expected.flags, m.got.bits);
    }
    out += i + 1 < rows.size() ? "]},\n" : "]}\n";
  }
  return out + "  ]\n}\n";
}

// The GPU's outputs on the level-1 operands, one file per operation.
void record(const CudaBackend& gpu, const Claim& claim, const std::vector<MachineFact>& facts,
            const std::filesystem::path& dir) {
  const Operation& op = claim.operation;
  const OperandLists lists = level1_operands(op);
  std::vector<std::uint64_t> results(lists.a.size());
  gpu.run(op, Batch{lists.a, lists.b, lists.c, results, {}});
  std::string text = "# numconf observed vectors: outputs of a GPU, recorded by numconf_cuda_check " +
                     std::string(NUMCONF_VERSION) + " on " + utc_now() + "\n";
  text += "# operation: " + op.name + "\n";
  text += "# kind: " + std::string(kind_text(op.kind)) + " " + format_name(op.operand) + " -> " +
          format_name(op.result) + "\n";
  text += "# claimed policy: " + policy_text(op.policy) + "\n";
  text += "# device: " + fact(facts, "gpu") + ", compute capability " +
          fact(facts, "compute capability") + "\n";
  text += "# driver: " + fact(facts, "driver") + ", CUDA driver API " +
          fact(facts, "cuda driver api") + ", CUDA runtime " + fact(facts, "cuda runtime") + "\n";
  text += "# suite: level 1 (hw/cuda/level1.cpp), " + std::to_string(results.size()) + " cases\n";
  text += "# columns: operand" + std::string(arity(op.kind) > 1 ? "s" : "") +
          " then result, hex zero-padded to the container width; no flags column (CUDA "
          "raises no exception flags)\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    text += hex(lists.a[i], op.operand);
    if (!lists.b.empty()) text += " " + hex(lists.b[i], op.operand);
    if (!lists.c.empty()) text += " " + hex(lists.c[i], op.operand);
    text += " " + hex(results[i], op.result) + "\n";
  }
  write_file(dir / (slug(op.name) + ".txt"), text);
}

int run_check(int argc, char** argv) {
  CLI::App app{"Runs the cuda backend's operations on the GPU against the model"};
  std::string level = "1", filter, report, observed;
  bool list = false;
  app.add_option("--level", level, "1 or exhaustive")->check(CLI::IsMember({"1", "exhaustive"}));
  app.add_option("--filter", filter, "only operations whose name contains TEXT");
  app.add_option("--report", report, "write a JSON report to FILE");
  app.add_option("--observed", observed,
                 "record the GPU's level-1 outputs under DIR/<gpu>-<driver>-<cuda runtime>/");
  app.add_flag("--list", list, "print the claims table and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::vector<const Claim*> chosen;
  for (const Claim& c : claims())
    if (c.operation.name.find(filter) != std::string::npos) chosen.push_back(&c);
  if (chosen.empty()) {
    fmt::print(stderr, "numconf_cuda_check: no operation matches --filter '{}'\n", filter);
    return 2;
  }
  if (list) {
    for (const Claim* c : chosen)
      fmt::print("{:<58} {:<7} {:>10} -> {:<10} {}\n", c->operation.name,
                 kind_text(c->operation.kind), format_name(c->operation.operand),
                 format_name(c->operation.result), policy_text(c->operation.policy));
    return 0;
  }

  const CudaBackend gpu;
  if (const std::string why = gpu.unavailable_reason(); !why.empty()) {
    fmt::print(stderr, "numconf_cuda_check: cuda backend unavailable: {}\n", why);
    return 2;
  }
  const std::vector<MachineFact> facts = gpu.machine();
  for (const MachineFact& f : facts) fmt::print("{}: {}\n", f.key, f.value);
  fmt::print("{:<58} {:<7} {:>12} {:>10} {:>10}\n", "instruction (profile cuda)", "kind", "cases",
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
  fmt::print("{} of {} operations match the model on every case\n", rows.size() - failed,
             rows.size());

  if (!report.empty()) write_file(report, report_json(facts, rows, level));
  if (!observed.empty()) {
    const std::filesystem::path dir = std::filesystem::path(observed) /
                                      slug(fact(facts, "gpu") + "-" + fact(facts, "driver") + "-" +
                                           fact(facts, "cuda runtime"));
    std::filesystem::create_directories(dir);
    for (const Claim* c : chosen) record(gpu, *c, facts, dir);
    fmt::print("recorded {} operations under {}\n", chosen.size(), dir.string());
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
