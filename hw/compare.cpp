#include "hw/compare.hpp"

#include <algorithm>
#include <atomic>
#include <span>
#include <thread>

#include "formats/arith.hpp"
#include "formats/batch.hpp"
#include "formats/convert.hpp"

namespace numconf::hw {

Rounded model_result(const Operation& op, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const Format& f = op.operand;
  const Policy& p = op.policy;
  switch (op.kind) {
    case OpKind::Convert:
      return convert(f, op.result, a, p);
    case OpKind::Add:
      return add(f, a, b, p);
    case OpKind::Sub:
      return sub(f, a, b, p);
    case OpKind::Mul:
      return mul(f, a, b, p);
    case OpKind::Div:
      return div(f, a, b, p);
    case OpKind::Fma:
      return fma(f, a, b, c, p);
    case OpKind::Sqrt:
      return sqrt(f, a, p);
    case OpKind::Reciprocal:
      break;  // no backend claims an exact reciprocal yet
  }
  return {};
}

namespace {

// Splits [0, total) into chunks run on every core; the results come back merged in order.
template <class Fn>
SweepResult parallel_chunks(std::uint64_t total, std::uint64_t chunk, std::size_t keep, Fn fn) {
  const std::uint64_t chunks = (total + chunk - 1) / chunk;
  std::vector<SweepResult> results(chunks);
  std::atomic<std::uint64_t> next{0};
  const unsigned threads =
      unsigned(std::min<std::uint64_t>(std::max(1u, std::thread::hardware_concurrency()), chunks));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::uint64_t i; (i = next++) < chunks;)
        results[i] = fn(i * chunk, std::min(chunk, total - i * chunk));
    });
  for (auto& thread : pool) thread.join();
  SweepResult all;
  for (SweepResult& r : results) {
    all.cases += r.cases;
    all.mismatches += r.mismatches;
    for (Mismatch& m : r.first)
      if (all.first.size() < keep) all.first.push_back(m);
  }
  return all;
}

constexpr std::uint64_t kChunk = std::uint64_t{1} << 16;

bool same(const Operation& op, const Rounded& model, std::uint64_t bits, std::uint8_t flags) {
  return model.bits == bits && (!op.reports_flags || model.flags == flags);
}

}  // namespace

SweepResult compare_cases(const Backend& backend, const Operation& op, const Cases& cases,
                          std::size_t keep) {
  const int n = arity(op.kind);
  return parallel_chunks(cases.size(), kChunk, keep, [&](std::uint64_t begin, std::uint64_t count) {
    const auto slice = [&](const std::vector<std::uint64_t>& v) {
      return v.empty() ? std::span<const std::uint64_t>{}
                       : std::span<const std::uint64_t>(v).subspan(begin, count);
    };
    std::vector<std::uint64_t> got(count);
    std::vector<std::uint8_t> got_flags(count);
    backend.run(op,
                Batch{slice(cases.a), n >= 2 ? slice(cases.b) : std::span<const std::uint64_t>{},
                      n >= 3 ? slice(cases.c) : std::span<const std::uint64_t>{}, got, got_flags});
    SweepResult r;
    r.cases = count;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t a = cases.a[begin + i];
      const std::uint64_t b = n >= 2 ? cases.b[begin + i] : 0;
      const std::uint64_t c = n >= 3 ? cases.c[begin + i] : 0;
      const Rounded model = model_result(op, a, b, c);
      if (same(op, model, got[i], got_flags[i])) continue;
      ++r.mismatches;
      if (r.first.size() < keep) r.first.push_back({{a, b, c}, model, {got[i], got_flags[i]}});
    }
    return r;
  });
}

SweepResult compare_range(const Backend& backend, const Operation& op, std::uint64_t first,
                          std::uint64_t count, std::size_t keep) {
  return parallel_chunks(
      count, std::uint64_t{1} << 22, keep,
      [&](std::uint64_t begin, std::uint64_t n) -> SweepResult {
        if (auto own = backend.sweep(op, first + begin, n, keep)) return *std::move(own);
        // The model in batches through the fast converter where flags are not compared.
        const bool batch = op.kind == OpKind::Convert && !op.reports_flags;
        const Converter model(op.operand, op.result, op.policy);
        std::vector<std::uint64_t> in(kChunk), got(kChunk), want(kChunk);
        std::vector<std::uint8_t> got_flags(kChunk);
        SweepResult r;
        for (std::uint64_t done = 0; done < n; done += kChunk) {
          const std::size_t m = std::size_t(std::min(kChunk, n - done));
          for (std::size_t i = 0; i < m; ++i) in[i] = first + begin + done + i;
          const std::span<const std::uint64_t> a(in.data(), m);
          backend.run(op,
                      Batch{a, {}, {}, std::span(got.data(), m), std::span(got_flags.data(), m)});
          if (batch) model(a, std::span(want.data(), m));
          r.cases += m;
          for (std::size_t i = 0; i < m; ++i) {
            if (batch && want[i] == got[i]) continue;
            const Rounded expected =
                batch ? convert(op.operand, op.result, in[i], op.policy) : model_result(op, in[i]);
            if (same(op, expected, got[i], got_flags[i])) continue;
            ++r.mismatches;
            if (r.first.size() < keep)
              r.first.push_back({{in[i], 0, 0}, expected, {got[i], got_flags[i]}});
          }
        }
        return r;
      });
}

}  // namespace numconf::hw
