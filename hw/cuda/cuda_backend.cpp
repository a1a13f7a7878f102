#include "hw/cuda/cuda_backend.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hw/cuda/claims.hpp"
#include "hw/cuda/kernels.hpp"
#include "hw/cuda/ordered.hpp"

namespace numconf::hw {
namespace {

using cuda::DeviceComparison;
using cuda::DeviceMismatch;
using cuda::Operands;

std::string cuda_message(cudaError_t status) {
  return std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ")";
}

// Why the kernels cannot run here, or "".
std::string find_unavailable_reason() {
  int count = 0;
  if (const cudaError_t status = cudaGetDeviceCount(&count); status != cudaSuccess)
    return "no CUDA device: cudaGetDeviceCount returned " + cuda_message(status);
  if (count == 0) return "no CUDA device: cudaGetDeviceCount found 0 devices";
  cudaDeviceProp props{};
  if (const cudaError_t status = cudaGetDeviceProperties(&props, 0); status != cudaSuccess)
    return "CUDA device 0 unusable: cudaGetDeviceProperties returned " + cuda_message(status);
  if (props.major < 9)
    return "GPU 0 (" + std::string(props.name) + ") has compute capability " +
           std::to_string(props.major) + "." + std::to_string(props.minor) +
           "; the kernels are built for sm_90";
  return "";
}

// "13.0" from CUDA's 13000.
std::string cuda_version(int v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

// The kernel module's version ("580.65.06"), from the Linux driver's /proc file.
std::string driver_release() {
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "";
  const std::string marker = "Kernel Module";
  const std::size_t at = line.find(marker);
  if (at == std::string::npos) return "";
  std::istringstream rest(line.substr(at + marker.size()));
  std::string version;
  rest >> version;
  return version;
}

const cuda::Claim& claim_for(const Operation& op) {
  const cuda::Claim* claim = cuda::find_claim(op.name);
  if (claim == nullptr) throw std::invalid_argument("cuda backend: no operation named " + op.name);
  return *claim;
}

// The comparison of `op` on the GPU, first mismatches in case order.  Dense and Pairs16 cases
// are numbered from `first`; Lists cases index the operand lists.
SweepResult compare_in_order(const cuda::DeviceOp& op, Operands operands, std::uint64_t first,
                             std::uint64_t count, std::span<const std::uint64_t> a,
                             std::span<const std::uint64_t> b, std::span<const std::uint64_t> c,
                             std::size_t keep) {
  const bool lists = operands == Operands::Lists;
  const auto at = [](std::span<const std::uint64_t> s, std::uint64_t offset) {
    return s.empty() ? nullptr : s.data() + offset;
  };
  const cuda::Launch launch = [&](std::uint64_t start, std::uint64_t n, std::size_t capacity) {
    DeviceComparison found =
        cuda::compare_on_device(op, operands, lists ? 0 : first + start, n, at(a, start),
                                at(b, start), at(c, start), capacity);
    for (DeviceMismatch& m : found.found) m.index += start;
    return found;
  };
  return cuda::OrderedComparison(launch, keep).run(count);
}

}  // namespace

CudaBackend::CudaBackend() : unavailable_(find_unavailable_reason()) {}

std::vector<MachineFact> CudaBackend::machine() const {
  std::vector<MachineFact> facts;
  int version = 0;
  if (cudaRuntimeGetVersion(&version) == cudaSuccess)
    facts.push_back({"cuda runtime", cuda_version(version)});
  if (cudaDriverGetVersion(&version) == cudaSuccess && version != 0)
    facts.push_back({"cuda driver api", cuda_version(version)});
  if (const std::string release = driver_release(); !release.empty())
    facts.push_back({"driver", release});
  cudaDeviceProp props{};
  if (unavailable_.empty() && cudaGetDeviceProperties(&props, 0) == cudaSuccess) {
    facts.push_back({"gpu", props.name});
    facts.push_back(
        {"compute capability", std::to_string(props.major) + "." + std::to_string(props.minor)});
  }
  return facts;
}

// Without a usable GPU nothing runs here (the claims table itself is cuda::claims()).
std::vector<Operation> CudaBackend::operations() const {
  std::vector<Operation> ops;
  if (!unavailable_.empty()) return ops;
  for (const cuda::Claim& c : cuda::claims()) ops.push_back(c.operation);
  return ops;
}

void CudaBackend::run(const Operation& op, const Batch& batch) const {
  const cuda::Claim& claim = claim_for(op);
  const int n = arity(claim.operation.kind);
  const auto operand = [&](std::span<const std::uint64_t> s, int index) -> const std::uint64_t* {
    if (index >= n) return nullptr;
    if (s.size() < batch.result.size())
      throw std::invalid_argument("cuda backend: " + op.name + " needs " + std::to_string(n) +
                                  " operand lists as long as the result");
    return s.data();
  };
  cuda::run_on_device(claim.device, operand(batch.a, 0), operand(batch.b, 1), operand(batch.c, 2),
                      batch.result.data(), batch.result.size());
}

std::optional<SweepResult> CudaBackend::sweep(const Operation& op, std::uint64_t first,
                                              std::uint64_t count, std::size_t keep) const {
  const cuda::Claim& claim = claim_for(op);
  if (arity(claim.operation.kind) != 1) return std::nullopt;
  return compare_in_order(claim.device, Operands::Dense, first, count, {}, {}, {}, keep);
}

SweepResult CudaBackend::sweep_pairs16(const Operation& op, std::uint64_t first,
                                       std::uint64_t count, std::size_t keep) const {
  const cuda::Claim& claim = claim_for(op);
  if (arity(claim.operation.kind) != 2 || storage_bits(claim.operation.operand) != 16)
    throw std::invalid_argument("cuda backend: " + op.name +
                                " is not a binary operation on a 16-bit format");
  return compare_in_order(claim.device, Operands::Pairs16, first, count, {}, {}, {}, keep);
}

SweepResult CudaBackend::compare(const Operation& op, std::span<const std::uint64_t> a,
                                 std::span<const std::uint64_t> b, std::span<const std::uint64_t> c,
                                 std::size_t keep) const {
  const cuda::Claim& claim = claim_for(op);
  const int n = arity(claim.operation.kind);
  if ((n >= 2 && b.size() != a.size()) || (n >= 3 && c.size() != a.size()))
    throw std::invalid_argument("cuda backend: " + op.name + " needs " + std::to_string(n) +
                                " operand lists of equal length");
  return compare_in_order(claim.device, Operands::Lists, 0, a.size(), a, n >= 2 ? b : decltype(b){},
                          n >= 3 ? c : decltype(c){}, keep);
}

std::unique_ptr<Backend> make_cuda_backend() { return std::make_unique<CudaBackend>(); }

}  // namespace numconf::hw
