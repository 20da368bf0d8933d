#include "server/open_files.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>

using sb::server::connections_within;
using sb::server::fit_open_file_limit;
using sb::server::kReservedFiles;

TEST_CASE("every configured connection fits when the limit holds them and the reserve") {
  CHECK(connections_within(18000, 18000 + kReservedFiles) == 18000);
  CHECK(connections_within(50000, 65536) == 50000);
}

TEST_CASE("a low limit caps connections so the server keeps files for itself") {
  // The 20,000 files of this CI machine with the package's 50,000 connections.
  CHECK(connections_within(50000, 20000) == 20000 - kReservedFiles);
  // Debian's default soft limit for a shell: half of it is left for connections.
  CHECK(connections_within(18000, 1024) == 512);
  CHECK(connections_within(18000, 1) == 1);
}

TEST_CASE("the soft open-file limit is raised toward the hard one to hold the connections") {
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 2 * kReservedFiles + 512) {
    WARN("not tried: this process's hard open-file limit is too low");
    return;
  }
  rlimit low = saved;
  low.rlim_cur = 256;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);

  const uint32_t wanted = 512;
  CHECK(fit_open_file_limit(wanted) == wanted);
  rlimit now{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
  CHECK(now.rlim_cur == wanted + kReservedFiles);

  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
}

TEST_CASE("beyond the hard limit the server says how many connections it takes") {
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  if (saved.rlim_max == RLIM_INFINITY || saved.rlim_max < 2 * kReservedFiles) {
    WARN("not tried: needs a finite hard open-file limit of at least 2048");
    return;
  }
  const auto hard = static_cast<uint64_t>(saved.rlim_max);
  CHECK(fit_open_file_limit(static_cast<uint32_t>(hard + 10)) == hard - kReservedFiles);
  rlimit now{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
  CHECK(now.rlim_cur == saved.rlim_max);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
}
