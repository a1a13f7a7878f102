#include "vectors.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "formats/arith.hpp"
#include "formats/convert.hpp"
#include "formats/round.hpp"
#include "stream.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

constexpr std::array<OpInfo, 11> kOps = {{{"convert", Op::Convert, 1, true},
                                          {"add", Op::Add, 2, true},
                                          {"sub", Op::Sub, 2, true},
                                          {"mul", Op::Mul, 2, true},
                                          {"div", Op::Div, 2, true},
                                          {"fma", Op::Fma, 3, true},
                                          {"sqrt", Op::Sqrt, 1, true},
                                          {"min", Op::Min, 2, false},
                                          {"max", Op::Max, 2, false},
                                          {"minnum", Op::MinNum, 2, false},
                                          {"maxnum", Op::MaxNum, 2, false}}};

// Counter-based random numbers (splitmix64 of seed and index): case i of a set is the same
// whichever shard computes it.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}
std::uint64_t random_word(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  return mix(mix(seed ^ mix(stream)) ^ index);
}

// ---- Codes built from a format's structure ---------------------------------------------------

std::uint64_t container(const Format& f, std::uint64_t code) { return code << f.padding_bits; }

// The code of -value for a magnitude code (two's complement for integers).
std::uint64_t negated(const Format& f, std::uint64_t magnitude) {
  if (!is_float(f)) return (~magnitude + 1) & low_mask(f.int_bits);
  return magnitude | sign_bit(f);
}

bool can_negate(const Format& f) { return f.is_signed; }

// The largest finite magnitude code (floats) or value (integers).
std::uint64_t max_magnitude(const Format& f) {
  return is_float(f) ? max_finite_magnitude(f)
                     : low_mask(f.is_signed ? f.int_bits - 1 : f.int_bits);
}

// Exponent fields chosen for a level: all of them for narrow exponents; else the bottom, the
// binades around 1 and the top.
std::vector<std::uint64_t> chosen_exponent_fields(const Format& f, int level) {
  const std::uint64_t top = max_finite_magnitude(f) >> f.mantissa_bits;
  const int all_below = level == 1 ? 3 : 8;
  std::set<std::uint64_t> fields;
  if (f.exponent_bits <= all_below) {
    for (std::uint64_t e = 0; e <= top; ++e) fields.insert(e);
  } else {
    const std::uint64_t k = level == 1 ? 2 : 8;
    const auto bias = std::uint64_t(std::max(f.bias, 0));
    for (std::uint64_t i = 0; i <= k; ++i) {
      fields.insert(std::min(i, top));
      fields.insert(top - std::min(i, top));
      if (bias + i <= top) fields.insert(bias + i);
      if (bias >= i + 1) fields.insert(bias - i - 1);
    }
  }
  return {fields.begin(), fields.end()};
}

// Trailing significands chosen for a level: first codes of a binade (ties to even go down
// from 0, up from 1), the middle, and the last (the carry into the next binade).
std::vector<std::uint64_t> chosen_trailing(const Format& f, int level) {
  const std::uint64_t last = low_mask(f.mantissa_bits), half = (last + 1) / 2;
  std::set<std::uint64_t> t{0, std::min<std::uint64_t>(1, last), last};
  if (level >= 2)
    t.insert({std::min<std::uint64_t>(2, last), half, half - (half > 0), last - (last > 0)});
  return {t.begin(), t.end()};
}

