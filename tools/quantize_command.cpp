// numconf quantize / dequantize: block-scaled formats and quantizers (docs/quantization.md).
//
// quantize reads f32 values (hex lines on stdin, or --input FILE.npy) and writes, as text:
//   shape <rows> <cols>
//   tensor_scale <hex>             (nvfp4 only: the f32 tensor scale g)
//   scale <hex> [<zero point hex>] (one line per block, in block order)
//   <code hex>                     (one line per value, in tensor order)
// or with --roundtrip the dequantized f32 values, one hex line per input; --packed FILE also
// writes the codes packed in the --pack layout.  dequantize reads the text form back (with the
// same scheme options) and writes one f32 hex line per value.
#include <cstdio>
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
  std::string scale, tensor_scale, shape, tail = "error", input, output, packed, pack;
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
    known += (known.empty() ? "" : " ") + std::string(s.name);
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

void run_quantize(const QuantizeOptions& o) {
  const quant::Scheme s = scheme_from(o);
  const F32Array x = read_values(o);
  const Shape shape{x.rows, x.cols};
  check_tail(s, shape, o.tail);
  std::uint32_t g = quant::nvfp4_tensor_scale(x.bits.data(), x.bits.size());
  if (!o.tensor_scale.empty()) {
    if (s.method != quant::Method::Nvfp4) throw InputError("--tensor-scale applies to nvfp4 only");
    const std::uint64_t v = parse_hex_field(o.tensor_scale, "--tensor-scale");
    if (v > 0xffffffff || (v & 0x7fffffff) == 0 || (v & 0x7f800000) == 0x7f800000 || (v >> 31) != 0)
      throw InputError("--tensor-scale must be a positive finite f32");
    g = std::uint32_t(v);
  }
  const std::size_t blocks = quant::block_count(s, shape.rows, shape.cols);
  std::vector<quant::BlockScale> scales(blocks);
  std::vector<std::uint8_t> codes(x.bits.size());
  const auto st = quant::quantize_tensor(s, x.bits.data(), shape.rows, shape.cols, g, scales.data(),
                                         codes.data());
  if (st.status != quant::Status::Ok) {
    const auto span = quant::block_span(s, shape.rows, shape.cols, st.block);
    throw InputError(
        "block " + std::to_string(st.block) + " (from value " + std::to_string(span.first) +
        ") holds NaN or Inf, which " + o.scheme + " cannot encode" +
        (s.method == quant::Method::GgufQ4_1 ? " (or its max - min overflows f32)" : ""));
  }
  if (!o.packed.empty()) {
    const auto layout =
        named_choice<quant::PackLayout>("pack layout", o.pack.empty() ? "lsb" : o.pack,
                                        {{"lsb", quant::PackLayout::LsbFirst},
                                         {"msb", quant::PackLayout::MsbFirst},
                                         {"gguf", quant::PackLayout::GgufHalves},
                                         {"awq", quant::PackLayout::Awq}});
    const int bits = quant::element_bits(s);
    if (!quant::packable(layout, bits, codes.size()))
      throw InputError("cannot pack " + std::to_string(codes.size()) + " codes of " +
                       std::to_string(bits) + " bits in layout " +
                       (o.pack.empty() ? "lsb" : o.pack));
    std::string bytes(quant::packed_bytes(bits, codes.size()), '\0');
    quant::pack_codes(layout, bits, codes.data(), codes.size(),
                      reinterpret_cast<std::uint8_t*>(bytes.data()));
    Output packed(o.packed);
    packed.write(bytes);
    packed.commit();
  }
  Output out(o.output);
  if (o.roundtrip) {
    std::vector<std::uint32_t> values(codes.size());
    quant::dequantize_tensor(s, scales.data(), codes.data(), shape.rows, shape.cols, g,
                             values.data());
    for (const auto v : values) out.write(hex_digits(v, 32) + "\n");
    out.commit();
    return;
  }
  out.write("shape " + std::to_string(shape.rows) + " " + std::to_string(shape.cols) + "\n");
  if (s.method == quant::Method::Nvfp4) out.write("tensor_scale " + hex_digits(g, 32) + "\n");
  for (const auto& b : scales) {
    std::string line = "scale " + hex_digits(b.scale, storage_bits(s.scale));
    if (has_zero_point(s)) line += " " + hex_digits(b.zero_point, zero_point_bits(s));
    out.write(line + "\n");
  }
  for (const auto c : codes) out.write(hex_digits(c, quant::element_bits(s)) + "\n");
  out.commit();
}

