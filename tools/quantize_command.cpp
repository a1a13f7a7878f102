// numconf quantize / dequantize: block-scaled formats and quantizers (docs/quantization.md).
//
// quantize reads f32 values (hex lines on stdin, or --input FILE.npy) and writes, as text:
//   shape <rows> <cols>
//   tensor_scale <hex>             (nvfp4 only: the f32 tensor scale g)
//   scale <hex> [<zero point hex>] (one line per block, in block order)
//   <code hex>                     (one line per value, in tensor order)
// or the same as .npy files (--npy PREFIX), with the codes packed into a file of their own
// (--packed FILE, in the --pack layout) instead of in the text or the .npy set; or with
// --roundtrip the dequantized f32 values.  dequantize reads any of these back (with the same
// scheme options) and writes the f32 values as hex lines or a .npy file.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "formats/pack.hpp"
#include "formats/quant.hpp"
#include "npy.hpp"
#include "output.hpp"
#include "stream.hpp"
#include "text.hpp"

namespace numconf::cli {

namespace {

struct QuantizeOptions {
  std::string scheme, scale_rule, round, range, scale_dtype, scale_round, division, order;
  std::string scale, tensor_scale, shape, tail = "error", input, output, packed, pack, npy_prefix;
  int block = 0, axis = -1;
  bool symmetric = false, asymmetric = false, roundtrip = false;
};

template <typename T>
T named_choice(std::string_view what, std::string_view name,
               std::initializer_list<std::pair<std::string_view, T>> choices) {
  std::string known;
  for (const auto& [n, v] : choices) {
    if (n == name) return v;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw InputError("unknown " + std::string(what) + " '" + std::string(name) + "' (one of " +
                   known + ")");
}

std::uint64_t parse_hex_field(std::string_view text, std::string_view what) {
  std::size_t pos = 0;
  std::uint64_t v = 0;
  if (!next_hex(text, pos, v) || !at_end(text, pos))
    throw InputError("malformed hex " + std::string(what) + " '" + std::string(text) + "'");
  return v;
}

// The scheme the options describe: a named scheme with its defaults, options applied where
// they make sense for its method (and rejected where they do not).
quant::Scheme scheme_from(const QuantizeOptions& o) {
  using quant::Method;
  const quant::NamedScheme* found = nullptr;
  std::string known;
  for (const auto& s : quant::kSchemes) {
    if (o.scheme == s.name) found = &s;
    if (!known.empty()) known += ' ';
    known += s.name;
  }
  if (found == nullptr)
    throw InputError("unknown scheme '" + o.scheme + "' (one of " + known + ")");
  quant::Scheme s = found->scheme;
  const bool linear = s.method == Method::Linear;
  const auto only = [&](bool allowed, const char* option, const char* where) {
    if (!allowed) throw InputError(std::string(option) + " applies to " + where + " schemes only");
  };
  if (!o.scale_rule.empty()) {
    only(s.method == Method::Mx, "--scale-rule", "MX");
    s.rule = named_choice<quant::ScaleRule>("scale rule", o.scale_rule,
                                            {{"floor", quant::ScaleRule::Floor},
                                             {"ceil", quant::ScaleRule::Ceil},
                                             {"even", quant::ScaleRule::Even},
                                             {"rceil", quant::ScaleRule::Rceil}});
  }
  if (!o.round.empty()) s.element_policy.rounding = rounding_from_name(o.round);
  if (is_stochastic(s.element_policy.rounding))
    throw InputError("stochastic rounding needs random bits; quantize has no input for them");
  if (o.block != 0) {
    if (o.block < 1 || o.block > (1 << 20)) throw InputError("--block must be 1..1048576");
    only(s.method == Method::Mx || s.method == Method::Nvfp4 || s.method == Method::Table || linear,
         "--block", "MX, nvfp4, nf4 and linear");
    s.block = o.block;
    s.granularity = quant::Granularity::PerGroup;
  }
  if (o.axis >= 0) {
    only(linear, "--axis", "linear (int8 int4 uint8 uint4)");
    if (o.axis > 1) throw InputError("--axis must be 0 (rows) or 1 (columns)");
    if (o.block != 0)
      throw InputError("--axis (per channel) and --block (per group) exclude each other");
    s.granularity = quant::Granularity::PerChannel;
    s.axis = o.axis;
  }
  if (o.symmetric || o.asymmetric) {
    only(linear, "--symmetric/--asymmetric", "linear");
    s.asymmetric = o.asymmetric;
  }
  if (!o.range.empty()) {
    only(linear, "--range", "linear");
    s.range = named_choice<quant::IntRange>(
        "range", o.range,
        {{"full", quant::IntRange::Full}, {"restricted", quant::IntRange::Restricted}});
  }
  if (!o.order.empty()) {
    only(linear, "--zero-point-order", "linear");
    s.order = named_choice<quant::ZeroPointOrder>(
        "zero point order", o.order,
        {{"add-then-clamp", quant::ZeroPointOrder::AddThenClamp},
         {"clamp-then-add", quant::ZeroPointOrder::ClampThenAdd}});
  }
  if (!o.scale_dtype.empty()) {
    only(linear, "--scale-dtype", "linear");
    s.scale = named_choice<Format>("scale dtype", o.scale_dtype,
                                   {{"f32", kF32}, {"f16", kF16}, {"bf16", kBF16}});
  }
  if (!o.scale_round.empty()) {
    only(linear || s.method == Method::Nvfp4, "--scale-round", "linear and nvfp4");
    s.scale_rounding = rounding_from_name(o.scale_round);
    if (is_stochastic(s.scale_rounding)) throw InputError("--scale-round cannot be stochastic");
  }
  if (!o.scale.empty()) {
    only(linear, "--scale", "linear");
    s.fixed_scale = true;
    s.scale_code = parse_hex_field(o.scale, "--scale");
    if (!is_valid_code(s.scale, s.scale_code))
      throw InputError("--scale is not a code of the scale dtype");
  }
  if (!o.division.empty()) {
    only(s.method == Method::Nvfp4, "--division", "nvfp4");
    s.division = named_choice<quant::Division>(
        "division", o.division,
        {{"divide", quant::Division::Divide}, {"reciprocal", quant::Division::Reciprocal}});
  }
  return s;
}

struct Shape {
  std::size_t rows = 1, cols = 0;
};

// "R,C" or "N".
Shape parse_shape(const std::string& text) {
  Shape shape;
  const auto comma = text.find(',');
  const auto number = [&](std::string_view t) {
    std::size_t v = 0;
    if (t.empty() || t.size() > 12) throw InputError("bad --shape '" + text + "'");
    for (const char c : t) {
      if (c < '0' || c > '9') throw InputError("bad --shape '" + text + "'");
      v = v * 10 + std::size_t(c - '0');
    }
    return v;
  };
  if (comma == std::string::npos) {
    shape.cols = number(text);
  } else {
    shape.rows = number(std::string_view(text).substr(0, comma));
    shape.cols = number(std::string_view(text).substr(comma + 1));
  }
  return shape;
}

F32Array read_values(const QuantizeOptions& o) {
  F32Array a;
  if (!o.input.empty() && o.input != "-") {
    a = read_npy_f32(o.input);
  } else {
    long long line = 0;
    for_each_line(stdin, [&](std::string_view text) {
      ++line;
      std::size_t pos = 0;
      std::uint64_t v = 0;
      if (!next_hex(text, pos, v) || !at_end(text, pos) || v > 0xffffffff)
        throw InputError("stdin line " + std::to_string(line) + ": malformed f32 hex '" +
                         std::string(text) + "'");
      a.bits.push_back(std::uint32_t(v));
    });
    a.cols = a.bits.size();
  }
  if (!o.shape.empty()) {
    const Shape s = parse_shape(o.shape);
    if (s.rows * s.cols != a.bits.size())
      throw InputError("--shape " + o.shape + " holds " + std::to_string(s.rows * s.cols) +
                       " values, the input " + std::to_string(a.bits.size()));
    a.rows = s.rows;
    a.cols = s.cols;
  }
  if (a.bits.empty()) throw InputError("no input values");
  return a;
}

// A tail group shorter than the block is an error unless --tail short asks for it.
void check_tail(const quant::Scheme& s, const Shape& shape, const std::string& tail) {
  if (tail != "error" && tail != "short") throw InputError("--tail must be error or short");
  if (s.granularity != quant::Granularity::PerGroup || shape.cols % std::size_t(s.block) == 0)
    return;
  const bool gguf = s.method == quant::Method::GgufQ8_0 || s.method == quant::Method::GgufQ4_0 ||
                    s.method == quant::Method::GgufQ4_1;
  if (tail == "short" && !gguf) return;
  throw InputError("rows of " + std::to_string(shape.cols) + " values do not fill blocks of " +
                   std::to_string(s.block) +
                   (gguf ? " (GGUF blocks are always full)"
                         : " (--tail short quantizes the rest as a shorter block)"));
}

std::string hex_digits(std::uint64_t v, int bits) {
  std::string s;
  append_hex(s, v, (bits + 3) / 4);
  return s;
}

bool has_zero_point(const quant::Scheme& s) {
  return s.method == quant::Method::GgufQ4_1 || (s.method == quant::Method::Linear && s.asymmetric);
}

int zero_point_bits(const quant::Scheme& s) {
  return s.method == quant::Method::GgufQ4_1 ? 16 : quant::element_bits(s);
}

bool is_finite_positive_f32(std::uint64_t bits) {
  return bits <= 0x7fffffff && bits != 0 && (bits & 0x7f800000) != 0x7f800000;
}

// A quantized tensor: what quantize writes and dequantize reads back.
struct QuantizedTensor {
  Shape shape;
  std::uint32_t tensor_scale = 0x3f800000;  // nvfp4's g
  std::vector<quant::BlockScale> scales;
  std::vector<std::uint8_t> codes;
};

quant::PackLayout pack_layout(const QuantizeOptions& o) {
  return named_choice<quant::PackLayout>("pack layout", o.pack.empty() ? "lsb" : o.pack,
                                         {{"lsb", quant::PackLayout::LsbFirst},
                                          {"msb", quant::PackLayout::MsbFirst},
                                          {"gguf", quant::PackLayout::GgufHalves},
                                          {"awq", quant::PackLayout::Awq}});
}

void check_packable(const QuantizeOptions& o, int bits, std::size_t count) {
  if (!quant::packable(pack_layout(o), bits, count))
    throw InputError("cannot pack " + std::to_string(count) + " codes of " + std::to_string(bits) +
                     " bits in layout " + (o.pack.empty() ? "lsb" : o.pack));
}

std::string read_whole_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError("cannot read '" + path + "'");
  std::string data;
  char chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) data.append(chunk, got);
  std::fclose(f);
  return data;
}

// The bytes of a scale, zero point or tensor scale element in the .npy files: the smallest
// unsigned integer holding the code.
int npy_bytes_for(int bits) { return bits <= 8 ? 1 : bits <= 16 ? 2 : 4; }

// The .npy files of `--npy PREFIX`, and what each holds (docs/quantization.md).
struct NpyNames {
  std::string codes, scales, zero_points, tensor_scale;
  explicit NpyNames(const std::string& prefix)
      : codes(prefix + ".codes.npy"),
        scales(prefix + ".scales.npy"),
        zero_points(prefix + ".zero_points.npy"),
        tensor_scale(prefix + ".tensor_scale.npy") {}
};

// The outputs of quantize: text (stdout or -o) or the .npy set, each without the codes when
// they go to the packed file.  Every file appears only once all of them are complete.
void write_quantized(const QuantizeOptions& o, const quant::Scheme& s, const QuantizedTensor& t) {
  const int bits = quant::element_bits(s);
  std::vector<std::unique_ptr<Output>> outputs;
  const auto file = [&](const std::string& path) -> Output& {
    outputs.push_back(std::make_unique<Output>(path));
    return *outputs.back();
  };
  if (!o.packed.empty()) {
    check_packable(o, bits, t.codes.size());
    std::string bytes(quant::packed_bytes(bits, t.codes.size()), '\0');
    quant::pack_codes(pack_layout(o), bits, t.codes.data(), t.codes.size(),
                      reinterpret_cast<std::uint8_t*>(bytes.data()));
    file(o.packed).write(bytes);
  }
  const bool codes_here = o.packed.empty();
  if (!o.npy_prefix.empty()) {
    const NpyNames names(o.npy_prefix);
    if (codes_here) {
      const std::vector<std::uint64_t> codes(t.codes.begin(), t.codes.end());
      file(names.codes)
          .write(npy_bytes(npy_of_unsigned(
              1,
              t.shape.rows == 1 ? std::vector<std::size_t>{t.shape.cols}
                                : std::vector<std::size_t>{t.shape.rows, t.shape.cols},
              codes)));
    }
    std::vector<std::uint64_t> scales, zero_points;
    for (const auto& b : t.scales) {
      scales.push_back(b.scale);
      zero_points.push_back(b.zero_point);
    }
    file(names.scales)
        .write(npy_bytes(
            npy_of_unsigned(npy_bytes_for(storage_bits(s.scale)), {scales.size()}, scales)));
    if (has_zero_point(s))
      file(names.zero_points)
          .write(npy_bytes(npy_of_unsigned(npy_bytes_for(zero_point_bits(s)), {zero_points.size()},
                                           zero_points)));
    if (s.method == quant::Method::Nvfp4)
      file(names.tensor_scale).write(npy_bytes(npy_of_unsigned(4, {1}, {t.tensor_scale})));
  } else {
    Output& out = file(o.output);
    out.write("shape " + std::to_string(t.shape.rows) + " " + std::to_string(t.shape.cols) + "\n");
    if (s.method == quant::Method::Nvfp4)
      out.write("tensor_scale " + hex_digits(t.tensor_scale, 32) + "\n");
    for (const auto& b : t.scales) {
      std::string line = "scale " + hex_digits(b.scale, storage_bits(s.scale));
      if (has_zero_point(s)) line += " " + hex_digits(b.zero_point, zero_point_bits(s));
      out.write(line + "\n");
    }
    if (codes_here)
      for (const auto c : t.codes) out.write(hex_digits(c, bits) + "\n");
  }
  for (auto& out : outputs) out->commit();
}

// Dequantized values as f32 hex lines, or a .npy file when the path ends in .npy (1-D for one
// row).
void write_values(const std::string& path, const Shape& shape,
                  const std::vector<std::uint32_t>& values) {
  Output out(path);
  if (path.ends_with(".npy")) {
    out.write(npy_f32_bytes(F32Array{shape.rows, shape.cols, values}, shape.rows == 1));
  } else {
    for (const auto v : values) out.write(hex_digits(v, 32) + "\n");
  }
  out.commit();
}

void run_quantize(const QuantizeOptions& o) {
  const quant::Scheme s = scheme_from(o);
  if (!o.npy_prefix.empty() && (!o.output.empty() || o.roundtrip))
    throw InputError("--npy excludes -o and --roundtrip");
  if (o.roundtrip && !o.packed.empty()) throw InputError("--roundtrip excludes --packed");
  const F32Array x = read_values(o);
  QuantizedTensor t;
  t.shape = Shape{x.rows, x.cols};
  check_tail(s, t.shape, o.tail);
  t.tensor_scale = quant::nvfp4_tensor_scale(x.bits.data(), x.bits.size());
  if (!o.tensor_scale.empty()) {
    if (s.method != quant::Method::Nvfp4) throw InputError("--tensor-scale applies to nvfp4 only");
    const std::uint64_t v = parse_hex_field(o.tensor_scale, "--tensor-scale");
    if (!is_finite_positive_f32(v))
      throw InputError("--tensor-scale must be a positive finite f32");
    t.tensor_scale = std::uint32_t(v);
  }
  t.scales.resize(quant::block_count(s, t.shape.rows, t.shape.cols));
  t.codes.resize(x.bits.size());
  const auto st = quant::quantize_tensor(s, x.bits.data(), t.shape.rows, t.shape.cols,
                                         t.tensor_scale, t.scales.data(), t.codes.data());
  if (st.status != quant::Status::Ok) {
    const auto span = quant::block_span(s, t.shape.rows, t.shape.cols, st.block);
    throw InputError(
        "block " + std::to_string(st.block) + " (from value " + std::to_string(span.first) +
        ") holds NaN or Inf, which " + o.scheme + " cannot encode" +
        (s.method == quant::Method::GgufQ4_1 ? " (or its max - min overflows f32)" : ""));
  }
  if (o.roundtrip) {
    std::vector<std::uint32_t> values(t.codes.size());
    quant::dequantize_tensor(s, t.scales.data(), t.codes.data(), t.shape.rows, t.shape.cols,
                             t.tensor_scale, values.data());
    write_values(o.output, t.shape, values);
    return;
  }
  write_quantized(o, s, t);
}

// Reads quantize's text form; without code lines when the codes come from a packed file.
QuantizedTensor read_text(const QuantizeOptions& o, const quant::Scheme& s) {
  std::FILE* in = stdin;
  if (!o.input.empty() && o.input != "-") {
    in = std::fopen(o.input.c_str(), "rb");
    if (in == nullptr) throw InputError("cannot read '" + o.input + "'");
  }
  const std::string where = o.input.empty() || o.input == "-" ? "stdin" : o.input;
  QuantizedTensor t;
  bool have_shape = false;
  long long line_number = 0;
  try {
    for_each_line(in, [&](std::string_view text) {
      ++line_number;
      const auto fail = [&](const std::string& why) {
        throw InputError(where + " line " + std::to_string(line_number) + ": " + why);
      };
      std::size_t pos = 0;
      std::uint64_t a = 0, b = 0;
      if (text.starts_with("shape ")) {
        const auto fields = std::string(text.substr(6));
        const auto space = fields.find(' ');
        if (space == std::string::npos || have_shape) fail("bad or repeated shape line");
        t.shape = parse_shape(fields.substr(0, space) + "," + fields.substr(space + 1));
        have_shape = true;
      } else if (text.starts_with("tensor_scale ")) {
        pos = 13;
        if (!next_hex(text, pos, a) || !at_end(text, pos) || a > 0xffffffff)
          fail("malformed tensor_scale");
        t.tensor_scale = std::uint32_t(a);
      } else if (text.starts_with("scale ")) {
        pos = 6;
        if (!next_hex(text, pos, a) || !is_valid_code(s.scale, a)) fail("malformed scale code");
        if (has_zero_point(s) && (!next_hex(text, pos, b) || b >> zero_point_bits(s)))
          fail("missing or malformed zero point");
        if (!at_end(text, pos)) fail("unexpected text after the scale");
        if (!t.codes.empty()) fail("scale line after the codes");
        t.scales.push_back({a, b});
      } else {
        if (!o.packed.empty()) fail("a code line, but the codes come from --packed");
        if (!next_hex(text, pos, a) || !at_end(text, pos) || a >> quant::element_bits(s) != 0)
          fail("malformed code '" + std::string(text) + "' (" +
               std::to_string(quant::element_bits(s)) + "-bit codes)");
        t.codes.push_back(std::uint8_t(a));
      }
    });
  } catch (...) {
    if (in != stdin) std::fclose(in);
    throw;
  }
  if (in != stdin) std::fclose(in);
  if (!have_shape) throw InputError(where + ": no shape line");
  return t;
}

// Reads the .npy set of `--npy PREFIX` (codes.npy unless the codes come from a packed file).
QuantizedTensor read_npy_set(const QuantizeOptions& o, const quant::Scheme& s) {
  const NpyNames names(o.npy_prefix);
  const auto elements = [](const std::string& path, int bits, std::size_t max_dims) {
    const NpyArray a = read_npy(path);
    const std::string want = unsigned_dtype(npy_bytes_for(bits));
    if (a.dtype != want)
      throw InputError(path + ": dtype '" + a.dtype + "', expected '" + want + "' (" +
                       std::to_string(bits) + "-bit codes)");
    if (a.shape.empty() || a.shape.size() > max_dims)
      throw InputError(path + ": a " + std::to_string(a.shape.size()) + "-D array, expected " +
                       (max_dims == 1 ? "1-D" : "1-D or 2-D"));
    return std::pair{a.shape, unsigned_elements(a)};
  };
  QuantizedTensor t;
  if (o.packed.empty()) {
    const auto [shape, codes] = elements(names.codes, 8, 2);
    t.shape = Shape{shape.size() == 2 ? shape[0] : 1, shape.back()};
    t.codes.assign(codes.begin(), codes.end());
  } else {
    if (o.shape.empty())
      throw InputError("--npy with --packed needs --shape (the packed file has none)");
    t.shape = parse_shape(o.shape);
  }
  const auto scales = elements(names.scales, storage_bits(s.scale), 1).second;
  std::vector<std::uint64_t> zero_points(scales.size());
  if (has_zero_point(s)) {
    zero_points = elements(names.zero_points, zero_point_bits(s), 1).second;
    if (zero_points.size() != scales.size())
      throw InputError(names.zero_points + ": " + std::to_string(zero_points.size()) +
                       " zero points for " + std::to_string(scales.size()) + " scales");
  }
  for (std::size_t b = 0; b < scales.size(); ++b) t.scales.push_back({scales[b], zero_points[b]});
  if (s.method == quant::Method::Nvfp4) {
    const auto g = elements(names.tensor_scale, 32, 1).second;
    if (g.size() != 1)
      throw InputError(names.tensor_scale + ": " + std::to_string(g.size()) +
                       " values, expected one");
    t.tensor_scale = std::uint32_t(g[0]);
  }
  return t;
}

std::vector<std::uint8_t> read_packed(const QuantizeOptions& o, int bits, std::size_t count) {
  check_packable(o, bits, count);
  const std::string bytes = read_whole_file(o.packed);
  if (bytes.size() != quant::packed_bytes(bits, count))
    throw InputError(o.packed + ": " + std::to_string(bytes.size()) + " bytes, " +
                     std::to_string(count) + " codes of " + std::to_string(bits) + " bits need " +
                     std::to_string(quant::packed_bytes(bits, count)));
  std::vector<std::uint8_t> codes(count);
  quant::unpack_codes(pack_layout(o), bits, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                      count, codes.data());
  return codes;
}

// Counts and codes that the scheme can hold, whatever the source.
void check_tensor(const quant::Scheme& s, const QuantizedTensor& t, const std::string& where) {
  if (t.codes.size() != t.shape.rows * t.shape.cols)
    throw InputError(where + ": " + std::to_string(t.codes.size()) + " codes for shape " +
                     std::to_string(t.shape.rows) + "x" + std::to_string(t.shape.cols));
  const std::size_t blocks = quant::block_count(s, t.shape.rows, t.shape.cols);
  if (t.scales.size() != blocks)
    throw InputError(where + ": " + std::to_string(t.scales.size()) + " scales for the " +
                     std::to_string(blocks) + " blocks of the scheme and shape");
  for (std::size_t b = 0; b < blocks; ++b) {
    if (!is_valid_code(s.scale, t.scales[b].scale))
      throw InputError(where + ": scale " + std::to_string(b) + " (" +
                       hex_digits(t.scales[b].scale, 64) + ") is not a code of the scale format");
    if (t.scales[b].zero_point >> zero_point_bits(s) != 0)
      throw InputError(where + ": zero point " + std::to_string(b) + " does not fit " +
                       std::to_string(zero_point_bits(s)) + " bits");
  }
  const int bits = quant::element_bits(s);
  for (std::size_t i = 0; i < t.codes.size(); ++i)
    if (t.codes[i] >> bits != 0)
      throw InputError(where + ": code " + std::to_string(i) + " (" + hex_digits(t.codes[i], 8) +
                       ") does not fit " + std::to_string(bits) + " bits");
  if (s.method == quant::Method::Nvfp4 && !is_finite_positive_f32(t.tensor_scale))
    throw InputError(where + ": the tensor scale is not a positive finite f32");
}

// Reads quantize's output back (text, or the .npy set; codes from either or a packed file) and
// writes the dequantized f32 values.
void run_dequantize(const QuantizeOptions& o) {
  const quant::Scheme s = scheme_from(o);
  if (!o.npy_prefix.empty() && !o.input.empty())
    throw InputError("--npy and -i exclude each other");
  QuantizedTensor t = o.npy_prefix.empty() ? read_text(o, s) : read_npy_set(o, s);
  const std::string where = !o.npy_prefix.empty()               ? o.npy_prefix + ".*.npy"
                            : o.input.empty() || o.input == "-" ? "stdin"
                                                                : o.input;
  if (!o.shape.empty()) {
    const Shape given = parse_shape(o.shape);
    if (given.rows != t.shape.rows || given.cols != t.shape.cols)
      throw InputError(where + ": shape " + std::to_string(t.shape.rows) + "x" +
                       std::to_string(t.shape.cols) + ", --shape " + o.shape);
  }
  if (!o.packed.empty())
    t.codes = read_packed(o, quant::element_bits(s), t.shape.rows * t.shape.cols);
  check_tensor(s, t, where);
  std::vector<std::uint32_t> values(t.codes.size());
  quant::dequantize_tensor(s, t.scales.data(), t.codes.data(), t.shape.rows, t.shape.cols,
                           t.tensor_scale, values.data());
  write_values(o.output, t.shape, values);
}

void add_scheme_options(CLI::App& cmd, QuantizeOptions& o) {
  cmd.add_option("--scheme", o.scheme,
                 "mxfp8_e4m3 mxfp8_e5m2 mxfp6_e2m3 mxfp6_e3m2 mxfp4 mxint8 nvfp4 nf4 q8_0 q4_0 "
                 "q4_1 int8 int4 uint8 uint4")
      ->required();
  cmd.add_option("--scale-rule", o.scale_rule,
                 "MX shared exponent: floor (spec), ceil, even, rceil");
  cmd.add_option("--block,--group", o.block, "values per scale along a row");
  cmd.add_option("--axis", o.axis, "linear per-channel scales: 0 one per row, 1 one per column");
  auto* sym = cmd.add_flag("--symmetric", o.symmetric, "linear: scale amax / qmax, no zero point");
  cmd.add_flag("--asymmetric", o.asymmetric, "linear: range / levels with a zero point")
      ->excludes(sym);
  cmd.add_option("--range", o.range, "linear symmetric range: full or restricted (no lowest code)");
  cmd.add_option("--round", o.round, "element rounding: rn (default), rna, rz, rp, rm, ro");
  cmd.add_option("--scale-dtype", o.scale_dtype, "linear scale format: f32 (default), f16, bf16");
  cmd.add_option("--scale-round", o.scale_round, "rounding of the scale (linear, nvfp4)");
  cmd.add_option("--scale", o.scale, "linear: a fixed scale, hex code of the scale dtype");
  cmd.add_option("--division", o.division, "nvfp4 element step: divide (default) or reciprocal");
  cmd.add_option("--zero-point-order", o.order,
                 "linear: add-then-clamp (default) or clamp-then-add");
  cmd.add_option("--shape", o.shape, "ROWS,COLS of the input (default one row)");
  cmd.add_option("-o,--output", o.output,
                 "write to this file (appears only when complete); f32 values as .npy when it "
                 "ends in .npy");
}

}  // namespace

