// A recording: what a backend's operation gave on a list of operands, written as a vector file
// (vectors/README.md, version 1) whose results are the hardware's, with where and how it was
// recorded in the header.  `numconf verify` then checks the model against the hardware on any
// machine, GPU or not.  Host code with no dependency beyond the C++ library, so that
// numconf_cuda_check built with nvcc alone (scripts/gpu.sh) writes the same files.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hw/backend.hpp"

namespace numconf::hw {

// Where a recording came from: header keys of vectors/README.md ("generator", then "device",
// "driver", "cuda", "date", in this order; an empty one of these four leaves its key out).
struct Provenance {
  std::string recorder;  // "generator": the program and its version, "numconf_cuda_check 0.1.0"
  std::string device;    // "NVIDIA H100 80GB HBM3, compute capability 9.0"
  std::string driver;    // "580.65.06"
  std::string cuda;      // the CUDA runtime (or headers) the code was built with: "13.0"
  std::string date;      // UTC, ISO 8601
};

// Why an operation's results cannot be a vector file ("" when they can): vector files name an
// operation and a policy of the model and hold no flags or random values, so an operation they
// lack (reciprocal), one that raises flags or one that rounds stochastically has none.  (The
// cuda backend's _sat/_relu claims add a clamp to their policy: numconf_cuda_check leaves them
// out for the same reason.)
std::string unrecordable_reason(const Operation& op);

// The whole file: operands a, b, c (as many as the operation takes; `operands[k][i]` is operand
// k of case i) and the backend's `results`, one line per case, no flags column (fields "a
// result"): backends that raise no flags are the ones recorded.  Requires
// unrecordable_reason(op) to be empty.
std::string recording_text(const Operation& op,
                           std::span<const std::vector<std::uint64_t>> operands,
                           std::span<const std::uint64_t> results, const Provenance& provenance);

// The format's name as vector files and the CLI spell it: a built-in name, else its spec.
std::string format_name(const Format& f);

// A file name for an operation: its name in lowercase, runs of other characters as one '-'
// ("__nv_cvt_float_to_fp8(SATFINITE, E4M3)" -> "__nv_cvt_float_to_fp8-satfinite-e4m3").
std::string file_slug(std::string_view name);

}  // namespace numconf::hw
