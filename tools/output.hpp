// Buffered output to stdout or to a file that appears only when complete.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace numconf::cli {

// Writes through a large buffer.  A regular file (or a new path) is written as "<path>.tmp" and
// renamed to the path by commit(); if commit() is never reached (bad input, a failed write),
// the temporary file is removed and no partial output file is left behind.  Anything else
// (stdout for "" or "-", /dev/null, a pipe, a terminal, a symbolic link such as /dev/stdout)
// is written in place: renaming onto it would replace it rather than write to it.  SIGINT,
// SIGTERM and SIGHUP remove the temporary file before they end the process.
//
// Once a file passes kDirectFrom bytes, the rest goes with O_DIRECT where the file system takes
// it: a multi-GiB output (gen --exhaustive) then streams to the disk instead of first filling the
// page cache, whose page allocation costs more than the disk write on a VM that hands its free
// memory back to the host (bench/RESULTS.md, "gen --exhaustive").
class Output {
 public:
  explicit Output(const std::string& path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view text) {
    if (text.size() >= kFlushAt) return write_through(text);  // large blocks skip the copy
    buffer_.append(text);
    if (buffer_.size() >= kFlushAt) flush();
  }
  std::string& buffer() { return buffer_; }  // for appending in place; call maybe_flush() after
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void commit();

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  static constexpr std::uint64_t kDirectFrom = 64 << 20;
  void flush();
  void write_through(std::string_view text);
  void emit(std::string_view bytes);  // every byte bound for the file passes here, in order
  void start_direct();
  void write_direct(std::size_t size);
  void leave_direct();
  void finish_direct();
  [[noreturn]] void write_failed() const;

  std::string path_, temp_path_;  // temp_path_ empty: written directly
  int pending_slot_ = -1;         // where a signal handler finds temp_path_ to remove it
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  std::string buffer_;
  std::uint64_t emitted_ = 0;  // bytes passed to emit() so far
  // Direct I/O: a second descriptor on the temporary file with O_DIRECT, and a block-aligned
  // staging buffer that collects the bytes for it, which start at file offset direct_at_.
  enum class Direct { untried, on, unavailable } direct_ = Direct::untried;
  int direct_fd_ = -1;
  std::uint64_t direct_at_ = 0;
  struct FreeAligned {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, FreeAligned> staging_;
  std::size_t staged_ = 0;
};

}  // namespace numconf::cli
