// Reading and writing NumPy .npy files (format versions 1.0 to 3.0 read, 1.0 written): C order,
// little-endian or one-byte dtypes as whole arrays, and headers alone for files too large to
// hold in memory (gen's and verify's vector files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace numconf::cli {

// The header of a version 1.0 .npy file of a C-order array: magic, version, length, and the
// dict, padded so that the data starts at a multiple of 64 bytes.  `descr` is quoted as in the
// file ("'<f4'", or a structured dtype's list); `shape` is the tuple as Python writes it:
// "(5,)", "(2, 3)".
std::string npy_header(std::string_view descr, std::string_view shape);

struct NpyHeader {
  std::string descr;               // as written in the file: "'<f4'", "[('a', '<u4'), ...]"
  std::vector<std::size_t> shape;  // empty for a 0-d array
  std::size_t data_offset = 0;     // where the data starts
};

// Reads the header at the start of `in`, leaving `in` at the data.  Throws InputError naming
// `path` for anything that is not a C-order .npy header.
NpyHeader read_npy_header(std::FILE* in, const std::string& path);

// An array as stored: its dtype ('<f4', '|u1', '<u2', ...), its shape and its raw data bytes.
struct NpyArray {
  std::string dtype;
  std::vector<std::size_t> shape;
  std::string data;
};

// Throws InputError naming the file and what is wrong with it (magic, version, header, byte
// order, Fortran order, a data size that does not match the shape).
NpyArray read_npy(const std::string& path);

// The bytes of a version 1.0 .npy file.
std::string npy_bytes(const NpyArray& array);

// An array of unsigned integers of `bytes` bytes each ('|u1', '<u2', '<u4', '<u8').
std::string unsigned_dtype(int bytes);
NpyArray npy_of_unsigned(int bytes, std::vector<std::size_t> shape,
                         const std::vector<std::uint64_t>& values);
// The elements of an array of unsigned integers, little-endian.
std::vector<std::uint64_t> unsigned_elements(const NpyArray& array);

struct F32Array {
  std::size_t rows = 1, cols = 0;  // a 1-D array is one row
  std::vector<std::uint32_t> bits;
};

// A 1-D or 2-D '<f4' array; throws InputError otherwise.
F32Array read_npy_f32(const std::string& path);

// The bytes of a .npy file of a rows x cols '<f4' array (1-D when one_dimensional).
std::string npy_f32_bytes(const F32Array& array, bool one_dimensional);

}  // namespace numconf::cli