// Positive finite magnitude codes (integers: values) from the format's structure.
std::vector<std::uint64_t> structural_magnitudes(const Format& f, int level) {
  std::set<std::uint64_t> out;
  const std::uint64_t max = max_magnitude(f);
  if (!is_float(f)) {
    for (const std::uint64_t v : {0, 1, 2, 3}) out.insert(std::min<std::uint64_t>(v, max));
    out.insert({max, max - 1});
    const int width = f.is_signed ? f.int_bits - 1 : f.int_bits;
    for (int k = 2; k < width; k += level == 1 ? 3 : 1) {
      const std::uint64_t p = std::uint64_t{1} << k;
      out.insert({p - 1, p, p + 1});
    }
    return {out.begin(), out.end()};
  }
  for (const std::uint64_t e : chosen_exponent_fields(f, level))
    for (const std::uint64_t t : chosen_trailing(f, level)) {
      const std::uint64_t code = e << f.mantissa_bits | t;
      if (code <= max) out.insert(code);
    }
  out.insert(max);
  if (f.has_subnormals) out.insert({0, 1});
  if (f.has_subnormals && f.mantissa_bits > 0)
    out.insert({low_mask(f.mantissa_bits), std::uint64_t{1} << f.mantissa_bits});
  if (!f.has_subnormals) out.insert(0);  // e8m0fnu's 2^-127
  return {out.begin(), out.end()};
}

// Codes that are not finite numbers: infinities and NaNs (quiet, signaling, with a payload).
std::vector<std::uint64_t> special_codes(const Format& f) {
  std::vector<std::uint64_t> out;
  if (!is_float(f)) return out;
  if (has_inf(f)) {
    out.push_back(inf_magnitude(f));
    if (f.is_signed) out.push_back(inf_magnitude(f) | sign_bit(f));
  }
  if (has_nan(f)) {
    for (const bool negative : {false, true}) {
      if (negative && (!f.is_signed || f.nan == NanEncoding::NegZero)) continue;
      out.push_back(nan_code(f, negative));
      if (f.nan == NanEncoding::Ieee) {
        out.push_back(nan_code(f, negative) | low_mask(f.mantissa_bits));  // payload
        if (f.mantissa_bits >= 2) out.push_back(nan_code(f, negative) ^ quiet_bit(f) ^ 1);  // sNaN
      }
    }
  }
  return out;
}

// Every structural code of a format, both signs, as container values.
std::vector<std::uint64_t> operand_codes(const Format& f, int level) {
  std::set<std::uint64_t> out;
  for (const std::uint64_t m : structural_magnitudes(f, level)) {
    out.insert(m);
    if (can_negate(f) && (m != 0 || has_neg_zero(f))) out.insert(negated(f, m));
  }
  if (!is_float(f) && f.is_signed) out.insert(sign_bit(f));  // the most negative integer
  for (const std::uint64_t s : special_codes(f)) out.insert(s);
  std::vector<std::uint64_t> codes;
  for (const std::uint64_t c : out) codes.push_back(container(f, c));
  return codes;
}

// An exact positive value significand * 2^exponent.
struct Value {
  Uint128 significand = 0;
  int exponent = 0;
};

Value value_of(const Format& f, std::uint64_t magnitude_code) {
  const Unpacked u = unpack(f, container(f, magnitude_code));
  return {u.significand, u.exponent};
}

Value midpoint(const Value& a, const Value& b) {
  const int e = std::min(a.exponent, b.exponent);
  return {(a.significand << (a.exponent - e)) + (b.significand << (b.exponent - e)), e - 1};
}

// The magnitude code of the largest value of f at most v, saturating at the largest finite.
std::uint64_t floor_code(const Format& f, const Value& v) {
  Policy down;
  down.rounding = Rounding::TowardZero;
  down.overflow = Overflow::Finite;
  const Rounded r = round_pack(f, false, v.exponent, v.significand, false, down);
  return r.bits >> f.padding_bits;
}

