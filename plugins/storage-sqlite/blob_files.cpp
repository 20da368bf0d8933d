#include "blob_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace switchboard::sqlite {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxIdBytes = 128;

// FNV-1a: stable across builds and machines, unlike std::hash.
uint32_t fnv1a(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
  return hash;
}

std::string hex_byte(uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[(value >> 4) & 0xf], kDigits[value & 0xf]};
}

std::string errno_text(const char* what, const fs::path& path) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

// Writes all of data to fd; false with errno set on failure.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// fsync of a directory makes a rename or unlink in it durable.
std::string sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_text("cannot open directory", dir);
  const bool ok = ::fsync(fd) == 0;
  std::string why = ok ? "" : errno_text("cannot fsync directory", dir);
  ::close(fd);
  return why;
}

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

bool older_than(const fs::directory_entry& entry, std::chrono::seconds min_age) {
  std::error_code ec;
  const auto written = entry.last_write_time(ec);
  if (ec) return false;
  return fs::file_time_type::clock::now() - written >= min_age;
}

}  // namespace

BlobFiles::BlobFiles(fs::path data_dir)
    : root_(std::move(data_dir) / "attachments"), tmp_(root_ / "tmp") {
  fs::create_directories(tmp_);
}

bool BlobFiles::valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes || id.front() == '.') return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

fs::path BlobFiles::path_of(std::string_view id) const {
  const uint32_t hash = fnv1a(id);
  return root_ / hex_byte(hash >> 24) / hex_byte(hash >> 16) / std::string(id);
}

std::string BlobFiles::write_durably(std::string_view id, std::string_view data) const {
  const fs::path target = path_of(id);
  std::error_code ec;
  if (fs::exists(target, ec)) return "a file with id " + std::string(id) + " is already stored";
  fs::create_directories(target.parent_path(), ec);
  if (ec) return "cannot create " + target.parent_path().string() + ": " + ec.message();

  const fs::path temp = tmp_ / (std::string(id) + "." + unique_suffix() + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno_text("cannot create", temp);
  std::string why;
  if (!write_all(fd, data)) why = errno_text("cannot write", temp);
  if (why.empty() && ::fsync(fd) != 0) why = errno_text("cannot fsync", temp);
  ::close(fd);
  if (why.empty() && ::rename(temp.c_str(), target.c_str()) != 0)
    why = errno_text("cannot rename into", target);
  if (!why.empty()) {
    remove(temp);
    return why;
  }
  // The rename is durable once the directory holding the new name is.
  why = sync_directory(target.parent_path());
  if (!why.empty()) remove(target);
  return why;
}

std::optional<std::string> BlobFiles::read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec) bytes.reserve(static_cast<size_t>(size));
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

void BlobFiles::remove(const fs::path& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

size_t BlobFiles::sweep(const std::function<bool(const std::string&)>& has_row,
                        std::chrono::seconds min_age) const {
  size_t removed = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const bool temp = it->path().parent_path() == tmp_;
    if (!older_than(*it, min_age)) continue;
    if (temp || !has_row(it->path().filename().string())) {
      remove(it->path());
      ++removed;
    }
  }
  return removed;
}

}  // namespace switchboard::sqlite
