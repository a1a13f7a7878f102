// The quantization oracle: the schemes of formats/quant.hpp computed on exact rationals
// (Boost cpp_rational) and rounded by the conversion oracle's round_value, never by the model's
// rounder.  Every step of docs/quantization.md is re-derived here from the definitions: the
// element's largest value and exponent by scanning its codes, floor/ceil log2 by comparing
// with powers of two, NF4's nearest entry by comparing distances.  Only the descriptor types
// (Format, Policy, quant::Scheme, quant::BlockScale) are shared with the model.
#pragma once

#include <cstddef>
#include <cstdint>

#include "formats/quant.hpp"

namespace numconf::ref {

quant::Status quantize_block(const quant::Scheme& scheme, const std::uint32_t* x, std::size_t n,
                             std::size_t stride, std::uint32_t tensor_scale, quant::BlockScale& out,
                             std::uint8_t* codes);

std::uint32_t dequantize_value(const quant::Scheme& scheme, const quant::BlockScale& block,
                               std::uint32_t tensor_scale, std::uint8_t code);

std::uint32_t nvfp4_tensor_scale(const std::uint32_t* x, std::size_t n);

}  // namespace numconf::ref
