#include "output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

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

// O_DIRECT transfers: offsets, lengths and memory aligned to this (the largest logical block
// size of common disks), in writes of kStaging bytes.
constexpr std::size_t kBlock = 4096;
constexpr std::size_t kStaging = 4 << 20;

// Temporary files to remove when SIGINT, SIGTERM or SIGHUP ends the process (Ctrl-C on a long
// gen), so that no .tmp file outlives an interrupted run.  A signal handler may only call
// async-signal-safe functions, so the paths sit in a fixed table of atomic pointers.
std::array<std::atomic<const char*>, 16> g_pending_temps{};

extern "C" void remove_pending_temps(int signal) {
  for (auto& slot : g_pending_temps)
    if (const char* path = slot.load()) ::unlink(path);
  std::raise(signal);  // SA_RESETHAND restored the default action: end as the signal would
}

void install_temp_removal() {
  static const bool installed = [] {
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      if (::sigaction(signal, nullptr, &action) != 0 || action.sa_handler == SIG_IGN)
        continue;  // nohup's choice, or a background job's SIGINT: keep ignoring it
      action = {};
      action.sa_handler = remove_pending_temps;
      action.sa_flags = SA_RESETHAND;
      sigemptyset(&action.sa_mask);
      ::sigaction(signal, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

// The slot holding `path`, or -1 when the table is full (the file is then only removed by
// the destructor, not on a signal).
int add_pending_temp(const char* path) {
  install_temp_removal();
  for (std::size_t i = 0; i < g_pending_temps.size(); ++i) {
    const char* empty = nullptr;
    if (g_pending_temps[i].compare_exchange_strong(empty, path)) return int(i);
  }
  return -1;
}

void drop_pending_temp(int slot) {
  if (slot >= 0) g_pending_temps[std::size_t(slot)].store(nullptr);
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
  // Readable too: direct I/O starts at a block boundary and reads back the bytes before it.
  file_ = std::fopen(temp_path_.c_str(), "w+b");
  if (file_ == nullptr) throw InputError("cannot write '" + temp_path_ + "'");
  pending_slot_ = add_pending_temp(temp_path_.c_str());
}

Output::~Output() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  if (file_ == stdout || committed_) return;
  std::fclose(file_);
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
  drop_pending_temp(pending_slot_);
}

void Output::write_failed() const {
  throw InputError("write failed" +
                   (path_.empty() ? std::string(" on stdout")
                                  : " on '" + (temp_path_.empty() ? path_ : temp_path_) + "'"));
}

void Output::flush() {
  emit(buffer_);
  buffer_.clear();
}

void Output::write_through(std::string_view text) {
  flush();
  emit(text);
}

void Output::emit(std::string_view bytes) {
  if (direct_ == Direct::untried && !temp_path_.empty() && emitted_ + bytes.size() >= kDirectFrom)
    start_direct();
  emitted_ += bytes.size();
  while (direct_ == Direct::on && !bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kStaging - staged_);
    std::memcpy(staging_.get() + staged_, bytes.data(), n);
    staged_ += n;
    bytes.remove_prefix(n);
    if (staged_ == kStaging) write_direct(kStaging);
  }
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    write_failed();
}

// From here on the file's bytes are staged and written through an O_DIRECT descriptor, from the
// block boundary at or below what is written so far: that partial block is read back into the
// staging buffer and written again whole.  A file system that refuses O_DIRECT keeps stdio.
void Output::start_direct() {
  direct_ = Direct::unavailable;
  if (std::fflush(file_) != 0) write_failed();
  const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return;
  staging_.reset(static_cast<char*>(std::aligned_alloc(kBlock, kStaging)));
  direct_at_ = emitted_ / kBlock * kBlock;
  staged_ = std::size_t(emitted_ - direct_at_);
  if (!staging_ ||
      ::pread(fileno(file_), staging_.get(), staged_, off_t(direct_at_)) != ssize_t(staged_)) {
    ::close(fd);
    write_failed();
  }
  direct_fd_ = fd;
  direct_ = Direct::on;
}

// Writes the first `size` staged bytes (whole blocks) and keeps the rest.
void Output::write_direct(std::size_t size) {
  for (std::size_t done = 0; done < size;) {
    const ssize_t n =
        ::pwrite(direct_fd_, staging_.get() + done, size - done, off_t(direct_at_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL) return leave_direct();
    if (n <= 0) write_failed();
    done += std::size_t(n);
  }
  std::memmove(staging_.get(), staging_.get() + size, staged_ - size);
  staged_ -= size;
  direct_at_ += size;
}

// For a file system that opens with O_DIRECT but refuses these writes (a block larger than
// kBlock): the staged bytes, and everything after them, go through stdio.
void Output::leave_direct() {
  direct_ = Direct::unavailable;
  ::close(std::exchange(direct_fd_, -1));
  if (::fseeko(file_, off_t(direct_at_), SEEK_SET) != 0 ||
      std::fwrite(staging_.get(), 1, staged_, file_) != staged_)
    write_failed();
  staged_ = 0;
}

// The whole blocks staged, then the tail (less than a block) through the stdio descriptor.
void Output::finish_direct() {
  write_direct(staged_ / kBlock * kBlock);
  if (direct_ == Direct::on && staged_ > 0 &&
      ::pwrite(fileno(file_), staging_.get(), staged_, off_t(direct_at_)) != ssize_t(staged_))
    write_failed();
  if (direct_fd_ >= 0 && ::close(std::exchange(direct_fd_, -1)) != 0) write_failed();
}

void Output::commit() {
  flush();
  if (direct_ == Direct::on) finish_direct();
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
  const bool renamed = closed && std::rename(temp_path_.c_str(), path_.c_str()) == 0;
  if (!renamed) std::remove(temp_path_.c_str());
  drop_pending_temp(pending_slot_);
  if (!renamed) throw InputError("cannot write '" + path_ + "'");
}

}  // namespace numconf::cli