// Codes of the source near each rounding boundary of the target: the source codes at and next
// to each chosen target value and each midpoint between neighbours (ties and near-ties), the
// midpoint just above the largest finite value (the tie into overflow) and half the smallest
// non-zero value.
std::vector<std::uint64_t> boundary_codes(const Format& from, const Format& to, int level) {
  std::set<std::uint64_t> magnitudes;
  const std::uint64_t from_max = max_magnitude(from), to_max = max_magnitude(to);
  // The source code at or below a value, and its neighbours when `around`.
  const auto add_near = [&](const Value& v, bool around) {
    const std::uint64_t c = floor_code(from, v);
    const std::uint64_t reach = around ? 1 : 0;
    for (std::uint64_t n = c - std::min(c, reach); n <= std::min(c + reach, from_max); ++n)
      magnitudes.insert(n);
  };
  for (const std::uint64_t t : structural_magnitudes(to, level)) {
    const Value v = value_of(to, t);
    Value next = t < to_max ? value_of(to, t + 1) : Value{v.significand + 1, v.exponent};
    if (!is_float(to) && t == to_max) next = {Uint128(t) + 1, 0};
    if (v.significand != 0) add_near(v, level >= 2);
    add_near(midpoint(v, next), true);
  }
  std::vector<std::uint64_t> codes;
  for (const std::uint64_t m : magnitudes) {
    if (is_float(from) && m > from_max) continue;
    codes.push_back(container(from, m));
    if (can_negate(from) && m != 0) codes.push_back(container(from, negated(from, m)));
  }
  return codes;
}

void append_unique(std::vector<Case>& cases, std::set<std::array<std::uint64_t, 3>>& seen,
                   const std::array<std::uint64_t, 3>& operands) {
  if (seen.insert(operands).second) cases.push_back({operands, 0});
}

std::vector<Case> conversion_cases(const Job& job, int level) {
  const Format& from = job.operand;
  std::vector<std::uint64_t> codes;
  if (code_bits(from) <= (level == 1 ? 6 : 16)) {
    for (std::uint64_t c = 0; c <= low_mask(code_bits(from)); ++c)
      codes.push_back(container(from, c));
  } else {
    codes = operand_codes(from, level);
    const auto near = boundary_codes(from, job.result, level);
    codes.insert(codes.end(), near.begin(), near.end());
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  }
  std::vector<Case> cases;
  for (const std::uint64_t c : codes) cases.push_back({{c, 0, 0}, 0});
  return cases;
}

// A few named codes of a float format, both signs: the values every operation is tried on.
std::vector<std::uint64_t> core_codes(const Format& f) {
  std::set<std::uint64_t> mags;
  const std::uint64_t one = std::uint64_t(f.bias) << f.mantissa_bits;  // 1.0
  const std::uint64_t max = max_finite_magnitude(f);
  if (f.has_subnormals) mags.insert({0, 1, std::uint64_t{1} << f.mantissa_bits});
  if (f.has_subnormals && f.mantissa_bits > 0) mags.insert(low_mask(f.mantissa_bits));
  for (const std::uint64_t m : {one, one + 1, one + low_mask(f.mantissa_bits),
                                one + (low_mask(f.mantissa_bits) + 1) / 2, max, max - 1})
    if (m <= max) mags.insert(m);
  std::set<std::uint64_t> codes;
  for (const std::uint64_t m : mags) {
    codes.insert(m);
    if (f.is_signed && (m != 0 || has_neg_zero(f))) codes.insert(m | sign_bit(f));
  }
  if (has_inf(f))
    codes.insert(
        {inf_magnitude(f), f.is_signed ? inf_magnitude(f) | sign_bit(f) : inf_magnitude(f)});
  if (has_nan(f)) codes.insert(nan_code(f, false));
  if (f.nan == NanEncoding::Ieee && f.mantissa_bits >= 2)
    codes.insert(nan_code(f, false) ^ quiet_bit(f) ^ 1);
  std::vector<std::uint64_t> out;
  for (const std::uint64_t c : codes) out.push_back(container(f, c));
  return out;
}

