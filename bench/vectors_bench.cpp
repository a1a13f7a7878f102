// gen --exhaustive's kernel: f32 -> e4m3fn codes and flags for consecutive f32 codes, as
// (expected, flags) records: one table lookup per run of equal records (tools/lookup_convert.hpp,
// what gen does), and for comparison a lookup per record and the scalar convert.  One thread;
// gen runs one such loop per core.
//
// And two ways of putting those records into a file, both with the lookup on every core:
// every worker writing its own chunks with pwrite (gen's first design), and workers filling a
// ring of buffers that one thread writes in order (gen's design now, tools/gen_command.cpp).
// The file goes to $NUMCONF_BENCH_DIR (default /dev/shm) and is removed after each iteration.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "formats/registry.hpp"
#include "tools/lookup_convert.hpp"

namespace {

using numconf::cli::LookupConverter;

constexpr std::uint64_t kBlock = 1 << 20;     // records per iteration: 2 MiB, in L2/L3
constexpr std::uint64_t kFirst = 0x3c000000;  // around 2^-7 .. 2: every kind of e4m3fn result

void BM_LookupRecords(benchmark::State& state) {
  const LookupConverter lookup(numconf::kF32, numconf::kE4M3FN, numconf::Policy{});
  std::vector<std::uint16_t> records(kBlock);
  std::uint64_t first = kFirst;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kBlock; ++i) {
      const std::uint32_t r = lookup(first + i);
      records[i] = std::uint16_t((r & 0xff) | (r >> 8 & 0xff00));
    }
    benchmark::DoNotOptimize(records.data());
    first = (first + kBlock) & 0xffffffff;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * kBlock));
}
BENCHMARK(BM_LookupRecords);

// gen's kernel now: one lookup per run of equal records, the rest copied.
void BM_LookupRuns(benchmark::State& state) {
  const LookupConverter lookup(numconf::kF32, numconf::kE4M3FN, numconf::Policy{});
  std::vector<char> records(2 * kBlock);
  std::uint64_t first = kFirst;
  for (auto _ : state) {
    numconf::cli::write_lookup_records(lookup, first, kBlock, 1, records.data());
    benchmark::DoNotOptimize(records.data());
    first = (first + kBlock) & 0xffffffff;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * kBlock));
}
BENCHMARK(BM_LookupRuns);

void BM_ScalarConvertRecords(benchmark::State& state) {
  const numconf::Format from = numconf::kF32, to = numconf::kE4M3FN;
  const numconf::Policy p;
  std::vector<std::uint16_t> records(kBlock);
  std::uint64_t first = kFirst;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kBlock; ++i) {
      const numconf::Rounded r = numconf::convert(from, to, first + i, p);
      records[i] = std::uint16_t(r.bits | std::uint64_t{r.flags} << 8);
    }
    benchmark::DoNotOptimize(records.data());
    first = (first + kBlock) & 0xffffffff;
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * kBlock));
}
BENCHMARK(BM_ScalarConvertRecords);

// ---- Writing the records to a file ----------------------------------------------------------

constexpr std::uint64_t kFileRecords = std::uint64_t{1} << 29;  // 1 GiB of records

void fill_records(const LookupConverter& lookup, std::uint64_t first, std::uint64_t n, char* out) {
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint32_t r = lookup(first + i);
    const std::uint16_t record = std::uint16_t((r & 0xff) | (r >> 8 & 0xff00));
    std::memcpy(out + 2 * i, &record, 2);
  }
}

std::string bench_file() {
  const char* dir = std::getenv("NUMCONF_BENCH_DIR");
  return std::string(dir != nullptr ? dir : "/dev/shm") + "/numconf-vectors-bench.npy";
}

int threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

