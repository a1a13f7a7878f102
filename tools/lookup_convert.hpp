// Conversion by table lookup, for sweeps that must run at memory speed (gen --exhaustive):
// results and flags of a narrowing conversion into a target of at most 16 bits.
//
// Why a table is exact.  For an IEEE-encoded source narrowed into a float target with the
// conditions of batch_fast_path (formats/batch.hpp) and a smaller lowest exponent (target emin
// above the source's), convert()'s code and flags depend only on
//   the sign and the exponent field,
//   the top m + 1 trailing significand bits (m: the target's trailing bits), and
//   whether any lower bit is set.
// Every rounding decision cuts the significand at the target's last bit, which for a normal
// result keeps m bits and reads the next one as the round bit, and for a subnormal or tiny
// result cuts higher; the rest only counts as sticky.  Tininess after rounding rounds at
// precision m + 1 within the source's own binade: the same bits; source subnormals lie below
// half the target's smallest normal, so they are tiny whatever their bits.  NaN payloads keep
// the top m bits, and a signaling NaN is told by its top bit with a non-zero rest.  So the
// table holds convert() of one representative per key (its lowest code, and that code plus
// one for a set sticky bit), and tests check the lookup against convert() itself.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "formats/batch.hpp"
#include "formats/convert.hpp"

namespace numconf::cli {

class LookupConverter {
 public:
  static constexpr int kMaxKeyBits = 20;

  static bool applies(const Format& from, const Format& to, const Policy& p) {
    return batch_fast_path(from, to, p) && storage_bits(to) <= 16 &&
           min_normal_exponent(to) > min_normal_exponent(from) &&
           code_bits(from) - cut(from, to) + 1 <= kMaxKeyBits;
  }

  // Meaningful only when applies(from, to, p).
  LookupConverter(const Format& from, const Format& to, const Policy& p)
      : cut_(cut(from, to)), sticky_mask_((std::uint64_t{1} << cut_) - 1) {
    const std::uint64_t keys = std::uint64_t{1} << (code_bits(from) - cut_ + 1);
    table_.resize(keys);
    for (std::uint64_t key = 0; key < keys; ++key) {
      const std::uint64_t code = (key >> 1) << cut_ | (key & 1);
      const Rounded r = convert(from, to, code, p);
      table_[key] = std::uint32_t(r.bits | std::uint64_t{r.flags} << 16);
    }
  }

  // convert(from, to, code, p) as bits | flags << 16.
  std::uint32_t operator()(std::uint64_t code) const {
    return table_[(code >> cut_) << 1 | std::uint64_t((code & sticky_mask_) != 0)];
  }

  // The end of the run of codes from `code` on that share its key, and so its result: a code
  // with no bit set below the cut stands alone, and every later code of its 2^cut block has
  // the same key (sticky set).  An exhaustive sweep needs one lookup per run.
  std::uint64_t run_end(std::uint64_t code) const {
    return (code & sticky_mask_) == 0 ? code + 1 : (code | sticky_mask_) + 1;
  }

 private:
  // The lowest source bit a decision reads: the round bit of a normal result.
  static int cut(const Format& from, const Format& to) {
    return from.mantissa_bits - to.mantissa_bits - 1;
  }

  int cut_;
  std::uint64_t sticky_mask_;
  std::vector<std::uint32_t> table_;
};

// The records (result, flags) of codes [first, first + n), little-endian, result_bytes (1 or 2)
// + 1 bytes each, as gen --exhaustive stores them: one lookup per run of codes that convert
// alike (LookupConverter::run_end), whose other records are copies of its first.
inline void write_lookup_records(const LookupConverter& table, std::uint64_t first, std::uint64_t n,
                                 int result_bytes, char* out) {
  const std::size_t row = std::size_t(result_bytes) + 1;
  for (std::uint64_t code = first, end = first + n; code < end;) {
    const std::size_t count = std::size_t(std::min(end, table.run_end(code)) - code);
    // table(code) is bits | flags << 16; with a 1-byte result the flags move down next to it.
    const std::uint32_t r = table(code);
    const std::uint32_t record = row == 2 ? (r & 0xff) | (r >> 8 & 0xff00) : r;
    std::memcpy(out, &record, row);              // little-endian, as the records are
    for (std::size_t have = 1; have < count;) {  // copies, doubling the span copied
      const std::size_t more = std::min(have, count - have);
      std::memcpy(out + have * row, out, more * row);
      have += more;
    }
    out += count * row;
    code += count;
  }
}

}  // namespace numconf::cli