std::vector<Case> arithmetic_cases(const Job& job, int level) {
  const Format& f = job.operand;
  std::vector<Case> cases;
  std::set<std::array<std::uint64_t, 3>> seen;
  if (job.info.operands == 1) {
    if (code_bits(f) <= (level == 1 ? 8 : 16)) {
      for (std::uint64_t c = 0; c <= low_mask(code_bits(f)); ++c)
        append_unique(cases, seen, {container(f, c), 0, 0});
    } else {
      for (const std::uint64_t c : operand_codes(f, level)) append_unique(cases, seen, {c, 0, 0});
    }
    return cases;
  }
  // Level 2 pairs every level-1 structural code (a cross product of level 2's would be huge).
  const auto core = level == 1 ? core_codes(f) : operand_codes(f, 1);
  // The second operand keeps its positive values, -0 and -Inf: b's sign otherwise only
  // mirrors a case already there (a sum with -b is the difference with b, a product's sign
  // is a's sign flipped).
  std::vector<std::uint64_t> partners;
  for (const std::uint64_t b : core) {
    const Unpacked u = unpack(f, b);
    if (!u.negative || u.cls == ValueClass::Zero || u.cls == ValueClass::Infinite)
      partners.push_back(b);
  }
  if (job.info.operands == 2) {
    for (const std::uint64_t a : core)
      for (const std::uint64_t b : partners) append_unique(cases, seen, {a, b, 0});
    // Sums whose smaller term sits at and next to the rounding point of the larger: an
    // exponent difference of m + 1 puts 1.0 of b on the tie, 1.0...01 just above it.
    for (const std::uint64_t a : structural_magnitudes(f, level)) {
      const std::uint64_t ea = a >> f.mantissa_bits;
      for (const int d : {f.mantissa_bits, f.mantissa_bits + 1, f.mantissa_bits + 2}) {
        if (ea <= std::uint64_t(d)) continue;  // b would not be a normal value
        for (const std::uint64_t t :
             {std::uint64_t{0}, std::min<std::uint64_t>(1, low_mask(f.mantissa_bits))}) {
          const std::uint64_t b = (ea - std::uint64_t(d)) << f.mantissa_bits | t;
          append_unique(cases, seen, {container(f, a), container(f, b), 0});
          if (f.is_signed)
            append_unique(cases, seen, {container(f, a), container(f, b | sign_bit(f)), 0});
        }
      }
    }
    return cases;
  }
  // fma: every core product plus addends that cancel it (the exact residual decides), and
  // small ones that push it across a tie.
  Policy toward_zero;
  toward_zero.rounding = Rounding::TowardZero;
  for (const std::uint64_t a : core)
    for (const std::uint64_t b : partners) {
      const ValueClass b_class = unpack(f, b).cls;
      if (b_class != ValueClass::Normal && b_class != ValueClass::Subnormal) continue;
      const std::uint64_t product = mul(f, a, b, toward_zero).bits;
      std::vector<std::uint64_t> addends{0};
      if (f.has_subnormals && f.mantissa_bits > 0) addends.push_back(container(f, 1));
      if (f.is_signed) addends.push_back(product ^ container(f, sign_bit(f)));
      addends.push_back(product);
      for (const std::uint64_t c : addends)
        if (is_valid_code(f, c)) append_unique(cases, seen, {a, b, c});
    }
  return cases;
}

std::string_view yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

const OpInfo& op_from_name(std::string_view name) {
  for (const OpInfo& info : kOps)
    if (info.name == name) return info;
  throw InputError("unknown operation '" + std::string(name) +
                   "' (convert add sub mul div fma sqrt min max minnum maxnum)");
}

const OpInfo& op_info(Op op) {
  for (const OpInfo& info : kOps)
    if (info.op == op) return info;
  return kOps[0];
}

std::string_view coverage_name(Coverage c) {
  switch (c) {
    case Coverage::Level1:
      return "level1";
    case Coverage::Level2:
      return "level2";
    case Coverage::Exhaustive:
      return "exhaustive";
    case Coverage::Random:
      return "random";
    case Coverage::Recorded:
      return "recorded";
  }
  return "?";
}

void SetOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--op", spec.op, "convert add sub mul div fma sqrt min max minnum maxnum")
      ->capture_default_str();
  cmd.add_option("--from", spec.from, "convert: the source format");
  cmd.add_option("--to", spec.to, "convert: the result format");
  cmd.add_option("--format", format, "arithmetic: the format of operands and result");
  cmd.add_option("--level", level, "1: boundary cases from the formats' structure; 2: more")
      ->capture_default_str();
  cmd.add_flag("--exhaustive", exhaustive, "every input (every pair or triple: 2^32 at most)");
  cmd.add_option("--random", random, "N random cases (with --seed)");
  cmd.add_option("--seed", spec.seed, "seed of random cases and of stochastic R")
      ->capture_default_str();
  spec.policy.add_to(cmd, true);
}

