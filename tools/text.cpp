#include "text.hpp"

#include <array>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cctype>
#include <utility>

#include "formats/convert.hpp"
#include "formats/registry.hpp"
#include "formats/round.hpp"

namespace numconf::cli {

using boost::multiprecision::cpp_int;

namespace {

template <typename Enum>
struct Named {
  std::string_view name;
  Enum value;
};

constexpr std::array<Named<Rounding>, 9> kRoundings{{
    {"rn", Rounding::NearestEven},
    {"rna", Rounding::NearestAway},
    {"rz", Rounding::TowardZero},
    {"rp", Rounding::TowardPositive},
    {"rm", Rounding::TowardNegative},
    {"ro", Rounding::ToOdd},
    {"sra", Rounding::StochasticA},
    {"srb", Rounding::StochasticB},
    {"src", Rounding::StochasticC},
}};

constexpr std::array<Named<Overflow>, 3> kOverflows{{
    {"none", Overflow::None},
    {"finite", Overflow::Finite},
    {"propagate", Overflow::Propagate},
}};

constexpr std::array<Named<OverflowRule>, 3> kOverflowRules{{
    {"ieee", OverflowRule::Ieee754},
    {"p3109", OverflowRule::P3109},
    {"p3109-v3", OverflowRule::P3109V3},
}};

template <typename Enum, std::size_t N>
Enum from_name(const std::array<Named<Enum>, N>& table, std::string_view name,
               std::string_view what) {
  for (const auto& entry : table)
    if (entry.name == name) return entry.value;
  std::string known;
  for (const auto& entry : table) known += (known.empty() ? "" : ", ") + std::string(entry.name);
  throw InputError("unknown " + std::string(what) + " '" + std::string(name) + "' (one of " +
                   known + ")");
}

template <typename Enum, std::size_t N>
std::string_view to_name(const std::array<Named<Enum>, N>& table, Enum value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

// |value| = significand * 2^exponent as an exact decimal string.
std::string dyadic_decimal(std::uint64_t significand, int exponent) {
  if (exponent >= 0) return (cpp_int(significand) << exponent).str();
  cpp_int scaled = cpp_int(significand);
  for (int i = 0; i < -exponent; ++i) scaled *= 5;  // s / 2^k = s * 5^k / 10^k
  std::string digits = scaled.str();
  const std::size_t point = std::size_t(-exponent);
  if (digits.size() <= point) digits.insert(0, point - digits.size() + 1, '0');
  digits.insert(digits.size() - point, ".");
  while (digits.back() == '0') digits.pop_back();
  if (digits.back() == '.') digits.pop_back();
  return digits;
}

// An exact rational read from text: (-1)^negative * numerator / denominator.
struct Rational {
  bool negative = false;
  cpp_int numerator, denominator = 1;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decimal ("-1.5e-3") or C99 hex-float ("0x1.8p+3") text to an exact rational.
Rational parse_number(std::string_view text) {
  const std::string original(text);
  const auto fail = [&] { return InputError("not a number: '" + original + "'"); };
  Rational r;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    r.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const bool hex = text.starts_with("0x") || text.starts_with("0X");
  if (hex) text.remove_prefix(2);
  const int base = hex ? 16 : 10;
  bool any_digit = false, seen_point = false;
  long long exponent = 0;  // in units of the base's digit (hex: 4 bits), before the suffix
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    const int d = hex ? hex_digit(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (d < 0) break;
    r.numerator = r.numerator * base + d;
    any_digit = true;
    if (seen_point) --exponent;
  }
  if (!any_digit) throw fail();
  long long suffix = 0;
  if (i < text.size()) {
    const char marker = char(std::tolower(static_cast<unsigned char>(text[i])));
    if (marker != (hex ? 'p' : 'e') || i + 1 == text.size()) throw fail();
    std::size_t j = i + 1;
    const bool negative = text[j] == '-';
    if (text[j] == '-' || text[j] == '+') ++j;
    if (j == text.size()) throw fail();
    for (; j < text.size(); ++j) {
      if (text[j] < '0' || text[j] > '9' || suffix > 100000) throw fail();
      suffix = suffix * 10 + (text[j] - '0');
    }
    if (negative) suffix = -suffix;
  }
  // Hex: digits * 16^exponent * 2^suffix.  Decimal: digits * 10^(exponent + suffix).
  const long long power2 = hex ? 4 * exponent + suffix : 0;
  const long long power10 = hex ? 0 : exponent + suffix;
  if (power10 > 100000 || power10 < -100000) throw fail();
  cpp_int ten_power = 1;
  for (long long k = 0; k < (power10 < 0 ? -power10 : power10); ++k) ten_power *= 10;
  if (power10 >= 0) r.numerator *= ten_power;
  else r.denominator *= ten_power;
  if (power2 >= 0) r.numerator <<= std::size_t(power2);
  else r.denominator <<= std::size_t(-power2);
  return r;
}

}  // namespace

Format format_from_name(const std::string& name) {
  const ParsedFormat parsed = parse_format(name);
  if (!parsed.format) throw InputError(parsed.error);
  return *parsed.format;
}

Rounding rounding_from_name(std::string_view name) {
  return from_name(kRoundings, name, "rounding mode");
}
Overflow overflow_from_name(std::string_view name) {
  return from_name(kOverflows, name, "overflow mode");
}
OverflowRule overflow_rule_from_name(std::string_view name) {
  return from_name(kOverflowRules, name, "overflow rule");
}
std::string_view rounding_name(Rounding r) { return to_name(kRoundings, r); }
std::string_view overflow_name(Overflow o) { return to_name(kOverflows, o); }
std::string_view overflow_rule_name(OverflowRule r) { return to_name(kOverflowRules, r); }

OverflowRule default_overflow_rule(std::string_view target_name) {
  return target_name.starts_with("binary") ? OverflowRule::P3109 : OverflowRule::Ieee754;
}

std::uint64_t parse_code(std::string_view text, const Format& f) {
  const std::string original(text);
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty() || text.size() > 16) throw InputError("malformed hex code '" + original + "'");
  std::uint64_t value = 0;
  for (const char c : text) {
    const int d = hex_digit(c);
    if (d < 0) throw InputError("malformed hex code '" + original + "'");
    value = value << 4 | std::uint64_t(d);
  }
  if (!is_valid_code(f, value))
    throw InputError("code '" + original + "' is not a " + std::to_string(storage_bits(f)) +
                     "-bit code of the format" +
                     (f.padding_bits ? " (its low " + std::to_string(f.padding_bits) +
                                           " bits must be zero)"
                                     : ""));
  return value;
}

std::string code_hex(std::uint64_t code, const Format& f) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out(std::size_t((storage_bits(f) + 3) / 4), '0');
  for (std::size_t i = out.size(); i-- > 0; code >>= 4) out[i] = kDigits[code & 15];
  return out;
}

std::string_view class_name(ValueClass c) {
  switch (c) {
    case ValueClass::Zero: return "zero";
    case ValueClass::Subnormal: return "subnormal";
    case ValueClass::Normal: return "normal";
    case ValueClass::Infinite: return "inf";
    case ValueClass::Nan: return "nan";
  }
  return "?";
}

std::string exact_decimal(const Unpacked& u) {
  const std::string sign = u.negative ? "-" : "";
  switch (u.cls) {
    case ValueClass::Nan: return sign + "nan";
    case ValueClass::Infinite: return sign + "inf";
    case ValueClass::Zero: return sign + "0";
    default: return sign + dyadic_decimal(u.significand, u.exponent);
  }
}

std::string hex_float(const Unpacked& u) {
  const std::string sign = u.negative ? "-" : "";
  switch (u.cls) {
    case ValueClass::Nan: return sign + "nan";
    case ValueClass::Infinite: return sign + "inf";
    case ValueClass::Zero: return sign + "0x0p+0";
    default: break;
  }
  // Normalise to 1.f * 2^e with the fraction's bits in whole hex digits.
  const int top = 63 - std::countl_zero(u.significand);
  const int exponent = u.exponent + top;
  std::uint64_t fraction = u.significand & ~(std::uint64_t{1} << top);
  int fraction_bits = top;
  const int pad = (4 - fraction_bits % 4) % 4;
  fraction <<= pad;
  fraction_bits += pad;
  std::string digits;
  constexpr char kDigits[] = "0123456789abcdef";
  for (int b = fraction_bits - 4; b >= 0; b -= 4) digits += kDigits[(fraction >> b) & 15];
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return sign + "0x1" + (digits.empty() ? "" : "." + digits) + "p" +
         (exponent >= 0 ? "+" : "") + std::to_string(exponent);
}

Rounded encode_text(std::string_view text, const Format& f, const Policy& p) {
  std::string lower(text);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  const bool negative = lower.starts_with('-');
  const std::string_view unsigned_text = std::string_view(lower).substr(
      negative || lower.starts_with('+') ? 1 : 0);
  if (unsigned_text == "inf" || unsigned_text == "nan") {
    // Route specials through an f64 code so they meet the same rules as any conversion.
    constexpr Format kSource = float_format(11, 52, 1023, InfEncoding::Ieee, NanEncoding::Ieee);
    const std::uint64_t bits = (negative ? std::uint64_t{1} << 63 : 0) |
                               (unsigned_text == "inf" ? 0x7ff0000000000000 : 0x7ff8000000000000);
    return convert(kSource, f, bits, p);
  }
  const Rational r = parse_number(text);
  if (r.numerator == 0) return round_pack(f, r.negative, 0, 0, false, p);
  // A 64-bit significand plus a sticky bit determines every rounding of <= 62-bit precision.
  const long long shift =  // puts the quotient in [2^62, 2^64)
      63 - static_cast<long long>(msb(r.numerator)) + static_cast<long long>(msb(r.denominator));
  if (shift > (1 << 20) || shift < -(1 << 20))
    throw InputError("number out of range: '" + std::string(text) + "'");
  cpp_int scaled_num = r.numerator, scaled_den = r.denominator;
  if (shift >= 0) scaled_num <<= std::size_t(shift);
  else scaled_den <<= std::size_t(-shift);
  cpp_int quotient, remainder;
  divide_qr(scaled_num, scaled_den, quotient, remainder);
  return round_pack(f, r.negative, int(-shift), static_cast<std::uint64_t>(quotient), remainder != 0,
                    p);
}

}  // namespace numconf::cli
