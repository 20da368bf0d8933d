// The durable log when the disk fails it (plugins/storage-sqlite/durable_log.hpp):
// a record whose fdatasync fails may be on disk or not. This executable puts its
// own fdatasync and ftruncate in front of libc's for the plugin it loads (exported
// with --export-dynamic-symbol, tests/unit/storage_sqlite/CMakeLists.txt) and fails
// them for the log file on request; every other file goes to the kernel.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <string>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::atomic<bool> fail_log_syncs{false};

bool is_durable_log(int fd) {
  char target[4096];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  return n > 0 && std::string(target, static_cast<size_t>(n)).find("-dlog-") != std::string::npos;
}

// What kill -9 leaves: the files as they are on disk now.
void copy_crash_image(const fs::path& from, const fs::path& to) {
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("switchboard.db", 0) == 0 && name.find("-shm") == std::string::npos)
      fs::copy_file(entry.path(), to / name);
  }
}

json::value kv(Storage& s, const std::string& key) {
  const Completion got = Storage::wait(s.kv_get("ns", key));
  INFO(got.error);
  REQUIRE(got.ok());
  return json::parse(got.result);
}

}  // namespace

// A failed fdatasync, and the cut of the record after it failing too: the record
// stays in the file, as it may on a disk after such an error.
extern "C" int fdatasync(int fd) {
  if (fail_log_syncs && is_durable_log(fd)) {
    errno = EIO;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_fdatasync, fd));
}

extern "C" int ftruncate(int fd, off_t length) {
  if (fail_log_syncs && is_durable_log(fd)) {
    errno = EIO;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_ftruncate, fd, length));
}

TEST_CASE("a write whose log record failed to sync is stored once, and a later write wins",
          "[sqlite]") {
  TempDir dir;
  Storage s(dir.str(), {{"durable_log", "true"}, {"durable_log_apply_ms", "60000"}});
  REQUIRE(Storage::wait(s.kv_put("ns", "k", R"({"v":0})")).ok());

  fail_log_syncs = true;
  // Whether its record reached the disk is unknown: the write is committed to the
  // database instead, with the record's number as applied.
  const Completion unsure = Storage::wait(s.kv_put("ns", "k", R"({"v":1})"));
  INFO(unsure.error);
  CHECK(unsure.ok());
  // The log takes nothing more; writes go to the database directly.
  REQUIRE(Storage::wait(s.kv_put("ns", "k", R"({"v":2})")).ok());
  fail_log_syncs = false;
  CHECK(kv(s, "k") == json::parse(R"({"v":2})"));

  // After kill -9 the record (still in the file) is not applied again: the value
  // written last stays.
  TempDir image;
  copy_crash_image(dir.path(), image.path());
  Storage reopened(image.str());
  CHECK(kv(reopened, "k") == json::parse(R"({"v":2})"));
}
