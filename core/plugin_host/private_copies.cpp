#include "plugin_host/private_copies.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace sb::plugin_host {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// Closes a descriptor when it goes out of scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // Closes it now; the errno of a failed close, or 0.
  int close() {
    if (fd_ < 0) return 0;
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Writes all of `size` bytes; errno, or 0.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return 0;
}

}  // namespace

PrivateCopies::PrivateCopies(fs::path dir) : dir_(std::move(dir)), temporary_(dir_.empty()) {}

PrivateCopies::~PrivateCopies() {
  remove_all();
}

bool PrivateCopies::prepare(std::string& error, size_t* leftovers) {
  if (prepared_) return true;
  std::error_code ec;
  if (temporary_) {
    const fs::path base = fs::temp_directory_path(ec);
    if (ec) {
      error = "no temporary directory: " + ec.message();
      return false;
    }
    std::string pattern = (base / "switchboard-loaded-plugins-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      error = "cannot create a directory in " + base.string() + ": " + errno_text(errno);
      return false;
    }
    dir_ = pattern;
  } else {
    // Only this host uses the directory, so what is in it now is left from an
    // earlier run that ended without removing it.
    size_t found = 0;
    const auto status = fs::symlink_status(dir_, ec);
    if (fs::exists(status)) {
      if (fs::is_directory(status))
        for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) ++found;
      else
        found = 1;
      fs::remove_all(dir_, ec);
      if (ec) {
        error = "cannot remove the copies left in " + dir_.string() + ": " + ec.message();
        return false;
      }
    }
    if (leftovers) *leftovers = found;
    ec.clear();
    fs::create_directories(dir_, ec);
    if (!ec) fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      error = "cannot create " + dir_.string() + ": " + ec.message();
      return false;
    }
  }
  prepared_ = true;
  return true;
}

PrivateCopies::Copy PrivateCopies::make(const fs::path& file) {
  Copy copy;
  if (!prepare(copy.error)) {
    copy.error = "no private copy could be made to load it from: " + copy.error;
    return copy;
  }
  // O_NONBLOCK: a FIFO put in the file's place since the listing does not block the
  // scan (it is refused below); a regular file does not notice the flag.
  Descriptor source(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat before {};
  if (source.get() < 0 || ::fstat(source.get(), &before) != 0) {
    copy.error = "cannot read the file: " + errno_text(errno);
    return copy;
  }
  if (!S_ISREG(before.st_mode)) {
    copy.error = "not a regular file";
    return copy;
  }

  fs::path target;
  int target_fd = -1;
  while (target_fd < 0) {
    target = dir_ / (std::to_string(++copies_made_) + "-" + file.filename().string());
    // Read and execute for the owner only; this descriptor is the only one that
    // ever writes it.
    target_fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0500);
    if (target_fd < 0 && errno != EEXIST) {
      copy.error = "cannot create a private copy in " + dir_.string() + ": " + errno_text(errno);
      return copy;
    }
  }
  Descriptor out(target_fd);
  const auto fail = [&](const std::string& why) -> Copy& {
    out.close();
    std::error_code ignored;
    fs::remove(target, ignored);
    copy.error = why;
    return copy;
  };

  std::vector<char> buffer(1 << 16);
  int64_t copied = 0;
  for (;;) {
    const ssize_t got = ::read(source.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail("cannot read the file: " + errno_text(errno));
    if (got == 0) break;
    if (const int error = write_all(out.get(), buffer.data(), static_cast<size_t>(got)))
      return fail("cannot write its private copy " + target.string() + ": " + errno_text(error));
    copied += got;
  }
  if (const int error = out.close())
    return fail("cannot write its private copy " + target.string() + ": " + errno_text(error));

  // A writer still at work (cp in several writes, a slow disk) changes the size or
  // the modification time while it is read: what was read may be any mix, so it is
  // not used, and not refused either.
  struct stat after {};
  copy.source = identity_of_stat(before);
  if (::fstat(source.get(), &after) != 0 || identity_of_stat(after) != copy.source ||
      copied != copy.source.size_bytes) {
    fail("the file changed while it was copied").source_changed = true;
    return copy;
  }
  copy.path = target;
  return copy;
}

void PrivateCopies::remove_all() {
  if (!prepared_) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  prepared_ = false;
  if (temporary_) dir_.clear();
}

}  // namespace sb::plugin_host
