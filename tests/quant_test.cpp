// Block-scaled formats and quantizers (formats/quant.hpp, formats/pack.hpp): the worked
// examples of docs/quantization.md, the packing layouts, and the model against the oracle
// (reference/quant.hpp) on generated and adversarial blocks.
//
// Default tier (label formats): QuantOracle.* on NUMCONF_QUANT_BLOCKS blocks per scheme (default
// 1000).  Slow tier (label slow): QuantOracleSlow.* on 10^5 blocks per scheme and scale rule.
// NUMCONF_QUANT_ONLY=<text> restricts both to the schemes whose names contain the text
// (=<name>: exactly that name).
#include "formats/quant.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "formats/convert.hpp"
#include "formats/pack.hpp"
#include "formats/quant_fast.hpp"
#include "reference/quant.hpp"
#include "tests/quant_blocks.hpp"
#include "tests/test_support.hpp"

namespace numconf {
namespace {

using quant::BlockScale;
using quant::Scheme;
using test_support::hex;

Scheme named(const char* name) {
  for (const auto& s : quant::kSchemes)
    if (std::string(s.name) == name) return s.scheme;
  ADD_FAILURE() << "no scheme " << name;
  return {};
}

constexpr std::uint32_t kOne = 0x3f800000;

struct Quantized {
  BlockScale scale;
  std::vector<std::uint8_t> codes;
  std::vector<std::uint32_t> values;  // dequantized
};

Quantized run_model(const Scheme& s, const std::vector<std::uint32_t>& x,
                    std::uint32_t tensor_scale = kOne) {
  Quantized q;
  q.codes.resize(x.size());
  EXPECT_EQ(quant::quantize_block(s, x.data(), x.size(), 1, tensor_scale, q.scale, q.codes.data()),
            quant::Status::Ok);
  for (const std::uint8_t c : q.codes)
    q.values.push_back(quant::dequantize_value(s, q.scale, tensor_scale, c));
  return q;
}

// ---- Worked examples (docs/quantization.md lists each with its source) ----------------------

TEST(QuantExamples, MxE4m3Amax960FloorSaturatesTo896RceilKeeps960) {
  Scheme s = named("mxfp8_e4m3");
  const std::vector<std::uint32_t> x = {0x44700000 /*960*/, 0, 0, 0};
  Quantized floor = run_model(s, x);
  EXPECT_EQ(floor.scale.scale, 0x80u);      // X = 2^(9 - 8)
  EXPECT_EQ(floor.codes[0], 0x7e);          // 480 saturates to 448
  EXPECT_EQ(floor.values[0], 0x44600000u);  // 896
  s.rule = quant::ScaleRule::Rceil;
  Quantized rceil = run_model(s, x);
  EXPECT_EQ(rceil.scale.scale, 0x81u);  // 960 / 448 = 2.14 -> X = 4
  EXPECT_EQ(rceil.codes[0], 0x77);      // 240
  EXPECT_EQ(rceil.values[0], 0x44700000u);
}

TEST(QuantExamples, Mxfp4Amax7And3p5) {
  Scheme s = named("mxfp4");
  Quantized seven = run_model(s, {0x40e00000 /*7*/, 0x3f800000 /*1*/});
  EXPECT_EQ(seven.scale.scale, 0x7fu);  // X = 2^(2 - 2) = 1
  EXPECT_EQ(seven.codes[0], 0x7);       // 7 ties to 8 (even), beyond 6: saturates to 6
  EXPECT_EQ(seven.values[0], 0x40c00000u);
  Quantized half = run_model(s, {0x40600000 /*3.5*/, 0xbf000000 /*-0.5*/});
  EXPECT_EQ(half.scale.scale, 0x7eu);      // X = 2^(1 - 2)
  EXPECT_EQ(half.codes[0], 0x7);           // 3.5 / 0.5 = 7 -> 6
  EXPECT_EQ(half.values[0], 0x40400000u);  // 3
  EXPECT_EQ(half.codes[1], 0xa);           // -1 -> -1 * 0.5
  s.rule = quant::ScaleRule::Rceil;
  Quantized up = run_model(s, {0x40e00000});
  EXPECT_EQ(up.scale.scale, 0x80u);      // 7 / 6 -> X = 2; 3.5 ties to 4
  EXPECT_EQ(up.values[0], 0x41000000u);  // 8
}

TEST(QuantExamples, E4m3fn464RoundsTo448) {
  const Policy rn{};
  EXPECT_EQ(convert(kF32, kE4M3FN, 0x43e80000 /*464*/, rn).bits, 0x7eu);
  Quantized q = run_model(named("mxfp8_e4m3"), {0x43e80000});
  EXPECT_EQ(q.scale.scale, 0x7fu);
  EXPECT_EQ(q.codes[0], 0x7e);
}

TEST(QuantExamples, Nvfp4DivideAndReciprocalDifferOnATie) {
  Scheme s = named("nvfp4");
  const std::vector<std::uint32_t> x = {0x41900000 /*18*/, 0x40f00000 /*7.5*/};
  Quantized divide = run_model(s, x, kOne);
  EXPECT_EQ(divide.scale.scale, 0x44u);  // ue4m3 3.0 = 1.5 * 2^1
  EXPECT_EQ(divide.codes[1], 0x4);       // 7.5 / 3 = 2.5 ties to 2 (even)
  s.division = quant::Division::Reciprocal;
  Quantized reciprocal = run_model(s, x, kOne);
  EXPECT_EQ(reciprocal.codes[1], 0x5);  // 7.5 * f32(1/3) = 2.50000007 -> 3
}

TEST(QuantExamples, Int8SymmetricWithScaleHalf) {
  Scheme s = named("int8");
  s.fixed_scale = true;
  s.scale_code = 0x3f000000;  // 0.5
  const std::vector<std::uint32_t> x = {0x3e800000, 0x3f400000, 0x3fa00000, 0x3fe00000};
  EXPECT_EQ(run_model(s, x).codes, (std::vector<std::uint8_t>{0, 2, 2, 4}));
  s.element_policy.rounding = Rounding::NearestAway;
  EXPECT_EQ(run_model(s, x).codes, (std::vector<std::uint8_t>{1, 2, 3, 4}));
}

TEST(QuantExamples, GgufQ8_0RoundsHalfAwayAfterTheF32Product) {
  // amax 127: d = 1, id = 1; 2.5 -> 3 and -2.5 -> -3 (roundf), where rn would give 2.
  Quantized q = run_model(named("q8_0"), {0x42fe0000, 0x40200000, 0xc0200000});
  EXPECT_EQ(q.scale.scale, 0x3c00u);  // f16 1.0
  EXPECT_EQ(q.codes[1], 3);
  EXPECT_EQ(q.codes[2], 0xfd);
}

TEST(QuantExamples, GgufQ4_0MapsTheSignedMaxToMinusEight) {
  // max = -8 (largest magnitude, negative): d = 1, codes (x + 8.5) truncated; 8 clamps to 15.
  Quantized q = run_model(named("q4_0"), {0xc1000000 /*-8*/, 0x41000000 /*8*/, 0, 0x3f000000});
  EXPECT_EQ(q.scale.scale, 0x3c00u);
  EXPECT_EQ(q.codes, (std::vector<std::uint8_t>{0, 15, 8, 9}));  // 0.5 + 8.5 = 9
}

TEST(QuantExamples, Nf4NearestEntryTiesDown) {
  Scheme s = named("nf4");
  // absmax 1: 0.5 is nearest 0.4407 (index 12) vs 0.5626 (13): |0.0593| < |0.0626|.
  Quantized q = run_model(s, {0x3f800000, 0x3f000000, 0, 0xbf800000});
  EXPECT_EQ(q.codes, (std::vector<std::uint8_t>{15, 12, 7, 0}));
  EXPECT_EQ(q.values[1], quant::kNf4Table[12]);
}

// ---- Packing --------------------------------------------------------------------------------

std::vector<std::uint8_t> packed(quant::PackLayout layout, int bits,
                                 const std::vector<std::uint8_t>& codes) {
  std::vector<std::uint8_t> out(quant::packed_bytes(bits, codes.size()));
  quant::pack_codes(layout, bits, codes.data(), codes.size(), out.data());
  std::vector<std::uint8_t> back(codes.size());
  quant::unpack_codes(layout, bits, out.data(), codes.size(), back.data());
  EXPECT_EQ(back, codes);
  return out;
}

TEST(QuantPack, NibbleOrders) {
  using quant::PackLayout;
  EXPECT_EQ(packed(PackLayout::LsbFirst, 4, {1, 2, 3, 4, 5}),
            (std::vector<std::uint8_t>{0x21, 0x43, 0x05}));
  EXPECT_EQ(packed(PackLayout::MsbFirst, 4, {1, 2, 3, 4, 5}),
            (std::vector<std::uint8_t>{0x12, 0x34, 0x50}));
  // 6-bit codes as a little-endian bit stream: 4 codes in 3 bytes.
  EXPECT_EQ(packed(PackLayout::LsbFirst, 6, {0x3f, 0x00, 0x15, 0x2a}),
            (std::vector<std::uint8_t>{0x3f, 0x50, 0xa9}));
}

TEST(QuantPack, GgufHalvesAndAwqInterleave) {
  using quant::PackLayout;
  std::vector<std::uint8_t> codes(32);
  for (int j = 0; j < 16; ++j) codes[j] = std::uint8_t(j), codes[j + 16] = std::uint8_t(15 - j);
  const auto gguf = packed(PackLayout::GgufHalves, 4, codes);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(gguf[j], std::uint8_t(j | (15 - j) << 4)) << j;
  // AutoAWQ: nibble k of each little-endian u32 holds code [0, 2, 4, 6, 1, 3, 5, 7][k].
  EXPECT_EQ(packed(PackLayout::Awq, 4, {0, 1, 2, 3, 4, 5, 6, 7}),
            (std::vector<std::uint8_t>{0x20, 0x64, 0x31, 0x75}));
  EXPECT_FALSE(quant::packable(PackLayout::Awq, 4, 12));
  EXPECT_FALSE(quant::packable(PackLayout::GgufHalves, 4, 16));
}

// ---- Tensors --------------------------------------------------------------------------------

TEST(QuantTensor, PerChannelAndPerGroupSpans) {
  Scheme s = named("int8");
  s.granularity = quant::Granularity::PerChannel;
  s.axis = 1;
  EXPECT_EQ(quant::block_count(s, 3, 4), 4u);
  const auto column = quant::block_span(s, 3, 4, 2);
  EXPECT_EQ(column.first, 2u);
  EXPECT_EQ(column.count, 3u);
  EXPECT_EQ(column.stride, 4u);
  s.granularity = quant::Granularity::PerGroup;
  s.block = 128;
  EXPECT_EQ(quant::block_count(s, 2, 300), 6u);
  EXPECT_EQ(quant::block_span(s, 2, 300, 5).count, 44u);  // a short tail group
  // Per-column scales: column 1 of [[1, 100], [2, 200]] gets 200 / 127.
  const std::vector<std::uint32_t> x = {0x3f800000, 0x42c80000, 0x40000000, 0x43480000};
  quant::BlockScale scales[2];
  std::uint8_t codes[4];
  s.granularity = quant::Granularity::PerChannel;
  ASSERT_EQ(quant::quantize_tensor(s, x.data(), 2, 2, kOne, scales, codes).status,
            quant::Status::Ok);
  EXPECT_EQ(codes[3], 127);
  EXPECT_EQ(codes[1], 64);  // 100 / (200 / 127) = 63.5 -> 64 (even)
  EXPECT_EQ(codes[2], 127);
}

TEST(QuantNonFinite, MxBlockWithNanOrInfHasNanScale) {
  Quantized q = run_model(named("mxfp8_e4m3"), {0x3f800000, 0x7f800000});
  EXPECT_EQ(q.scale.scale, 0xffu);
  EXPECT_EQ(q.codes[0], 0x7f);
  EXPECT_EQ(q.values[0], 0x7fc00000u);
  for (const char* name : {"nvfp4", "nf4", "q8_0", "q4_0", "q4_1", "int8", "uint4"}) {
    const std::uint32_t x[2] = {0x3f800000, 0x7fc00000};
    BlockScale b;
    std::uint8_t codes[2];
    EXPECT_EQ(quant::quantize_block(named(name), x, 2, 1, kOne, b, codes), quant::Status::NonFinite)
        << name;
  }
}

// ---- The typed MX fast path against the general engine -------------------------------------

// 20000 generated blocks of 32 (a fifth of them with a NaN, Inf or f32 subnormal put in): codes,
// scales and every dequantized value of quantize_mx / dequantize_mx equal the general engine's.
template <Format Element, quant::ScaleRule Rule>
void expect_fast_path_equal(const char* name) {
  constexpr std::size_t kBlock = 32, kBlocks = 20000;
  constexpr Scheme kScheme{.method = quant::Method::Mx, .element = Element, .rule = Rule};
  test_support::Rng rng{test_support::hash_of({test_support::test_seed(), 0xfa57})};
  std::vector<std::uint32_t> x;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    auto block = quant_test::generate_block(rng, kBlock);
    if (rng.below(5) == 0) {
      const std::uint32_t odd[] = {0x7fc00000, 0xff800000, 0x00000001, 0x807fffff, 0x7f800000};
      block[rng.below(kBlock)] = odd[rng.below(5)];
    }
    x.insert(x.end(), block.begin(), block.end());
  }
  std::vector<std::uint8_t> scales(kBlocks), codes(x.size());
  quant::quantize_mx<Element, Rule>(x.data(), x.size(), kBlock, scales.data(), codes.data());
  std::vector<std::uint32_t> values(x.size());
  quant::dequantize_mx<Element>(codes.data(), scales.data(), x.size(), kBlock, values.data());
  std::size_t failures = 0;
  for (std::size_t b = 0; b < kBlocks && failures < 10; ++b) {
    BlockScale expected;
    std::uint8_t expected_codes[kBlock];
    quant::quantize_block(kScheme, x.data() + b * kBlock, kBlock, 1, 0, expected, expected_codes);
    bool same = expected.scale == scales[b];
    for (std::size_t i = 0; i < kBlock; ++i) {
      const std::size_t at = b * kBlock + i;
      same = same && expected_codes[i] == codes[at] &&
             values[at] == quant::dequantize_value(kScheme, expected, 0, codes[at]);
    }
    if (!same) {
      ++failures;
      ADD_FAILURE() << name << " block " << b << ": fast scale " << hex(scales[b]) << ", general "
                    << hex(expected.scale);
    }
  }
  // Every code under every scale, through the fast dequantizer.
  constexpr std::size_t kCodes = std::size_t{1} << code_bits(Element);
  std::vector<std::uint8_t> all_codes(kCodes * 256), all_scales(256);
  for (std::size_t s = 0; s < 256; ++s) {
    all_scales[s] = std::uint8_t(s);
    for (std::size_t c = 0; c < kCodes; ++c) all_codes[s * kCodes + c] = std::uint8_t(c);
  }
  std::vector<std::uint32_t> all_values(all_codes.size());
  quant::dequantize_mx<Element>(all_codes.data(), all_scales.data(), all_codes.size(), kCodes,
                                all_values.data());
  for (std::size_t i = 0; i < all_codes.size(); ++i)
    ASSERT_EQ(all_values[i], quant::dequantize_value(kScheme, BlockScale{all_scales[i / kCodes], 0},
                                                     0, all_codes[i]))
        << name << " scale " << hex(i / kCodes) << " code " << hex(all_codes[i]);
}

template <Format Element>
void expect_fast_path_equal_all_rules(const char* name) {
  expect_fast_path_equal<Element, quant::ScaleRule::Floor>(name);
  expect_fast_path_equal<Element, quant::ScaleRule::Ceil>(name);
  expect_fast_path_equal<Element, quant::ScaleRule::Even>(name);
  expect_fast_path_equal<Element, quant::ScaleRule::Rceil>(name);
}

TEST(QuantFast, EqualsTheGeneralEngine) {
  expect_fast_path_equal_all_rules<kE4M3FN>("e4m3fn");
  expect_fast_path_equal_all_rules<kE5M2>("e5m2");
  expect_fast_path_equal_all_rules<kE2M3FN>("e2m3fn");
  expect_fast_path_equal_all_rules<kE3M2FN>("e3m2fn");
  expect_fast_path_equal_all_rules<kE2M1FN>("e2m1fn");
}

// ---- The typed NVFP4 and INT4 paths against the general engine ------------------------------

std::string block_string(const std::vector<std::uint32_t>& x) {
  std::ostringstream s;
  for (const auto v : x) s << hex(v) << ' ';
  return s.str();
}

// `blocks` generated blocks of n values; a fifth of them with a NaN, Inf or f32 subnormal put in.
std::vector<std::uint32_t> generated_blocks(test_support::Rng& rng, std::size_t blocks,
                                            std::size_t n) {
  std::vector<std::uint32_t> x;
  for (std::size_t b = 0; b < blocks; ++b) {
    auto block = quant_test::generate_block(rng, n);
    if (rng.below(5) == 0) {
      const std::uint32_t odd[] = {0x7fc00000, 0xff800000, 0x00000001, 0x807fffff, 0x7f800000};
      block[rng.below(n)] = odd[rng.below(5)];
    }
    x.insert(x.end(), block.begin(), block.end());
  }
  return x;
}

// Block by block, and for a whole tensor of finite blocks: the status, scale and codes of the
// typed path equal quantize_block's.  FastQuantize(x, n, scales, codes) -> TensorStatus.
template <typename ScaleCode, typename FastQuantize>
void expect_quantize_equal(const char* name, const Scheme& s, std::uint32_t tensor_scale,
                           const std::vector<std::uint32_t>& x, std::size_t n,
                           FastQuantize&& fast) {
  std::size_t failures = 0;
  std::vector<std::uint32_t> finite;
  for (std::size_t b = 0; b * n < x.size() && failures < 10; ++b) {
    const std::uint32_t* block = x.data() + b * n;
    BlockScale expected;
    std::vector<std::uint8_t> expected_codes(n), codes(n);
    ScaleCode scale = 0;
    const auto st =
        quant::quantize_block(s, block, n, 1, tensor_scale, expected, expected_codes.data());
    const auto fast_st = fast(block, n, &scale, codes.data());
    if (st == quant::Status::Ok) finite.insert(finite.end(), block, block + n);
    if (fast_st.status == st &&
        (st != quant::Status::Ok || (scale == expected.scale && codes == expected_codes)))
      continue;
    ++failures;
    ADD_FAILURE() << name << " tensor scale " << hex(tensor_scale) << " block "
                  << block_string(std::vector<std::uint32_t>(block, block + n)) << ": status "
                  << int(fast_st.status) << "/" << int(st) << " scale " << hex(scale) << "/"
                  << hex(expected.scale);
  }
  const std::size_t blocks = finite.size() / n;
  std::vector<ScaleCode> scales(blocks);
  std::vector<std::uint8_t> codes(finite.size());
  ASSERT_EQ(fast(finite.data(), finite.size(), scales.data(), codes.data()).status,
            quant::Status::Ok);
  for (std::size_t b = 0; b < blocks; ++b) {
    BlockScale expected;
    std::vector<std::uint8_t> expected_codes(n);
    quant::quantize_block(s, finite.data() + b * n, n, 1, tensor_scale, expected,
                          expected_codes.data());
    ASSERT_EQ(scales[b], expected.scale) << name << " tensor block " << b;
    ASSERT_TRUE(std::equal(expected_codes.begin(), expected_codes.end(), codes.begin() + b * n))
        << name << " tensor block " << b;
  }
}

TEST(QuantFast, Nvfp4EqualsTheGeneralEngine) {
  constexpr std::size_t kBlock = 16;
  test_support::Rng rng{test_support::hash_of({test_support::test_seed(), 0xf4})};
  const std::vector<std::uint32_t> x = generated_blocks(rng, 20000, kBlock);
  // Tensor scales: 1, the smallest subnormal (block scales saturate), 2^100 (most underflow to
  // 0), and per block its own g or one up to 2^12 times larger (a block of a larger tensor).
  for (const std::uint32_t g : {0x3f800000u, 0x00000001u, 0x71800000u}) {
    expect_quantize_equal<std::uint8_t>(
        "nvfp4", quant::kNvfp4, g, x, kBlock,
        [g](const std::uint32_t* v, std::size_t n, std::uint8_t* scales, std::uint8_t* codes) {
          return quant::quantize_nvfp4(v, n, g, scales, codes);
        });
  }
  for (std::size_t b = 0; b < 2000; ++b) {
    const std::vector<std::uint32_t> block(x.begin() + b * kBlock, x.begin() + (b + 1) * kBlock);
    std::uint32_t g = quant::nvfp4_tensor_scale(block.data(), kBlock);
    const std::uint32_t larger = std::uint32_t(rng.between(0, 12)) << 23;
    if (g + larger < 0x7f800000) g += larger;
    expect_quantize_equal<std::uint8_t>(
        "nvfp4", quant::kNvfp4, g, block, kBlock,
        [g](const std::uint32_t* v, std::size_t n, std::uint8_t* scales, std::uint8_t* codes) {
          return quant::quantize_nvfp4(v, n, g, scales, codes);
        });
  }
  // Every code under every scale code, for tensor scales across f32's range.
  for (const std::uint32_t g : {0x3f800000u, 0x00000001u, 0x00400000u, 0x3e2aaaabu, 0x7f7fffffu,
                                0x5f000000u, 0x1f3c0000u}) {
    std::vector<std::uint8_t> scales(128), codes(128 * 16);
    for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = std::uint8_t(i % 16);
    for (std::size_t b = 0; b < 128; ++b) scales[b] = std::uint8_t(b);
    std::vector<std::uint32_t> values(codes.size());
    quant::dequantize_nvfp4(codes.data(), scales.data(), codes.size(), g, values.data());
    for (std::size_t i = 0; i < codes.size(); ++i)
      ASSERT_EQ(values[i],
                quant::dequantize_value(quant::kNvfp4, BlockScale{scales[i / 16], 0}, g, codes[i]))
          << "nvfp4 g " << hex(g) << " scale " << hex(scales[i / 16]) << " code " << hex(codes[i]);
  }
}

TEST(QuantFast, Int4GroupsEqualTheGeneralEngine) {
  test_support::Rng rng{test_support::hash_of({test_support::test_seed(), 0x14})};
  for (const std::size_t group : {std::size_t{128}, std::size_t{32}}) {
    Scheme s = quant::kInt4;
    s.granularity = quant::Granularity::PerGroup;
    s.block = int(group);
    expect_quantize_equal<std::uint32_t>(
        "int4", s, 0, generated_blocks(rng, 200000 / group, group), group,
        [group](const std::uint32_t* v, std::size_t n, std::uint32_t* scales, std::uint8_t* codes) {
          return quant::quantize_int4_groups(v, n, group, scales, codes);
        });
  }
  // Every code under scales drawn from generated values (subnormal, huge, negative and zero
  // included; those around exponent field 250 change path), and every significand pattern that
  // rounds up into the next binade.
  std::vector<std::uint32_t> scales = generated_blocks(rng, 200, 32);
  for (const std::uint32_t v : {0x00000000u, 0x00000001u, 0x7f7fffffu, 0x3f800000u, 0x7d7fffffu,
                                0x7d000000u, 0x7d800000u, 0x7dffffffu, 0x3fffffffu, 0x3f7fffffu})
    scales.push_back(v);
  std::erase_if(scales, [](std::uint32_t v) { return v >= 0x7f800000; });
  std::vector<std::uint8_t> codes(scales.size() * 16);
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = std::uint8_t(i % 16);
  std::vector<std::uint32_t> values(codes.size());
  quant::dequantize_int4_groups(codes.data(), scales.data(), codes.size(), 16, values.data());
  for (std::size_t i = 0; i < codes.size(); ++i)
    ASSERT_EQ(values[i],
              quant::dequantize_value(quant::kInt4, BlockScale{scales[i / 16], 0}, 0, codes[i]))
        << "int4 scale " << hex(scales[i / 16]) << " code " << hex(codes[i]);
}

// ---- The model against the oracle ----------------------------------------------------------

// Compares model and oracle on `blocks` generated blocks: scale, zero point, every code, every
// dequantized value (and NVFP4's tensor scale).  Returns the number of mismatching blocks.
std::size_t compare_with_oracle(const quant_test::NamedScheme& named, std::size_t blocks) {
  const Scheme& s = named.scheme;
  const std::size_t n = quant_test::block_size(s);
  std::atomic<std::size_t> failures{0};
  std::mutex print;
  const int workers = test_support::worker_count();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      std::size_t shown = 0;
      for (std::size_t b = std::size_t(w); b < blocks; b += std::size_t(workers)) {
        test_support::Rng rng{test_support::hash_of({test_support::test_seed(), b, n})};
        const std::vector<std::uint32_t> x = quant_test::generate_block(rng, n);
        // The tensor scale only NVFP4 uses (the oracle's costs as much as a block's codes).
        const bool nvfp4 = s.method == quant::Method::Nvfp4;
        std::uint32_t g = nvfp4 ? quant::nvfp4_tensor_scale(x.data(), n) : 0x3f800000;
        const std::uint32_t g_ref = nvfp4 ? ref::nvfp4_tensor_scale(x.data(), n) : 0x3f800000;
        // Half the NVFP4 blocks sit in a larger tensor: a tensor scale up to 2^12 times larger.
        const std::uint32_t tensor_scale =
            rng.coin() ? g : g + (std::uint32_t(rng.between(0, 12)) << 23);
        Quantized model;
        model.codes.resize(n);
        BlockScale expected;
        std::vector<std::uint8_t> expected_codes(n);
        const auto st =
            quant::quantize_block(s, x.data(), n, 1, tensor_scale, model.scale, model.codes.data());
        const auto st_ref =
            ref::quantize_block(s, x.data(), n, 1, tensor_scale, expected, expected_codes.data());
        bool same = g == g_ref && st == st_ref && model.scale.scale == expected.scale &&
                    model.scale.zero_point == expected.zero_point && model.codes == expected_codes;
        std::string value_mismatch;
        // The dequantized value of every code in the block, and of all codes every 16th block;
        // each distinct code once (the value depends on the code and the block's scales only).
        std::vector<std::uint8_t> checked = model.codes;
        if (b % 16 == 0)
          for (int code = 0; code < (1 << quant::element_bits(s)); ++code)
            checked.push_back(std::uint8_t(code));
        std::sort(checked.begin(), checked.end());
        checked.erase(std::unique(checked.begin(), checked.end()), checked.end());
        for (const std::uint8_t code : checked) {
          if (!same) break;
          const auto m = quant::dequantize_value(s, model.scale, tensor_scale, code);
          const auto r = ref::dequantize_value(s, expected, tensor_scale, code);
          if (m != r) {
            same = false;
            value_mismatch = "dequantize code " + hex(std::uint64_t(code)) + ": model " + hex(m) +
                             " oracle " + hex(r);
          }
        }
        if (same) continue;
        ++failures;
        if (shown++ >= test_support::failures_shown()) continue;
        std::ostringstream msg;
        msg << named.name << " block " << b << " [" << block_string(x) << "] tensor scale "
            << hex(tensor_scale) << " (model " << hex(g) << " oracle " << hex(g_ref) << ")\n"
            << "  status " << int(st) << "/" << int(st_ref) << " scale " << hex(model.scale.scale)
            << "/" << hex(expected.scale) << " zero point " << hex(model.scale.zero_point) << "/"
            << hex(expected.zero_point) << "\n  codes model  ";
        for (auto c : model.codes) msg << hex(c) << ' ';
        msg << "\n  codes oracle ";
        for (auto c : expected_codes) msg << hex(c) << ' ';
        msg << "\n  " << value_mismatch;
        std::lock_guard lock(print);
        ADD_FAILURE() << msg.str();
      }
    });
  }
  for (auto& t : threads) t.join();
  return failures;
}

