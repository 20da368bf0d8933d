#include "common/ids.hpp"

#include <dlfcn.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {
std::atomic<int> getrandom_calls{0};
}  // namespace

// Counts the system's random draws (libsodium asks glibc's getrandom), then draws.
extern "C" ssize_t getrandom(void* buffer, size_t length, unsigned int flags) {
  getrandom_calls.fetch_add(1);
  using Real = ssize_t (*)(void*, size_t, unsigned int);
  static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "getrandom"));
  return real(buffer, length, flags);
}

TEST_CASE("ids are a prefix and 32 hex digits, none twice, across threads") {
  std::vector<std::string> a, b;
  std::thread other([&] {
    for (int i = 0; i < 5000; ++i) b.push_back(sb::new_id("m"));
  });
  for (int i = 0; i < 5000; ++i) a.push_back(sb::new_id("m"));
  other.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  CHECK(all.size() == 10000);
  for (const auto& id : a) {
    REQUIRE(id.size() == 34);
    CHECK(id.rfind("m_", 0) == 0);
    CHECK(id.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  }
}

TEST_CASE("ids do not cost a system call each: random bytes are drawn many ids at a time") {
  (void)sb::new_id("c");
  const int before = getrandom_calls.load();
  for (int i = 0; i < 320; ++i) (void)sb::new_id("c");
  const int calls = getrandom_calls.load() - before;
  CHECK(calls >= 1);   // still drawn from the system, not made up
  CHECK(calls <= 21);  // 320 ids, 16 to a draw (one a piece before)
}

TEST_CASE("a forked child does not hand out the ids its parent will") {
  (void)sb::new_id("c");  // the parent holds drawn bytes not yet used
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string id = sb::new_id("c");
    const ssize_t written = write(fds[1], id.data(), id.size());
    _exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(fds[1]);
  char child[64] = {};
  const ssize_t got = read(fds[0], child, sizeof child);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(got == 34);
  const std::string parent = sb::new_id("c");
  CHECK(std::string(child, 34) != parent);
}
