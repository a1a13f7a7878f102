#include "output.hpp"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "text.hpp"

namespace numconf::cli {

namespace {

// Whether `path` names something that must be written in place: a device, a pipe, or a symbolic
// link (/dev/stdout; renaming onto a link would replace the link, not fill what it points to).
bool is_written_in_place(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::symlink_status(path, error);
  return !error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
         !std::filesystem::is_directory(status);
}

}  // namespace

Output::Output(const std::string& path) : path_(path == "-" ? "" : path) {
  buffer_.reserve(kFlushAt + 4096);
  if (path_.empty()) {
    file_ = stdout;
    return;
  }
  if (is_written_in_place(path_)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) throw InputError("cannot write '" + path_ + "'");
    return;
  }
  temp_path_ = path_ + ".tmp";
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) throw InputError("cannot write '" + temp_path_ + "'");
}

Output::~Output() {
  if (file_ == stdout || committed_) return;
  std::fclose(file_);
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
}

void Output::write_failed() const {
  throw InputError("write failed" +
                   (path_.empty() ? std::string(" on stdout")
                                  : " on '" + (temp_path_.empty() ? path_ : temp_path_) + "'"));
}

void Output::flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    write_failed();
  buffer_.clear();
}

void Output::write_through(std::string_view text) {
  flush();
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) write_failed();
}

void Output::commit() {
  flush();
  if (file_ == stdout) {
    if (std::fflush(stdout) != 0) write_failed();
    return;
  }
  const bool closed = std::fclose(file_) == 0;
  committed_ = true;
  if (temp_path_.empty()) {
    if (!closed) write_failed();
    return;
  }
  if (!closed || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    throw InputError("cannot write '" + path_ + "'");
  }
}

}  // namespace numconf::cli