VectorSpec SetOptions::to_spec() const {
  VectorSpec s = spec;
  if (s.op != "convert") {
    if (!s.from.empty() || !s.to.empty())
      throw InputError("arithmetic takes --format, not --from/--to");
    s.from = format;
  } else if (!format.empty()) {
    throw InputError("convert takes --from and --to, not --format");
  }
  if (exhaustive && random) throw InputError("--exhaustive and --random exclude each other");
  if (level != 1 && level != 2) throw InputError("--level must be 1 or 2");
  s.coverage = exhaustive   ? Coverage::Exhaustive
               : random     ? Coverage::Random
               : level == 1 ? Coverage::Level1
                            : Coverage::Level2;
  s.count = random;
  return s;
}

Job make_job(const VectorSpec& spec) {
  Job job{spec, op_from_name(spec.op), {}, {}, {}, false};
  if (job.info.op == Op::Convert) {
    if (spec.from.empty() || spec.to.empty()) throw InputError("convert needs --from and --to");
    job.operand = format_from_name(spec.from);
    job.result = format_from_name(spec.to);
  } else {
    if (spec.from.empty()) throw InputError(std::string(job.info.name) + " needs --format");
    job.operand = job.result = format_from_name(spec.from);
    if (!is_float(job.operand))
      throw InputError("'" + spec.from + "' is an integer format; arithmetic needs a float format");
  }
  job.policy = spec.policy.to_policy(job.info.op == Op::Convert ? spec.to : spec.from);
  job.stochastic = is_stochastic(job.policy.rounding);
  return job;
}

Rounded model_result(const Job& job, const Case& c) {
  const Format& f = job.operand;
  const Policy& p = job.policy;
  const auto& x = c.operands;
  switch (job.info.op) {
    case Op::Convert:
      return convert(f, job.result, x[0], p, c.random);
    case Op::Add:
      return add(f, x[0], x[1], p, c.random);
    case Op::Sub:
      return sub(f, x[0], x[1], p, c.random);
    case Op::Mul:
      return mul(f, x[0], x[1], p, c.random);
    case Op::Div:
      return div(f, x[0], x[1], p, c.random);
    case Op::Fma:
      return fma(f, x[0], x[1], x[2], p, c.random);
    case Op::Sqrt:
      return sqrt(f, x[0], p, c.random);
    case Op::Min:
      return minimum(f, x[0], x[1], p);
    case Op::Max:
      return maximum(f, x[0], x[1], p);
    case Op::MinNum:
      return minimum_number(f, x[0], x[1], p);
    case Op::MaxNum:
      return maximum_number(f, x[0], x[1], p);
  }
  return {};
}

void run_model(const Job& job, std::span<const Case> cases, std::span<Rounded> out) {
  for (std::size_t i = 0; i < cases.size(); ++i) out[i] = model_result(job, cases[i]);
}

CaseSource::CaseSource(const Job& job) : job_(job) {
  switch (job.spec.coverage) {
    case Coverage::Recorded:
      throw InputError("recorded cases are listed in their file; numconf cannot make them");
    case Coverage::Random:
      size_ = job.spec.count;
      break;
    case Coverage::Exhaustive: {
      const int bits = code_bits(job.operand) * job.info.operands;
      if (bits > 32)
        throw InputError(fmt::format("--exhaustive covers at most 2^32 cases; {} of {} has 2^{}",
                                     job.info.name, job.spec.from, bits));
      size_ = std::uint64_t{1} << bits;
      break;
    }
    default: {
      const int level = job.spec.coverage == Coverage::Level2 ? 2 : 1;
      structured_ =
          job.info.op == Op::Convert ? conversion_cases(job, level) : arithmetic_cases(job, level);
      size_ = structured_.size();
    }
  }
}

