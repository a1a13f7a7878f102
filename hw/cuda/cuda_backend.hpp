// The cuda backend: runs each claimed instruction or intrinsic (hw/cuda/claims.cpp) on the GPU,
// and compares it with the model compiled into device code.  Built when CMake finds nvcc
// (target numconf_cuda, which defines NUMCONF_WITH_CUDA_BACKEND for its users).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hw/backend.hpp"

namespace numconf::hw {

class CudaBackend final : public Backend {
 public:
  CudaBackend();
  std::string_view name() const override { return "cuda"; }
  std::string unavailable_reason() const override { return unavailable_; }
  std::vector<MachineFact> machine() const override;
  std::vector<Operation> operations() const override;
  void run(const Operation& op, const Batch& batch) const override;
  // Unary operations over dense code ranges, compared on the GPU.
  std::optional<SweepResult> sweep(const Operation& op, std::uint64_t first, std::uint64_t count,
                                   std::size_t keep) const override;

  // Binary operations on 16-bit formats over pair indices [first, first + count) of the 2^32
  // pairs (a = index >> 16, b = index & 0xffff), compared on the GPU.
  SweepResult sweep_pairs16(const Operation& op, std::uint64_t first, std::uint64_t count,
                            std::size_t keep) const;
  // Any operation on given operands (b, c empty when the arity is lower), compared on the GPU.
  SweepResult compare(const Operation& op, std::span<const std::uint64_t> a,
                      std::span<const std::uint64_t> b, std::span<const std::uint64_t> c,
                      std::size_t keep) const;

 private:
  std::string unavailable_;
};

std::unique_ptr<Backend> make_cuda_backend();

}  // namespace numconf::hw
