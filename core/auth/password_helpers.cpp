#include "auth/password_helpers.hpp"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "auth/password.hpp"
#include "auth/sodium.hpp"
#include "common/clock.hpp"

extern char** environ;

namespace sb::auth {

namespace {

// A request's two lengths; a stored hash is shorter than crypto_pwhash_STRBYTES and
// a password can be no longer than a request body (1 MiB).
struct Lengths {
  uint32_t hash = 0;
  uint32_t password = 0;
};
constexpr uint32_t kMaxHash = crypto_pwhash_STRBYTES;
constexpr uint32_t kMaxPassword = 1u << 20;

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

bool read_all(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t got = read(fd, data, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    data += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

// The calling thread's scheduling, as last copied to a helper.
struct Priority {
  int policy = -1;
  int nice = 0;
  bool operator==(const Priority&) const = default;
};

Priority own_priority() {
  Priority priority;
  priority.policy = sched_getscheduler(0);
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  priority.nice = errno == 0 ? nice : 0;
  return priority;
}

// Best effort: a refusal (no CAP_SYS_NICE, a low RLIMIT_NICE) leaves the helper
// where it was, as it would leave a check thread (PasswordChecks logs it once).
void copy_priority(pid_t pid, const Priority& priority) {
  sched_param none{};
  if (priority.policy >= 0) sched_setscheduler(pid, priority.policy, &none);
  setpriority(PRIO_PROCESS, static_cast<id_t>(pid), priority.nice);
}

}  // namespace

PasswordHelpers::PasswordHelpers(std::string executable, size_t count, int64_t deadline_ms)
    : executable_(std::move(executable)),
      count_(std::max<size_t>(1, count)),
      deadline_ms_(deadline_ms) {
  ensure_sodium();
  idle_.resize(count_);
}

PasswordHelpers::~PasswordHelpers() {
  std::unique_lock lock(mutex_);
  // Checks in flight end first (each holds its helper until then).
  returned_.wait(lock, [&] { return idle_.size() == count_; });
  for (auto& helper : idle_) end(helper);
}

std::vector<pid_t> PasswordHelpers::pids() const {
  std::lock_guard lock(mutex_);
  std::vector<pid_t> out = busy_;
  for (const auto& helper : idle_)
    if (helper.pid > 0) out.push_back(helper.pid);
  return out;
}

std::optional<bool> PasswordHelpers::verify(std::string_view hash, std::string_view password) {
  // Longer than any stored hash or request body: no match, and no helper needed.
  if (hash.size() >= kMaxHash || password.size() > kMaxPassword) return false;
  Helper helper;
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty(); });
    helper = idle_.back();
    idle_.pop_back();
  }
  // One that died between checks (killed, out of memory) is replaced before this
  // check, which it never saw; a check it dies in is refused below.
  if (helper.pid > 0 && waitpid(helper.pid, nullptr, WNOHANG) == helper.pid) {
    close(helper.fd);
    helper = Helper{};
  }
  if (helper.pid > 0) {
    std::lock_guard lock(mutex_);
    busy_.push_back(helper.pid);
  }
  // Listed busy for pids() (start() lists a new one).
  const pid_t lent = helper.pid > 0 || start(helper) ? helper.pid : -1;
  std::optional<bool> answer;
  if (lent > 0) {
    answer = ask(helper, hash, password);
    if (!answer) end(helper);
  }
  {
    std::lock_guard lock(mutex_);
    busy_.erase(std::remove(busy_.begin(), busy_.end(), lent), busy_.end());
    idle_.push_back(helper);
  }
  returned_.notify_all();
  return answer;
}

bool PasswordHelpers::start(Helper& helper) {
  int fds[2];
  // Close-on-exec: no other child of the server inherits either end, so the
  // helper sees end of file the moment the server is gone.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 0);  // dup2 clears close-on-exec
  char name[] = "switchboard";
  char command[] = "password-helper";
  char* argv[] = {name, command, nullptr};
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, executable_.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (failed != 0) {
    close(fds[0]);
    return false;
  }
  helper.pid = pid;
  helper.fd = fds[0];
  started_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  busy_.push_back(pid);
  return true;
}

void PasswordHelpers::end(Helper& helper) {
  if (helper.fd >= 0) close(helper.fd);
  if (helper.pid > 0) {
    kill(helper.pid, SIGKILL);
    while (waitpid(helper.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  helper = Helper{};
}

std::optional<bool> PasswordHelpers::ask(Helper& helper, std::string_view hash,
                                         std::string_view password) {
  Priority copied = own_priority();
  copy_priority(helper.pid, copied);

  std::string request(sizeof(Lengths) + hash.size() + password.size(), '\0');
  const Lengths lengths{static_cast<uint32_t>(hash.size()), static_cast<uint32_t>(password.size())};
  std::memcpy(request.data(), &lengths, sizeof lengths);
  std::memcpy(request.data() + sizeof lengths, hash.data(), hash.size());
  std::memcpy(request.data() + sizeof lengths + hash.size(), password.data(), password.size());
  const bool sent = write_all(helper.fd, request.data(), request.size());
  sodium_memzero(request.data(), request.size());
  if (!sent) return std::nullopt;

  // While it hashes, the helper runs at this thread's priority: PasswordChecks'
  // guard lifts this (waiting) thread when the check starves, and the lift is
  // copied across within a tick.
  const int64_t deadline = monotonic_ms() + deadline_ms_;
  for (;;) {
    const int64_t left = deadline - monotonic_ms();
    if (left <= 0) return std::nullopt;
    pollfd ready{helper.fd, POLLIN, 0};
    const int polled = poll(&ready, 1, static_cast<int>(std::min<int64_t>(left, 100)));
    if (polled < 0 && errno != EINTR) return std::nullopt;
    if (polled > 0) break;
    const Priority now = own_priority();
    if (!(now == copied)) copy_priority(helper.pid, copied = now);
  }
  char answer = 0;
  if (!read_all(helper.fd, &answer, 1)) return std::nullopt;
  if (answer != '0' && answer != '1') return std::nullopt;
  return answer == '1';
}

int run_password_helper() {
  // The server's end of the socket closing is the only way this process ends: a
  // terminal's Ctrl-C or a reload signal sent to every `switchboard` is the
  // server's to act on.
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  // Whatever the server had open without close-on-exec (listening sockets,
  // clients) is not the helper's; stderr stays for a sanitizer's report.
  close_range(3, ~0u, 0);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  try {
    ensure_sodium();
  } catch (const std::exception&) {
    return 1;
  }
  std::vector<char> buffer;
  for (;;) {
    Lengths lengths;
    if (!read_all(0, reinterpret_cast<char*>(&lengths), sizeof lengths)) return 0;
    if (lengths.hash >= kMaxHash || lengths.password > kMaxPassword) return 2;
    const size_t size = size_t{lengths.hash} + lengths.password;
    if (size > buffer.size()) {
      sodium_memzero(buffer.data(), buffer.size());
      buffer = std::vector<char>(size);
    }
    if (!read_all(0, buffer.data(), size)) return 0;
    const bool match =
        verify_password(std::string_view(buffer.data(), lengths.hash),
                        std::string_view(buffer.data() + lengths.hash, lengths.password));
    sodium_memzero(buffer.data(), size);
    const char answer = match ? '1' : '0';
    if (!write_all(0, &answer, 1)) return 0;
  }
}

}  // namespace sb::auth
