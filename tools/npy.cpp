#include "npy.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include "text.hpp"

namespace numconf::cli {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

// The value of `key` in the header dict, up to the next ',' at depth 0 or the closing '}'.
std::string_view dict_value(std::string_view header, std::string_view key) {
  std::string quoted = "'";
  quoted.append(key);
  quoted += '\'';
  auto at = header.find(quoted);
  if (at == std::string_view::npos) return {};
  at = header.find(':', at + quoted.size());
  if (at == std::string_view::npos) return {};
  std::size_t end = at + 1;
  int depth = 0;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if ((c == ',' && depth == 0) || c == '}') break;
  }
  std::string_view v = header.substr(at + 1, end - at - 1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

// "(3,)", "(2, 3)", "()"; nullopt when malformed.
std::optional<std::vector<std::size_t>> parse_shape(std::string_view text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::vector<std::size_t> dims;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ',')) ++pos;
    if (pos == text.size()) break;
    std::size_t value = 0, digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
      value = value * 10 + std::size_t(text[pos] - '0');
    if (digits == 0 || digits > 12) return std::nullopt;
    dims.push_back(value);
  }
  return dims;
}

}  // namespace

std::string npy_header(std::string_view descr, std::string_view shape) {
  std::string dict = "{'descr': ";
  dict.append(descr).append(", 'fortran_order': False, 'shape': ").append(shape).append(", }");
  // Magic, version, 2-byte length, then the dict and '\n' padded to a multiple of 64 bytes.
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += char(dict.size() & 0xff);
  out += char(dict.size() >> 8);
  return out + dict;
}

NpyHeader read_npy_header(std::FILE* in, const std::string& path) {
  const auto bad = [&](const std::string& why) { return InputError(path + ": " + why); };
  char start[12];
  if (std::fread(start, 1, 10, in) != 10 || std::string_view(start, 6) != kMagic)
    throw bad("not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(start[6]);
  if (major < 1 || major > 3) throw bad("unsupported .npy version " + std::to_string(major));
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (length_bytes == 4 && std::fread(start + 10, 1, 2, in) != 2) throw bad("truncated header");
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i)
    header_length |= std::size_t(static_cast<unsigned char>(start[8 + i])) << (8 * i);
  if (header_length > (1 << 20)) throw bad("header of " + std::to_string(header_length) + " bytes");
  std::string header(header_length, '\0');
  if (std::fread(header.data(), 1, header_length, in) != header_length)
    throw bad("truncated header");
  if (dict_value(header, "fortran_order") != "False")
    throw bad("Fortran-order arrays are not supported");
  NpyHeader h;
  h.descr = dict_value(header, "descr");
  const std::string_view shape = dict_value(header, "shape");
  const auto dims = parse_shape(shape);
  if (!dims) throw bad("malformed shape '" + std::string(shape) + "'");
  h.shape = *dims;
  h.data_offset = 8 + length_bytes + header_length;
  return h;
}

F32Array read_npy_f32(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
  if (!f) throw InputError("cannot read '" + path + "'");
  const NpyHeader header = read_npy_header(f.get(), path);
  const auto bad = [&](const std::string& why) { return InputError(path + ": " + why); };
  if (header.descr != "'<f4'") throw bad("dtype " + header.descr + " is not '<f4' (float32)");
  const auto& dims = header.shape;
  if (dims.empty() || dims.size() > 2) throw bad("the array is not 1-D or 2-D");
  std::string data;
  char chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) data.append(chunk, got);
  F32Array a;
  a.rows = dims.size() == 2 ? dims[0] : 1;
  a.cols = dims.back();
  const std::size_t count = a.rows * a.cols;
  if (data.size() != 4 * count)
    throw bad("holds " + std::to_string(data.size()) + " data bytes, shape needs " +
              std::to_string(4 * count));
  a.bits.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t v = 0;
    for (int b = 0; b < 4; ++b)
      v |= std::uint32_t(static_cast<unsigned char>(data[4 * i + std::size_t(b)])) << (8 * b);
    a.bits[i] = v;
  }
  return a;
}

std::string npy_f32_bytes(const F32Array& a, bool one_dimensional) {
  std::string shape = "(";
  if (!one_dimensional) shape.append(std::to_string(a.rows)).append(", ");
  shape.append(std::to_string(a.cols)).append(one_dimensional ? ",)" : ")");
  std::string out = npy_header("'<f4'", shape);
  for (const std::uint32_t v : a.bits)
    for (int b = 0; b < 4; ++b) out += char((v >> (8 * b)) & 0xff);
  return out;
}

}  // namespace numconf::cli