Case CaseSource::at(std::uint64_t index) const {
  const Format& f = job_.operand;
  Case c;
  if (!structured_.empty()) {
    c = structured_[index];
  } else {
    const int bits = code_bits(f);
    const int n = job_.info.operands;
    for (int k = 0; k < n; ++k) {
      const std::uint64_t code =
          job_.spec.coverage == Coverage::Exhaustive
              ? (index >> (bits * (n - 1 - k))) & low_mask(bits)
              : random_word(job_.spec.seed, index, std::uint64_t(k)) & low_mask(bits);
      c.operands[std::size_t(k)] = container(f, code);
    }
  }
  if (job_.stochastic)
    c.random = random_word(job_.spec.seed, index, 3) & low_mask(job_.policy.random_bits);
  return c;
}

int random_digits(const Job& job) { return std::max(1, (job.policy.random_bits + 3) / 4); }

void append_inputs(std::string& out, const Job& job, const Case& c) {
  for (int k = 0; k < job.info.operands; ++k) {
    if (k) out += ' ';
    append_hex(out, c.operands[std::size_t(k)], job.operand_digits());
  }
  if (job.stochastic) {
    out += ' ';
    append_hex(out, c.random, random_digits(job));
  }
}

void append_case_line(std::string& out, const Job& job, const Case& c, const Rounded& r) {
  append_inputs(out, job, c);
  out += ' ';
  append_hex(out, r.bits, job.result_digits());
  out += ' ';
  append_hex(out, r.flags, 2);
  out += '\n';
}

std::string header_text(const Job& job, std::uint64_t cases) {
  const VectorSpec& s = job.spec;
  const PolicyOptions& p = s.policy;
  std::string fields;
  for (int k = 0; k < job.info.operands; ++k) fields += std::string(1, char('a' + k)) + " ";
  if (job.stochastic) fields += "r ";
  fields += job.spec.flags_column ? "result flags" : "result";
  std::string text = fmt::format("# numconf-vectors {}\n# generator numconf {}\n# op {}\n",
                                 kVectorFormatVersion, NUMCONF_VERSION, job.info.name);
  if (job.info.op == Op::Convert)
    text += fmt::format("# from {}\n# to {}\n", s.from, s.to);
  else
    text += fmt::format("# format {}\n", s.from);
  text += fmt::format(
      "# round {}\n# sat {}\n# overflow-rule {}\n# daz {}\n# ftz {}\n# tininess {}\n"
      "# nan-to-nanless {}\n# rbits {}\n# coverage {}\n# seed {}\n# cases {}\n# fields {}\n",
      rounding_name(job.policy.rounding), overflow_name(job.policy.overflow),
      overflow_rule_name(job.policy.overflow_rule), yes_no(p.daz), yes_no(p.ftz), p.tininess,
      p.nan_to_nanless, p.random_bits, coverage_name(s.coverage), s.seed, cases, fields);
  // Optional, so files made under numconf's own conventions keep the version-1 key set.
  if (p.profile != "model") text += fmt::format("# profile {}\n", p.profile);
  return text;
}

void HeaderParser::fail(long long number, const std::string& why) const {
  throw InputError(where_ + " line " + std::to_string(number) + ": " + why);
}

void HeaderParser::line(std::string_view text, long long number) {
  static constexpr std::array<std::string_view, 24> kKeys = {
      "numconf-vectors", "generator", "op", "from", "to", "format", "round", "sat", "overflow-rule",
      "daz", "ftz", "tininess", "nan-to-nanless", "rbits", "coverage", "seed", "cases", "fields",
      "profile",
      // provenance of a recording
      "instruction", "device", "driver", "cuda", "date"};
  if (!text.starts_with("# "))
    fail(number, "a header line is '# key value', got '" + std::string(text) + "'");
  text.remove_prefix(2);
  const auto space = text.find(' ');
  const std::string key(text.substr(0, space));
  const std::string value(space == std::string_view::npos ? "" : text.substr(space + 1));
  if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
    fail(number, "unknown header key '" + key + "'");
  if (lines_ == 0 && key != "numconf-vectors")
    fail(number, "the first header line must be '# numconf-vectors " +
                     std::to_string(kVectorFormatVersion) + "'");
  if (key == "numconf-vectors" && value != std::to_string(kVectorFormatVersion))
    fail(number, "vector format version '" + value + "' is not supported (this numconf reads " +
                     std::to_string(kVectorFormatVersion) + ")");
  for (const auto& [k, v] : keys_)
    if (k == key) fail(number, "header key '" + key + "' given twice");
  keys_.emplace_back(key, value);
  ++lines_;
}