// Each worker computes a chunk and pwrites it at its offset.
void pwrite_per_worker(int fd, std::uint64_t per_chunk, const LookupConverter& lookup) {
  const std::uint64_t chunks = kFileRecords / per_chunk;
  std::atomic<std::uint64_t> next{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads(); ++t)
    workers.emplace_back([&] {
      std::vector<char> buffer(2 * per_chunk);
      for (std::uint64_t c; (c = next++) < chunks;) {
        fill_records(lookup, c * per_chunk, per_chunk, buffer.data());
        if (pwrite(fd, buffer.data(), buffer.size(), off_t(c * buffer.size())) !=
            ssize_t(buffer.size()))
          std::abort();
      }
    });
}

// Workers fill a ring of 2 buffers each; this thread writes them in order.
void one_writer(int fd, std::uint64_t per_chunk, const LookupConverter& lookup) {
  const std::uint64_t chunks = kFileRecords / per_chunk;
  const std::size_t slots = 2 * std::size_t(threads());
  std::vector<std::vector<char>> buffers(slots, std::vector<char>(2 * per_chunk));
  std::vector<std::uint64_t> holds(slots, ~std::uint64_t{0});
  std::uint64_t written = 0;
  std::mutex mutex;
  std::condition_variable changed;
  std::atomic<std::uint64_t> next{0};
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads(); ++t)
    workers.emplace_back([&] {
      for (std::uint64_t c; (c = next++) < chunks;) {
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return written + slots > c; });
        }
        fill_records(lookup, c * per_chunk, per_chunk, buffers[c % slots].data());
        {
          const std::lock_guard lock(mutex);
          holds[c % slots] = c;
        }
        changed.notify_all();
      }
    });
  for (std::uint64_t c = 0; c < chunks; ++c) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return holds[c % slots] == c; });
    }
    const std::vector<char>& buffer = buffers[c % slots];
    if (write(fd, buffer.data(), buffer.size()) != ssize_t(buffer.size())) std::abort();
    {
      const std::lock_guard lock(mutex);
      ++written;
    }
    changed.notify_all();
  }
}

// Workers compute straight into a shared mapping of the file: no copy, but a page fault for
// every 4 KiB page (tmpfs here gives no huge pages: shmem_enabled is "never").
void mmap_shared(int fd, std::uint64_t per_chunk, const LookupConverter& lookup) {
  const std::size_t bytes = 2 * kFileRecords;
  if (ftruncate(fd, off_t(bytes)) != 0) std::abort();
  void* map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) std::abort();
  const std::uint64_t chunks = kFileRecords / per_chunk;
  std::atomic<std::uint64_t> next{0};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads(); ++t)
      workers.emplace_back([&] {
        for (std::uint64_t c; (c = next++) < chunks;)
          fill_records(lookup, c * per_chunk, per_chunk,
                       static_cast<char*>(map) + 2 * c * per_chunk);
      });
  }
  munmap(map, bytes);
}

// Argument: the chunk size in KiB.
template <auto Strategy>
void BM_WriteRecords(benchmark::State& state) {
  const LookupConverter lookup(numconf::kF32, numconf::kE4M3FN, numconf::Policy{});
  const std::uint64_t per_chunk = std::uint64_t(state.range(0)) * 1024 / 2;
  const std::string path = bench_file();
  for (auto _ : state) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return state.SkipWithError(("cannot write " + path).c_str());
    Strategy(fd, per_chunk, lookup);
    close(fd);
    state.PauseTiming();
    unlink(path.c_str());
    state.ResumeTiming();
  }
  state.SetBytesProcessed(std::int64_t(state.iterations() * 2 * kFileRecords));
  state.SetItemsProcessed(std::int64_t(state.iterations() * kFileRecords));
}
// Whole-file runs: three of them, timed by the clock and by the CPU time of every thread.
void whole_file_runs(benchmark::internal::Benchmark* b) {
  b->Iterations(3)->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kSecond);
}
BENCHMARK(BM_WriteRecords<pwrite_per_worker>)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(8192)
    ->Apply(whole_file_runs);
BENCHMARK(BM_WriteRecords<one_writer>)->Arg(256)->Arg(1024)->Arg(8192)->Apply(whole_file_runs);
BENCHMARK(BM_WriteRecords<mmap_shared>)->Arg(1024)->Apply(whole_file_runs);

}  // namespace

BENCHMARK_MAIN();
