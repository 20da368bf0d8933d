// The harness fails a test whose server printed a sanitizer report, even when the
// test's own checks passed (support/server_process.hpp, take_sanitizer_reports).
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace {

sb::test::ServerOptions script_server(const sb::test::TempDir& dir, const std::string& body) {
  const auto script = dir.path() / "fake-server.sh";
  sb::test::write_file_atomically(script, "#!/bin/sh\n" + body);
  ::chmod(script.c_str(), 0755);
  sb::test::ServerOptions options;
  options.binary = script;
  options.log_dir = dir.subdir("logs");
  return options;
}

// A stand-in for the server: prints its ready line, writes `report` to stderr first,
// then waits to be stopped.
sb::test::ServerOptions fake_server(const sb::test::TempDir& dir, const std::string& report) {
  return script_server(
      dir, "printf '%b' '" + report + "' >&2\necho 'listening on 127.0.0.1:1'\nexec sleep 60\n");
}

// A stand-in that leaks: on SIGTERM it exits as a sanitized server with a leak does,
// LeakSanitizer's report on stderr and exit status 23; a SIGKILL ends it without a
// word. (It naps in short sleeps, so neither leaves a sleeping child behind.)
sb::test::ServerOptions leaking_server(const sb::test::TempDir& dir) {
  return script_server(dir,
                       "trap 'echo \"==9==ERROR: LeakSanitizer: detected memory leaks\" >&2; "
                       "exit 23' TERM\n"
                       "echo 'listening on 127.0.0.1:1'\n"
                       "while :; do sleep 0.1; done\n");
}

bool process_gone(int pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

TEST_CASE("a server's sanitizer report is kept for its test, a clean log is not", "[harness]") {
  sb::test::TempDir dir;
  REQUIRE(sb::test::take_sanitizer_reports().empty());

  SECTION("AddressSanitizer, when the server is killed") {
    sb::test::ServerProcess server(fake_server(
        dir, "starting\\n==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x6\\n"));
    server.start();
    server.kill_hard();
    const auto reports = sb::test::take_sanitizer_reports();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].find("==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x6") !=
          std::string::npos);
  }
  SECTION("UndefinedBehaviorSanitizer, when the server goes out of scope") {
    {
      sb::test::ServerProcess server(
          fake_server(dir, "core/x.cpp:7:3: runtime error: signed integer overflow\\n"));
      server.start();
    }
    const auto reports = sb::test::take_sanitizer_reports();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].find("core/x.cpp:7:3: runtime error: signed integer overflow") !=
          std::string::npos);
  }
  SECTION("LeakSanitizer, when the server is stopped, with the stack that says where") {
    sb::test::ServerProcess server(
        fake_server(dir,
                    "==9==ERROR: LeakSanitizer: detected memory leaks\\n\\nDirect leak of 24 "
                    "byte(s) in 1 object(s) allocated from:\\n    #0 0x1 in operator new\\n    "
                    "#1 0x2 in sb::engine::Tenant::drop core/engine/tenant.cpp:12\\n"));
    server.start();
    server.stop();
    const auto reports = sb::test::take_sanitizer_reports();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].find("#1 0x2 in sb::engine::Tenant::drop core/engine/tenant.cpp:12") !=
          std::string::npos);
  }
  SECTION("a log without a report") {
    sb::test::ServerProcess server(fake_server(dir, "an error: the runtime is fine\\n"));
    server.start();
    server.kill_hard();
    CHECK(sb::test::take_sanitizer_reports().empty());
  }
}

TEST_CASE(
    "a server its test lets go is stopped with SIGTERM in a sanitized build, so a leak "
    "found as it exits fails the test, and kill_hard stays a SIGKILL",
    "[harness]") {
  sb::test::TempDir dir;
  REQUIRE(sb::test::take_sanitizer_reports().empty());
  CHECK(sb::test::ServerOptions{}.end_with_sigterm == sb::test::kSanitizedBuild);

  SECTION("the server goes out of scope") {
    {
      sb::test::ServerProcess server(leaking_server(dir));
      server.start();
    }
    const auto reports = sb::test::take_sanitizer_reports();
    if (sb::test::kSanitizedBuild) {
      REQUIRE(reports.size() == 1);
      CHECK(reports[0].find("ERROR: LeakSanitizer: detected memory leaks") != std::string::npos);
    } else {
      CHECK(reports.empty());  // killed: a plain build has no leak check to wait for
    }
  }
  SECTION("a test that crashes its server on purpose") {
    sb::test::ServerProcess server(leaking_server(dir));
    server.start();
    server.kill_hard();
    CHECK(sb::test::take_sanitizer_reports().empty());
  }
  SECTION("a server that ignores SIGTERM is killed after end_timeout") {
    // SIGTERM ignored, by the shell and by what it becomes.
    auto options =
        script_server(dir, "trap '' TERM\necho 'listening on 127.0.0.1:1'\nexec sleep 60\n");
    options.end_with_sigterm = true;
    options.end_timeout = std::chrono::milliseconds(200);
    int pid = -1;
    const auto began = std::chrono::steady_clock::now();
    {
      sb::test::ServerProcess server(options);
      server.start();
      pid = server.pid();
    }
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(10));
    CHECK(process_gone(pid));
    CHECK(sb::test::take_sanitizer_reports().empty());
  }
}

TEST_CASE("a real server that its test lets go is checked for leaks as it stops, in an ASan build",
          "[harness]") {
  REQUIRE(sb::test::take_sanitizer_reports().empty());
  {
    sb::it::Deployment deployment({sb::it::acme_tenant()}, {.start = false});
    // The server (and only it: the variable goes before anything else starts) loads
    // a library that leaks a block as it is loaded.
    REQUIRE(::setenv("LD_PRELOAD", SB_TEST_LEAK_ON_LOAD, 1) == 0);
    try {
      deployment.server().start();
    } catch (...) {
      ::unsetenv("LD_PRELOAD");
      throw;
    }
    ::unsetenv("LD_PRELOAD");
    auto visitor = deployment.connect_visitor("acme");
    visitor.send_message("hello");
  }
  const auto reports = sb::test::take_sanitizer_reports();
  if (sb::test::kAddressSanitizerBuild) {
    // Stopped with SIGTERM, the server ran LeakSanitizer before it ended.
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].find("ERROR: LeakSanitizer: detected memory leaks") != std::string::npos);
  } else {
    CHECK(reports.empty());  // no leak check in this build
  }
}

TEST_CASE("a sanitizer report is named from its first line, with the 39 lines under it",
          "[harness]") {
  CHECK(sb::test::sanitizer_report("a\nb ERROR: AddressSanitizer: SEGV on x\nc\n") ==
        "b ERROR: AddressSanitizer: SEGV on x\nc");
  CHECK(sb::test::sanitizer_report("f.cpp:1:2: runtime error: load of null") ==
        "f.cpp:1:2: runtime error: load of null");
  CHECK(sb::test::sanitizer_report("x\nWARNING: ThreadSanitizer: data race (pid=5)\n") ==
        "WARNING: ThreadSanitizer: data race (pid=5)");
  CHECK(
      sb::test::sanitizer_report("[info] listening\n[warn] a runtime error, said a bot\n").empty());
  std::string long_report = "==1==ERROR: LeakSanitizer: detected memory leaks\n";
  for (int frame = 0; frame < 60; ++frame) long_report += "    #" + std::to_string(frame) + "\n";
  const auto named = sb::test::sanitizer_report(long_report);
  CHECK(named.find("    #38") != std::string::npos);
  CHECK(named.find("    #39") == std::string::npos);
}