// Reads quantize's text form back and writes the dequantized f32 values.
void run_dequantize(const QuantizeOptions& o) {
  const quant::Scheme s = scheme_from(o);
  std::FILE* in = stdin;
  if (!o.input.empty() && o.input != "-") {
    in = std::fopen(o.input.c_str(), "rb");
    if (in == nullptr) throw InputError("cannot read '" + o.input + "'");
  }
  const std::string where = o.input.empty() || o.input == "-" ? "stdin" : o.input;
  Shape shape;
  bool have_shape = false;
  std::uint32_t g = 0x3f800000;
  std::vector<quant::BlockScale> scales;
  std::vector<std::uint8_t> codes;
  long long line_number = 0;
  const int code_limit = 1 << quant::element_bits(s);
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
        shape = parse_shape(fields.substr(0, space) + "," + fields.substr(space + 1));
        have_shape = true;
      } else if (text.starts_with("tensor_scale ")) {
        pos = 13;
        if (!next_hex(text, pos, a) || !at_end(text, pos) || a > 0xffffffff)
          fail("malformed tensor_scale");
        g = std::uint32_t(a);
      } else if (text.starts_with("scale ")) {
        pos = 6;
        if (!next_hex(text, pos, a) || !is_valid_code(s.scale, a)) fail("malformed scale code");
        if (has_zero_point(s) && (!next_hex(text, pos, b) || b >> zero_point_bits(s)))
          fail("missing or malformed zero point");
        if (!at_end(text, pos)) fail("unexpected text after the scale");
        if (!codes.empty()) fail("scale line after the codes");
        scales.push_back({a, b});
      } else {
        if (!next_hex(text, pos, a) || !at_end(text, pos) || a >= std::uint64_t(code_limit))
          fail("malformed code '" + std::string(text) + "' (" +
               std::to_string(quant::element_bits(s)) + "-bit codes)");
        codes.push_back(std::uint8_t(a));
      }
    });
  } catch (...) {
    if (in != stdin) std::fclose(in);
    throw;
  }
  if (in != stdin) std::fclose(in);
  if (!have_shape) throw InputError(where + ": no shape line");
  if (codes.size() != shape.rows * shape.cols)
    throw InputError(where + ": " + std::to_string(codes.size()) + " codes for shape " +
                     std::to_string(shape.rows) + "x" + std::to_string(shape.cols));
  const std::size_t blocks = quant::block_count(s, shape.rows, shape.cols);
  if (scales.size() != blocks)
    throw InputError(where + ": " + std::to_string(scales.size()) +
                     " scale lines, the scheme's blocks need " + std::to_string(blocks));
  std::vector<std::uint32_t> values(codes.size());
  quant::dequantize_tensor(s, scales.data(), codes.data(), shape.rows, shape.cols, g,
                           values.data());
  Output out(o.output);
  for (const auto v : values) out.write(hex_digits(v, 32) + "\n");
  out.commit();
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
  cmd.add_option("-o,--output", o.output, "write to this file (appears only when complete)");
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
  q->add_flag("--roundtrip", quantize.roundtrip, "write the dequantized f32 values instead");
  q->add_option("--packed", quantize.packed, "also write the codes packed into this file");
  q->add_option("--pack", quantize.pack, "packing layout: lsb (default), msb, gguf, awq");
  q->callback([&exit_code] {
    run_quantize(quantize);
    exit_code = 0;
  });
  auto* d = app.add_subcommand(
      "dequantize", "read quantize's text output (stdin or --input) and write f32 hex lines");
  add_scheme_options(*d, dequantize);
  d->add_option("-i,--input", dequantize.input, "quantize's text output (default stdin)");
  d->callback([&exit_code] {
    run_dequantize(dequantize);
    exit_code = 0;
  });
}

}  // namespace numconf::cli
