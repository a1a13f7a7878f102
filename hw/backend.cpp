#include "hw/backend.hpp"

#include "hw/cpu/cpu_backend.hpp"
#ifdef NUMCONF_WITH_CUDA_HOST_BACKEND
#include "hw/cuda_host/cuda_host_backend.hpp"
#endif
#ifdef NUMCONF_WITH_CUDA_BACKEND
#include "hw/cuda/cuda_backend.hpp"
#endif

namespace numconf::hw {

namespace {

// A backend this binary was built without: listed, with the reason, and never run.
class AbsentBackend final : public Backend {
 public:
  AbsentBackend(std::string_view name, std::string reason)
      : name_(name), reason_(std::move(reason)) {}
  std::string_view name() const override { return name_; }
  std::string unavailable_reason() const override { return reason_; }
  std::vector<MachineFact> machine() const override { return {}; }
  std::vector<Operation> operations() const override { return {}; }
  void run(const Operation&, const Batch&) const override {}

 private:
  std::string_view name_;
  std::string reason_;
};

}  // namespace

std::vector<std::unique_ptr<Backend>> all_backends() {
  std::vector<std::unique_ptr<Backend>> out;
  out.push_back(make_cpu_backend());
#ifdef NUMCONF_WITH_CUDA_HOST_BACKEND
  out.push_back(make_cuda_host_backend());
#else
  out.push_back(std::make_unique<AbsentBackend>(
      "cuda-host", "built without the CUDA toolkit headers (cuda_fp8.h not found by CMake)"));
#endif
#ifdef NUMCONF_WITH_CUDA_BACKEND
  out.push_back(make_cuda_backend());
#else
  out.push_back(std::make_unique<AbsentBackend>("cuda", "built without nvcc (no CUDA kernels)"));
#endif
  return out;
}

}  // namespace numconf::hw