std::size_t default_blocks() {
  const char* env = std::getenv("NUMCONF_QUANT_BLOCKS");
  return env != nullptr ? std::size_t(std::strtoull(env, nullptr, 0)) : 1000;
}

// NUMCONF_QUANT_ONLY=<text>: only the schemes whose test name contains the text;
// NUMCONF_QUANT_ONLY==<name>: only the scheme of exactly that name ("int8 g32" is also part of
// "uint8 g32" and "int8 g32 asymmetric restricted").
bool selected(const std::string& name) {
  const char* only = std::getenv("NUMCONF_QUANT_ONLY");
  if (only == nullptr) return true;
  if (only[0] == '=') return name == only + 1;
  return name.find(only) != std::string::npos;
}

TEST(QuantOracle, EverySchemeOnGeneratedBlocks) {
  for (const auto& named : quant_test::schemes_under_test()) {
    if (!selected(named.name)) continue;
    const test_support::Timer timer;
    EXPECT_EQ(compare_with_oracle(named, default_blocks()), 0u) << named.name;
    std::cout << named.name << ": " << default_blocks() << " blocks in " << timer.seconds()
              << " s\n";
  }
}

TEST(QuantOracleSlow, DISABLED_EverySchemeOn100kBlocks) {
  for (const auto& named : quant_test::schemes_under_test()) {
    if (!selected(named.name)) continue;
    const test_support::Timer timer;
    EXPECT_EQ(compare_with_oracle(named, 100000), 0u) << named.name;
    std::cout << named.name << ": 100000 blocks in " << timer.seconds() << " s\n";
  }
}

}  // namespace
}  // namespace numconf
