// NumPy .npy files (format versions 1.0 to 3.0, C order): headers in and out, and whole arrays
// of f32 values ('<f4', one or two dimensions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace numconf::cli {

// The header of a version 1.0 .npy file of a C-order array: magic, version, length, and the
// dict, padded so that the data starts at a multiple of 64 bytes.  `shape` is the tuple as
// Python writes it: "(5,)", "(2, 3)".
std::string npy_header(std::string_view descr, std::string_view shape);

struct NpyHeader {
  std::string descr;               // as written in the file: "'<f4'", "[('a', '<u4'), ...]"
  std::vector<std::size_t> shape;  // empty for a 0-d array
  std::size_t data_offset = 0;     // where the data starts
};

// Reads the header at the start of `in`, leaving `in` at the data.  Throws InputError naming
// `path` for anything that is not a C-order .npy header.
NpyHeader read_npy_header(std::FILE* in, const std::string& path);

struct F32Array {
  std::size_t rows = 1, cols = 0;  // a 1-D array is one row
  std::vector<std::uint32_t> bits;
};

// Throws InputError naming the file and what is wrong with it.
F32Array read_npy_f32(const std::string& path);

// The bytes of a version 1.0 .npy file of a rows x cols '<f4' array (1-D when one_dimensional).
std::string npy_f32_bytes(const F32Array& array, bool one_dimensional);

}  // namespace numconf::cli
