// Text in and out of the numconf CLI: names of modes, hex codes, exact values.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "formats/decode.hpp"
#include "formats/format.hpp"
#include "formats/policy.hpp"

namespace numconf::cli {

// Bad input of any kind: the message names the problem; main() maps it to exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Format format_from_name(const std::string& name);

Rounding rounding_from_name(std::string_view name);
Overflow overflow_from_name(std::string_view name);
OverflowRule overflow_rule_from_name(std::string_view name);
std::string_view rounding_name(Rounding r);
std::string_view overflow_name(Overflow o);
std::string_view overflow_rule_name(OverflowRule r);

// The overflow rule a target implies when the user gives none: P3109 formats follow P3109.
OverflowRule default_overflow_rule(std::string_view target_name);

// Parses a hex code ("0x7E", "7e") and checks it is a code of the format; throws InputError.
std::uint64_t parse_code(std::string_view text, const Format& f);

// Hex digits of a code, zero-padded to the container width, lowercase, no prefix.
std::string code_hex(std::uint64_t code, const Format& f);

std::string_view class_name(ValueClass c);

// The exact value of a decoded code as a decimal string ("-0.375", "inf", "nan") and as a
// C99 hex-float ("-0x1.8p-2").
std::string exact_decimal(const Unpacked& u);
std::string hex_float(const Unpacked& u);

// Rounds a decimal or hex-float number, "inf", "-inf" or "nan", into the format.
Rounded encode_text(std::string_view text, const Format& f, const Policy& p);

}  // namespace numconf::cli
