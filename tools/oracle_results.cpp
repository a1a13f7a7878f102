#include "oracle_results.hpp"

#include <string>

#include "reference/arith.hpp"
#include "reference/oracle.hpp"
#include "text.hpp"

namespace numconf::cli {

Rounded oracle_result(const Job& job, const Case& c) {
  const Format& f = job.operand;
  const Policy& p = job.policy;
  const auto& x = c.operands;
  switch (job.info.op) {
    case Op::Convert:
      return ref::convert(f, job.result, x[0], p, c.random);
    case Op::Add:
      return ref::add(f, x[0], x[1], p, c.random);
    case Op::Sub:
      return ref::sub(f, x[0], x[1], p, c.random);
    case Op::Mul:
      return ref::mul(f, x[0], x[1], p, c.random);
    case Op::Div:
      return ref::div(f, x[0], x[1], p, c.random);
    case Op::Fma:
      return ref::fma(f, x[0], x[1], x[2], p, c.random);
    case Op::Sqrt:
      return ref::sqrt(f, x[0], p, c.random);
    case Op::Min:
      return ref::minimum(f, x[0], x[1], p);
    case Op::Max:
      return ref::maximum(f, x[0], x[1], p);
    case Op::MinNum:
      return ref::minimum_number(f, x[0], x[1], p);
    case Op::MaxNum:
      return ref::maximum_number(f, x[0], x[1], p);
  }
  // Every Op has a case above (-Wswitch says when one is added without it): an operation the
  // oracle cannot compute is bad input, never a silent fall back to the model.
  throw InputError("the oracle has no counterpart for operation '" + std::string(job.info.name) +
                   "'");
}

void run_oracle(const Job& job, std::span<const Case> cases, std::span<Rounded> out) {
  for (std::size_t i = 0; i < cases.size(); ++i) out[i] = oracle_result(job, cases[i]);
}

}  // namespace numconf::cli