void add_quantize_commands(CLI::App& app, int& exit_code) {
  static QuantizeOptions quantize, dequantize;
  auto* q = app.add_subcommand(
      "quantize",
      "quantize f32 values (hex lines on stdin or --input FILE.npy) into block scales and codes");
  add_scheme_options(*q, quantize);
  q->add_option("-i,--input", quantize.input, ".npy file of float32 (1-D or 2-D) instead of stdin");
  q->add_option("--tensor-scale", quantize.tensor_scale, "nvfp4: the f32 tensor scale g (hex)");
  q->add_option("--tail", quantize.tail,
                "a row that does not fill its last block: error (default) or short");
  q->add_flag("--roundtrip", quantize.roundtrip,
              "write the dequantized f32 values instead (hex lines, or .npy when -o ends in .npy)");
  q->add_option("--npy", quantize.npy_prefix,
                "write PREFIX.codes.npy (u1), PREFIX.scales.npy (scale codes: u1, <u2 or <u4), "
                "PREFIX.zero_points.npy (uint8/uint4 asymmetric, q4_1), PREFIX.tensor_scale.npy "
                "(nvfp4) instead of text");
  q->add_option(
      "--packed", quantize.packed,
      "write the codes packed into this file (and leave them out of the text or .npy set)");
  q->add_option("--pack", quantize.pack, "packing layout: lsb (default), msb, gguf, awq");
  q->callback([&exit_code] {
    run_quantize(quantize);
    exit_code = 0;
  });
  auto* d = app.add_subcommand("dequantize",
                               "read quantize's output (text on stdin or --input, or --npy PREFIX; "
                               "codes from --packed FILE) and write f32 values");
  add_scheme_options(*d, dequantize);
  d->add_option("-i,--input", dequantize.input, "quantize's text output (default stdin)");
  d->add_option("--npy", dequantize.npy_prefix, "read the .npy set quantize --npy PREFIX wrote");
  d->add_option("--packed", dequantize.packed,
                "read the codes from this packed file (with --npy, --shape gives their count)");
  d->add_option("--pack", dequantize.pack, "packing layout: lsb (default), msb, gguf, awq");
  d->callback([&exit_code] {
    run_dequantize(dequantize);
    exit_code = 0;
  });
}

}  // namespace numconf::cli
