#include "server/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

namespace sb::server {

namespace fs = std::filesystem;

namespace {

// The pid the holder wrote, as text ("" when the file is empty or unreadable).
std::string holder_of(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return "";
  std::string_view pid(text, static_cast<size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.remove_suffix(1);
  return std::string(pid);
}

}  // namespace

std::optional<DataDirLock> DataDirLock::acquire(const fs::path& data_dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    error = "cannot create the data directory " + data_dir.string() + " (" + ec.message() + ")";
    return std::nullopt;
  }
  const fs::path path = data_dir / kLockName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open " + path.string() + " (" + std::strerror(errno) + ")";
    return std::nullopt;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    if (why == EWOULDBLOCK) {
      const std::string pid = holder_of(fd);
      // Named in full: "var" says little to an operator reading a unit's journal.
      const fs::path shown = fs::absolute(data_dir, ec);
      error = "the data directory " + (ec ? data_dir : shown).string() +
              " is in use by another switchboard" +
              (pid.empty() ? std::string() : " (pid " + pid + ")") +
              "; stop it first, or give this server its own --data-dir";
    } else {
      error = "cannot lock " + path.string() + " (" + std::strerror(why) + ")";
    }
    ::close(fd);
    return std::nullopt;
  }
  // The lock holds without the text; a failed write only leaves the pid out of a
  // second server's message.
  const std::string pid = std::to_string(::getpid()) + "\n";
  [[maybe_unused]] const bool written =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) > 0;
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  std::swap(fd_, other.fd_);
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sb::server
