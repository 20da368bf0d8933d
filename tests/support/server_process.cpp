#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "support/build_speed.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sb::test {

namespace {

std::mutex reports_mutex;

void fail_on_sanitizer_reports();

// Never destroyed, so it outlives every static object and the exit handler sees it.
std::vector<std::string>& sanitizer_reports() {
  static auto* reports = [] {
    auto* list = new std::vector<std::string>;
    std::atexit(fail_on_sanitizer_reports);
    return list;
  }();
  return *reports;
}

void fail_on_sanitizer_reports() {
  const std::lock_guard lock(reports_mutex);
  if (sanitizer_reports().empty()) return;
  std::fflush(nullptr);  // the test's own output first: _Exit flushes nothing
  for (const auto& report : sanitizer_reports()) {
    std::fprintf(stderr, "a server under test reported: %s\n", report.c_str());
  }
  std::fflush(stderr);
  std::_Exit(1);
}

}  // namespace

std::string sanitizer_report(const std::string& log) {
  static const std::regex report(
      R"((ERROR: AddressSanitizer|ERROR: LeakSanitizer|: runtime error: |WARNING: ThreadSanitizer|FATAL: ThreadSanitizer).*)");
  std::smatch match;
  if (!std::regex_search(log, match, report)) return {};
  const auto line_start = log.rfind('\n', static_cast<size_t>(match.position(0)));
  const size_t from = line_start == std::string::npos ? 0 : line_start + 1;
  // The stack under the report's first line too: a CI log then says where the leak
  // or the bad access was, not only that there was one.
  constexpr int kReportLines = 40;
  size_t to = from;
  for (int line = 0; line < kReportLines && to < log.size(); ++line) {
    const auto end = log.find('\n', to);
    to = end == std::string::npos ? log.size() : end + 1;
  }
  while (to > from && log[to - 1] == '\n') --to;
  return log.substr(from, to - from);
}

std::vector<std::string> take_sanitizer_reports() {
  const std::lock_guard lock(reports_mutex);
  return std::exchange(sanitizer_reports(), {});
}

void ServerProcess::ended() {
  pid_ = -1;
  const std::string report = sanitizer_report(log());
  if (report.empty()) return;
  auto& reports = sanitizer_reports();
  const std::lock_guard lock(reports_mutex);
  reports.push_back(stderr_path_.string() + ": " + report);
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) end_run();
}

void ServerProcess::end_soon() noexcept {
  if (pid_ <= 0 || !options_.end_with_sigterm || term_sent_) return;
  // Once: a second SIGTERM that comes after the server has stopped listening for
  // signals would end it at once, without the exit that runs LeakSanitizer.
  term_sent_ = true;
  ::kill(pid_, SIGTERM);
  // A test may have frozen it (SIGSTOP): a stopped process acts on the SIGTERM only
  // once it runs again.
  ::kill(pid_, SIGCONT);
}

void ServerProcess::end_run() noexcept {
  try {
    if (!options_.end_with_sigterm) {
      kill_hard();
      return;
    }
    end_soon();
    const auto timeout = harness_deadline(options_.end_timeout);
    if (wait_for_exit(pid_, timeout) == -1) {
      std::fprintf(stderr,
                   "%s: the server did not exit within %lld ms of SIGTERM at the end of its "
                   "test; killed, so it was not checked for leaks\n",
                   stderr_path_.c_str(), static_cast<long long>(timeout.count()));
      kill_hard();
      return;
    }
    ended();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ending a server under test: %s\n", e.what());
  }
}

void ServerProcess::start() {
  if (pid_ > 0) throw std::logic_error("server already running");
  ++run_count_;
  term_sent_ = false;
  std::filesystem::create_directories(options_.log_dir);
  stdout_path_ = options_.log_dir / ("server-" + std::to_string(run_count_) + ".stdout");
  stderr_path_ = options_.log_dir / ("server-" + std::to_string(run_count_) + ".stderr");

  std::vector<std::string> argv = {options_.binary.string(),
                                   "--config",
                                   options_.config.string(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--data-dir",
                                   options_.data_dir.string(),
                                   "--plugin-dir",
                                   options_.plugin_dir.string(),
                                   "--tenants-dir",
                                   options_.tenants_dir.string()};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());

  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  // Relative paths in the config resolve inside the run's own directory, never the repo.
  pid_ = spawn(argv, null_in, out, err,
               options_.working_dir.empty() ? options_.log_dir : options_.working_dir);
  ::close(null_in);
  ::close(out);
  ::close(err);

  // The readiness contract: exactly one stdout line "listening on 127.0.0.1:PORT".
  static const std::regex ready_line(R"(listening on 127\.0\.0\.1:(\d+)\n)");
  // A sanitized build may start many times slower (an FAQ index built at start-up).
  const auto ready_timeout = harness_deadline(options_.ready_timeout);
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  for (;;) {
    std::smatch match;
    const std::string text = read_file(stdout_path_);
    if (std::regex_search(text, match, ready_line)) {
      port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
      return;
    }
    const int status = wait_for_exit(pid_, std::chrono::milliseconds(0));
    if (status != -1) {
      pid_ = -1;
      throw std::runtime_error("server exited with status " + std::to_string(status) +
                               " before it was ready; stdout:\n" + text + "\nstderr:\n" + log());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill_hard();
      throw std::runtime_error("server printed no 'listening on' line within " +
                               std::to_string(ready_timeout.count()) + " ms; stdout:\n" + text +
                               "\nstderr:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (!std::exchange(term_sent_, true)) ::kill(pid_, SIGTERM);
  const int status = wait_for_exit(pid_, timeout);
  if (status == -1) {
    kill_hard();
    throw std::runtime_error("server ignored SIGTERM for " + std::to_string(timeout.count()) +
                             " ms");
  }
  ended();
  return status;
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, std::chrono::seconds(10));
  ended();
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  if (wait_for_exit(pid_, std::chrono::milliseconds(0)) != -1) {
    ended();
    return false;
  }
  return true;
}

std::string ServerProcess::log() const {
  return stderr_path_.empty() ? std::string() : read_file(stderr_path_);
}
std::string ServerProcess::stdout_text() const {
  return stdout_path_.empty() ? std::string() : read_file(stdout_path_);
}

}  // namespace sb::test
