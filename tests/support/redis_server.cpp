#include "support/redis_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "support/process.hpp"

namespace sb::test {

namespace {

constexpr const char* kServer = "/usr/bin/redis-server";
constexpr const char* kCli = "/usr/bin/redis-cli";

}  // namespace

bool RedisServer::installed() {
  return ::access(kServer, X_OK) == 0 && ::access(kCli, X_OK) == 0;
}

RedisServer::RedisServer(RedisOptions options) : options_(options), dir_("sb-redis") {
  if (!installed())
    throw std::runtime_error("redis-server is not installed; run packaging/install-deps.sh --test");
  port_ = free_port();
  start();
}

RedisServer::~RedisServer() {
  try {
    if (pid_ > 0) {
      ::kill(pid_, SIGCONT);  // a frozen server cannot act on SIGTERM
      stop();
    }
  } catch (...) {
  }
}

void RedisServer::start() {
  if (pid_ > 0) throw std::logic_error("redis-server already running");
  ++runs_;
  const std::string log = (dir_.path() / ("redis-" + std::to_string(runs_) + ".log")).string();
  std::vector<std::string> argv{kServer,
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--dir",
                                dir_.path().string(),
                                "--daemonize",
                                "no",
                                "--save",
                                "",
                                "--appendonly",
                                options_.persistent ? "yes" : "no",
                                "--logfile",
                                log};
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  pid_ = spawn(argv, null_fd, null_fd, null_fd, dir_.path());
  ::close(null_fd);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const ProcessResult r =
        run_process({kCli, "-p", std::to_string(port_), "PING"}, "", std::chrono::seconds(2));
    if (r.exit_code == 0 && r.out.rfind("PONG", 0) == 0) return;
    if (wait_for_exit(pid_, std::chrono::milliseconds(0)) != -1) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start: " + read_file(log));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      wait_for_exit(pid_, std::chrono::seconds(5));
      pid_ = -1;
      throw std::runtime_error("redis-server did not answer within 10 s: " + read_file(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (wait_for_exit(pid_, std::chrono::seconds(10)) == -1) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
}

void RedisServer::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{kCli, "-p", std::to_string(port_), "--raw"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, "", std::chrono::seconds(10));
  if (r.exit_code != 0 || r.timed_out)
    throw std::runtime_error("redis-cli failed (" + std::to_string(r.exit_code) + "): " + r.err);
  return r.out;
}

}  // namespace sb::test
