// Buffered output to stdout or to a file that appears only when complete.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace numconf::cli {

// Writes through a large buffer.  A regular file (or a new path) is written as "<path>.tmp" and
// renamed to the path by commit(); if commit() is never reached (bad input, a failed write),
// the temporary file is removed and no partial output file is left behind.  Anything else
// (stdout for "" or "-", /dev/null, a pipe, a terminal, a symbolic link such as /dev/stdout)
// is written in place: renaming onto it would replace it rather than write to it.
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
  void flush();
  void write_through(std::string_view text);
  [[noreturn]] void write_failed() const;

  std::string path_, temp_path_;  // temp_path_ empty: written directly
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  std::string buffer_;
};

}  // namespace numconf::cli
