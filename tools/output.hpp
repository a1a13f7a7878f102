// Buffered output to stdout or to a file that appears only when complete.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace numconf::cli {

// Writes through a large buffer.  With a path, the data goes to "<path>.tmp" and is renamed to
// the path by commit(); if commit() is never reached (bad input, a crash of the run), the
// temporary file is removed and no partial output file is left behind.
class Output {
 public:
  explicit Output(const std::string& path);  // "" or "-" for stdout
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
  // For writers that place fixed-size records themselves (pwrite, from several threads): the
  // file descriptor after flushing what was written so far, and that many bytes as its
  // offset; -1 when writing to stdout.
  int positional_fd(long long& offset);

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  void flush();
  void write_through(std::string_view text);

  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  std::string buffer_;
};

}  // namespace numconf::cli
