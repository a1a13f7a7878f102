// The first mismatches of a GPU comparison in case order.  A kernel reports mismatches in no
// particular order and at most `capacity` of them per launch; a chunk with more is compared
// again in pieces of `capacity` cases, which cannot overflow.  Host code only, kept apart from
// the CUDA calls so that it is tested without a GPU.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "hw/backend.hpp"
#include "hw/cuda/kernels.hpp"

namespace numconf::hw::cuda {

// Compares cases [start, start + count): the number of mismatches and at most `capacity` of
// them (DeviceMismatch::index = case number), in any order.
using Launch =
    std::function<DeviceComparison(std::uint64_t start, std::uint64_t count, std::size_t capacity)>;

inline Mismatch to_mismatch(const DeviceMismatch& m) {
  Mismatch out;
  out.operands = {m.a, m.b, m.c};
  out.expected = Rounded{m.expected, m.expected_flags};
  out.got = Rounded{m.got, 0};
  return out;
}

class OrderedComparison {
 public:
  // `chunk` bounds one launch (and the operand lists uploaded for it).
  OrderedComparison(Launch launch, std::size_t keep, std::uint64_t chunk = std::uint64_t{1} << 28)
      : launch_(std::move(launch)),
        keep_(keep),
        capacity_(std::max<std::size_t>(keep, 1024)),
        chunk_(chunk) {}

  SweepResult run(std::uint64_t count) const {
    SweepResult result;
    result.cases = count;
    for (std::uint64_t start = 0; start < count; start += chunk_) {
      const std::uint64_t n = std::min(chunk_, count - start);
      const bool want = result.first.size() < keep_;
      const DeviceComparison found = launch_(start, n, want ? capacity_ : 0);
      result.mismatches += found.mismatches;
      if (want && found.mismatches != 0) collect(start, n, found, result.first);
    }
    return result;
  }

 private:
  void collect(std::uint64_t start, std::uint64_t n, DeviceComparison found,
               std::vector<Mismatch>& first) const {
    if (found.mismatches > capacity_) {
      for (std::uint64_t piece = start; piece < start + n && first.size() < keep_;
           piece += capacity_) {
        const std::uint64_t size = std::min<std::uint64_t>(capacity_, start + n - piece);
        collect(piece, size, launch_(piece, size, capacity_), first);
      }
      return;
    }
    std::sort(found.found.begin(), found.found.end(),
              [](const DeviceMismatch& x, const DeviceMismatch& y) { return x.index < y.index; });
    for (const DeviceMismatch& m : found.found) {
      if (first.size() == keep_) break;
      first.push_back(to_mismatch(m));
    }
  }

  Launch launch_;
  std::size_t keep_, capacity_;
  std::uint64_t chunk_;
};

}  // namespace numconf::hw::cuda
