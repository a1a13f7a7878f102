// The pieces shared by the line-oriented commands (convert, op, verify-testfloat): reading lines
// in large chunks, and hex fields in and out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace numconf::cli {

// Calls on_line(text) for every line of `in`, without its '\n' and a trailing '\r'; a last line
// without '\n' counts too.
template <typename OnLine>
void for_each_line(std::FILE* in, OnLine&& on_line) {
  std::string pending;
  std::string chunk(1 << 20, '\0');
  std::size_t got;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), in)) > 0) {
    std::string_view data(chunk.data(), got);
    std::size_t newline;
    while ((newline = data.find('\n')) != std::string_view::npos) {
      std::string_view line = data.substr(0, newline);
      if (!pending.empty()) {
        pending.append(line);
        line = pending;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line(line);
      pending.clear();
      data.remove_prefix(newline + 1);
    }
    pending.append(data);
  }
  std::string_view line = pending;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty()) on_line(line);
}

// Parses one blank-delimited hex field at `pos` ("7e", "0x7E", at most 16 digits), moving `pos`
// past it; returns false when there is none or it is malformed.
bool next_hex(std::string_view line, std::size_t& pos, std::uint64_t& value);

// Whether only blanks remain from `pos` on.
bool at_end(std::string_view line, std::size_t pos);

// Appends `value` as exactly `digits` lowercase hex digits.
void append_hex(std::string& out, std::uint64_t value, int digits);

}  // namespace numconf::cli
