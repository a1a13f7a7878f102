#include "stream.hpp"

namespace numconf::cli {

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t'; }
}  // namespace

bool next_hex(std::string_view line, std::size_t& pos, std::uint64_t& value) {
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  if (line.substr(pos, 2) == "0x" || line.substr(pos, 2) == "0X") pos += 2;
  const std::size_t start = pos;
  value = 0;
  for (; pos < line.size() && !is_blank(line[pos]); ++pos) {
    const char c = line[pos];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (pos - start >= 16) return false;
    value = value << 4 | std::uint64_t(d);
  }
  return pos > start;
}

bool at_end(std::string_view line, std::size_t pos) {
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  return pos == line.size();
}

void append_hex(std::string& out, std::uint64_t value, int digits) {
  constexpr char kHexDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out += kHexDigits[(value >> (4 * i)) & 15];
}

}  // namespace numconf::cli
