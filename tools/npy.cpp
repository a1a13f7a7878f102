#include "npy.hpp"

#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

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

// The size of one element of a quoted dtype: '<f4' '<u2' '|u1' '<i8' ...; 0 for anything else
// (big-endian, structured, strings).
std::size_t item_bytes(std::string_view quoted) {
  if (quoted.size() != 5 || quoted.front() != '\'' || quoted.back() != '\'') return 0;
  const char order = quoted[1], kind = quoted[2], size = quoted[3];
  if (kind != 'f' && kind != 'u' && kind != 'i') return 0;
  if (size != '1' && size != '2' && size != '4' && size != '8') return 0;
  if (kind == 'f' && size == '1') return 0;
  if (!(order == '<' || (size == '1' && order == '|'))) return 0;
  return std::size_t(size - '0');
}

// "(2, 3)", "(5,)" or "()"; nullopt when malformed.
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

NpyArray read_npy(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError("cannot read '" + path + "'");
  NpyHeader header;
  std::string data;
  try {
    header = read_npy_header(f, path);
    char chunk[1 << 16];
    std::size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) data.append(chunk, got);
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  const auto bad = [&](const std::string& why) { return InputError(path + ": " + why); };
  const std::size_t item = item_bytes(header.descr);
  if (item == 0)
    throw bad("dtype " + header.descr + " is not a little-endian or one-byte number type");
  std::size_t count = 1;
  for (const std::size_t d : header.shape) {
    if (d > (std::size_t{1} << 40) || count > (std::size_t{1} << 40))
      throw bad("shape of " + std::to_string(header.shape.size()) + " dimensions is too large");
    count *= d;
  }
  if (data.size() != item * count)
    throw bad("holds " + std::to_string(data.size()) + " data bytes, shape needs " +
              std::to_string(item * count));
  return NpyArray{.dtype = header.descr.substr(1, header.descr.size() - 2),
                  .shape = header.shape,
                  .data = std::move(data)};
}

std::string npy_bytes(const NpyArray& a) {
  std::string shape = "(";
  for (std::size_t i = 0; i < a.shape.size(); ++i)
    shape.append(std::to_string(a.shape[i]))
        .append(a.shape.size() == 1      ? ","
                : i + 1 < a.shape.size() ? ", "
                                         : "");
  shape += ')';
  return npy_header("'" + a.dtype + "'", shape) + a.data;
}

std::string unsigned_dtype(int bytes) { return (bytes == 1 ? "|u" : "<u") + std::to_string(bytes); }

NpyArray npy_of_unsigned(int bytes, std::vector<std::size_t> shape,
                         const std::vector<std::uint64_t>& values) {
  NpyArray a{.dtype = unsigned_dtype(bytes), .shape = std::move(shape), .data = {}};
  a.data.reserve(values.size() * std::size_t(bytes));
  for (const std::uint64_t v : values)
    for (int b = 0; b < bytes; ++b) a.data += char((v >> (8 * b)) & 0xff);
  return a;
}

std::vector<std::uint64_t> unsigned_elements(const NpyArray& a) {
  const std::size_t item = item_bytes("'" + a.dtype + "'");
  std::vector<std::uint64_t> values(item == 0 ? 0 : a.data.size() / item);
  for (std::size_t i = 0; i < values.size(); ++i)
    for (std::size_t b = 0; b < item; ++b)
      values[i] |= std::uint64_t(static_cast<unsigned char>(a.data[i * item + b])) << (8 * b);
  return values;
}

F32Array read_npy_f32(const std::string& path) {
  const NpyArray a = read_npy(path);
  if (a.dtype != "<f4") throw InputError(path + ": dtype '" + a.dtype + "' is not '<f4' (float32)");
  if (a.shape.empty() || a.shape.size() > 2)
    throw InputError(path + ": a " + std::to_string(a.shape.size()) + "-D array, not 1-D or 2-D");
  F32Array f;
  f.rows = a.shape.size() == 2 ? a.shape[0] : 1;
  f.cols = a.shape.back();
  for (const std::uint64_t v : unsigned_elements(NpyArray{"<u4", a.shape, a.data}))
    f.bits.push_back(std::uint32_t(v));
  return f;
}

std::string npy_f32_bytes(const F32Array& a, bool one_dimensional) {
  std::vector<std::uint64_t> values(a.bits.begin(), a.bits.end());
  NpyArray array = npy_of_unsigned(
      4,
      one_dimensional ? std::vector<std::size_t>{a.cols} : std::vector<std::size_t>{a.rows, a.cols},
      values);
  array.dtype = "<f4";
  return npy_bytes(array);
}

}  // namespace numconf::cli