VectorSpec HeaderParser::spec(std::uint64_t& cases) const {
  const auto get = [&](std::string_view key, bool required) -> std::string {
    for (const auto& [k, v] : keys_)
      if (k == key) return v;
    if (required) throw InputError(where_ + ": header has no '" + std::string(key) + "' key");
    return "";
  };
  const auto number = [&](std::string_view key) {
    const std::string text = get(key, true);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
      throw InputError(where_ + ": header key '" + std::string(key) + "' is not a number: '" +
                       text + "'");
    return value;
  };
  const auto flag = [&](std::string_view key) {
    const std::string text = get(key, true);
    if (text != "yes" && text != "no")
      throw InputError(where_ + ": header key '" + std::string(key) + "' must be yes or no");
    return text == "yes";
  };
  VectorSpec s;
  s.op = get("op", true);
  if (s.op == "convert") {
    s.from = get("from", true);
    s.to = get("to", true);
  } else {
    s.from = get("format", true);
  }
  s.policy.round = get("round", true);
  s.policy.sat = get("sat", true);
  s.policy.overflow_rule = get("overflow-rule", true);
  s.policy.daz = flag("daz");
  s.policy.ftz = flag("ftz");
  s.policy.tininess = get("tininess", true);
  s.policy.nan_to_nanless = get("nan-to-nanless", true);
  s.policy.random_bits = int(number("rbits"));
  if (const std::string profile = get("profile", false); !profile.empty())
    s.policy.profile = profile;
  const std::string coverage = get("coverage", true);
  bool known = false;
  for (const Coverage c : {Coverage::Level1, Coverage::Level2, Coverage::Exhaustive,
                           Coverage::Random, Coverage::Recorded})
    if (coverage_name(c) == coverage) s.coverage = c, known = true;
  if (!known) throw InputError(where_ + ": unknown coverage '" + coverage + "'");
  s.seed = number("seed");
  cases = number("cases");
  if (s.coverage == Coverage::Random) s.count = cases;
  // Which columns follow the operands is checked against the operation by the reader; here,
  // only whether the flags column is there.
  const std::string fields = get("fields", true);
  s.flags_column = !(fields == "result" || fields.ends_with(" result"));
  if (s.flags_column && !fields.ends_with("result flags"))
    throw InputError(where_ + ": header key 'fields' must end in 'result flags' or 'result': '" +
                     fields + "'");
  return s;
}

namespace {

int npy_bytes_for(int bits) { return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8; }

}  // namespace

bool npy_stores_inputs(const Job& job) { return job.spec.coverage != Coverage::Exhaustive; }

std::vector<NpyField> npy_fields(const Job& job) {
  std::vector<NpyField> fields;
  if (npy_stores_inputs(job)) {
    for (int k = 0; k < job.info.operands; ++k)
      fields.push_back({std::string(1, char('a' + k)), npy_bytes_for(storage_bits(job.operand))});
    if (job.stochastic) fields.push_back({"r", 4});
  }
  fields.push_back({"expected", npy_bytes_for(storage_bits(job.result))});
  fields.push_back({"flags", 1});
  return fields;
}

std::string npy_descr(const std::vector<NpyField>& fields) {
  std::string descr = "[";
  for (const NpyField& f : fields)
    descr += fmt::format("{}('{}', '{}u{}')", descr.size() > 1 ? ", " : "", f.name,
                         f.bytes == 1 ? "|" : "<", f.bytes);
  return descr + "]";
}

}  // namespace numconf::cli
