// The harness fails a test whose server printed a sanitizer report, even when the
// test's own checks passed (support/server_process.hpp, take_sanitizer_reports).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace {

// A stand-in for the server: prints its ready line, writes `report` to stderr first,
// then waits to be stopped.
sb::test::ServerOptions fake_server(const sb::test::TempDir& dir, const std::string& report) {
  const auto script = dir.path() / "fake-server.sh";
  sb::test::write_file_atomically(script, "#!/bin/sh\nprintf '%b' '" + report +
                                              "' >&2\necho 'listening on 127.0.0.1:1'\n"
                                              "exec sleep 60\n");
  ::chmod(script.c_str(), 0755);
  sb::test::ServerOptions options;
  options.binary = script;
  options.log_dir = dir.subdir("logs");
  return options;
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
  SECTION("LeakSanitizer, when the server is stopped") {
    sb::test::ServerProcess server(
        fake_server(dir, "==9==ERROR: LeakSanitizer: detected memory leaks\\n"));
    server.start();
    server.stop();
    CHECK(sb::test::take_sanitizer_reports().size() == 1);
  }
  SECTION("a log without a report") {
    sb::test::ServerProcess server(fake_server(dir, "an error: the runtime is fine\\n"));
    server.start();
    server.kill_hard();
    CHECK(sb::test::take_sanitizer_reports().empty());
  }
}

TEST_CASE("the first line of a sanitizer report is what is named", "[harness]") {
  CHECK(sb::test::sanitizer_report("a\nb ERROR: AddressSanitizer: SEGV on x\nc\n") ==
        "b ERROR: AddressSanitizer: SEGV on x");
  CHECK(sb::test::sanitizer_report("f.cpp:1:2: runtime error: load of null") ==
        "f.cpp:1:2: runtime error: load of null");
  CHECK(
      sb::test::sanitizer_report("[info] listening\n[warn] a runtime error, said a bot\n").empty());
}
