#include "backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "blob_files.hpp"
#include "durable_log.hpp"
#include "sqlite_handle.hpp"

namespace switchboard::sqlite {

namespace fs = std::filesystem;

namespace {

// Makes what was written to path durable (a backup is only worth its fsync).
bool sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Backups::Backups(HostRef host, std::string database, const BlobFiles& files)
    : host_(host), database_(std::move(database)), files_(files) {}

Backups::~Backups() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) thread_.join();
}

int32_t Backups::start(std::string dir, sb_op* op, sb_error* err) {
  const fs::path target(dir);
  std::error_code ec;
  if (!target.is_absolute()) {
    return sb_error_refuse(err, "backup: the directory must be an absolute path");
  }
  if (!fs::is_directory(target, ec) || !fs::is_empty(target, ec)) {
    return sb_error_refuse(err, ("backup: " + dir + " is not an existing empty directory").c_str());
  }
  std::lock_guard lock(mutex_);
  if (running_) {
    sb_error_set(err, "backup: a backup of this tenant is already under way");
    return SB_ERROR;
  }
  if (thread_.joinable()) thread_.join();  // the last one, finished
  running_ = true;
  thread_ = std::thread([this, target, op] {
    std::string result;
    std::string why;
    try {
      why = copy(target, result);
    } catch (const std::exception& e) {
      why = e.what();
    }
    {
      std::lock_guard done(mutex_);
      running_ = false;
    }
    if (why.empty()) {
      host_.log(SB_LOG_INFO, "backup into " + target.string() + ": " + result);
      host_.complete_ok(op, result);
    } else {
      host_.complete_error(op, "backup into " + target.string() + " failed: " + why);
    }
  });
  return SB_PENDING;
}

std::string Backups::copy(const fs::path& dir, std::string& result) {
  const fs::path copy_path = dir / fs::path(database_).filename();
  // Writes acknowledged from the durable log go into the database first: the copy
  // holds every write completed before the backup began.
  if (!wait_until_applied(database_, std::chrono::seconds(30)))
    return "the writes acknowledged before it could not be applied to the database in 30 s";
  {
    Connection source(database_, /*create=*/false);
    Connection destination(copy_path.string(), /*create=*/true);
    sqlite3_backup* backup = sqlite3_backup_init(destination.get(), "main", source.get(), "main");
    if (!backup) return "cannot start the database copy: " + destination.last_error();
    // -1: every page in one step, so one read transaction: one moment of the data.
    int rc = SQLITE_OK;
    do {
      rc = sqlite3_backup_step(backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return "database copy failed: " + std::string(sqlite3_errstr(rc));
  }
  if (!sync_path(copy_path)) return "cannot fsync " + copy_path.string();

  // The files of the rows in the copy.
  Connection copied(copy_path.string(), /*create=*/false);
  std::vector<std::string> ids;
  {
    Statement rows(copied, "SELECT id FROM blobs");
    while (rows.step() == SQLITE_ROW) ids.emplace_back(rows.column_text(0));
  }
  BlobFiles into(dir);
  Statement drop(copied, "DELETE FROM blobs WHERE id = ?1");
  size_t files = 1;
  uintmax_t bytes = fs::file_size(copy_path);
  size_t gone = 0;
  for (const auto& id : ids) {
    const fs::path from = files_.path_of(id);
    const fs::path to = into.path_of(id);
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (ec) return "cannot create " + to.parent_path().string() + ": " + ec.message();
    if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec)) {
      if (fs::exists(from)) return "cannot copy " + from.string() + ": " + ec.message();
      // Deleted since the snapshot: deleted in the copy too.
      ResetOnExit reset(drop);
      drop.bind(1, id);
      if (drop.step() != SQLITE_DONE) return "cannot update the copy: " + copied.last_error();
      ++gone;
      continue;
    }
    if (!sync_path(to)) return "cannot fsync " + to.string();
    ++files;
    bytes += fs::file_size(to);
  }
  result = R"({"files":)" + std::to_string(files) + R"(,"bytes":)" + std::to_string(bytes) + "}";
  if (gone)
    host_.log(SB_LOG_INFO, "backup: " + std::to_string(gone) +
                               " file(s) deleted during the backup are left out of it");
  return {};
}

}  // namespace switchboard::sqlite
