#include "output.hpp"

#include <cstdio>

#include "text.hpp"

namespace numconf::cli {

Output::Output(const std::string& path) {
  buffer_.reserve(kFlushAt + 4096);
  if (path.empty() || path == "-") {
    file_ = stdout;
    return;
  }
  path_ = path;
  temp_path_ = path + ".tmp";
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) throw InputError("cannot write '" + temp_path_ + "'");
}

Output::~Output() {
  if (file_ != stdout && !committed_) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

void Output::flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    throw InputError("write failed" + (path_.empty() ? std::string() : " on '" + temp_path_ + "'"));
  buffer_.clear();
}

void Output::write_through(std::string_view text) {
  flush();
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
    throw InputError("write failed" + (path_.empty() ? std::string() : " on '" + temp_path_ + "'"));
}

int Output::positional_fd(long long& offset) {
  flush();
  if (file_ == stdout || std::fflush(file_) != 0) return -1;
  offset = std::ftell(file_);
  return offset < 0 ? -1 : fileno(file_);
}

void Output::commit() {
  flush();
  if (file_ == stdout) {
    std::fflush(stdout);
    return;
  }
  const bool closed = std::fclose(file_) == 0;
  committed_ = true;
  if (!closed || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    throw InputError("cannot write '" + path_ + "'");
  }
}

}  // namespace numconf::cli
