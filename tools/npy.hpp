// Reading and writing NumPy .npy files of f32 values (format versions 1.0 to 3.0, little-endian
// '<f4', C order, one or two dimensions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace numconf::cli {

struct F32Array {
  std::size_t rows = 1, cols = 0;  // a 1-D array is one row
  std::vector<std::uint32_t> bits;
};

// Throws InputError naming the file and what is wrong with it.
F32Array read_npy_f32(const std::string& path);

// The bytes of a version 1.0 .npy file of a rows x cols '<f4' array (1-D when one_dimensional).
std::string npy_f32_bytes(const F32Array& array, bool one_dimensional);

}  // namespace numconf::cli
