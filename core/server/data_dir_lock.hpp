#pragma once
// One server per data dir. Two servers on one data dir would both own every tenant
// (each numbering messages on its own), and the second would take the control
// socket from the first, so `switchboard backup` would reach the wrong one. A
// server holds an advisory lock (flock) on DATA_DIR/switchboard.lock for as long as
// it runs; the kernel drops it when the process ends, even by kill -9, so a crash
// never leaves a stale lock behind. The file's text is the holder's pid, for the
// message a second server prints.
#include <filesystem>
#include <optional>
#include <string>

namespace sb::server {

inline constexpr const char* kLockName = "switchboard.lock";

class DataDirLock {
 public:
  // Creates the data dir if needed and takes its lock. Without it, nullopt and
  // error says why (another server's pid when one holds it).
  static std::optional<DataDirLock> acquire(const std::filesystem::path& data_dir,
                                            std::string& error);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sb::server
