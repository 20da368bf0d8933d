// Helpers for the ABI tests: a private plugin directory, a captured log and a way
// to run an io_context until something happened.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "plugin_host/plugin_info.hpp"

namespace sb::abi_test {

namespace fs = std::filesystem;

// A fresh directory, removed again at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ =
        fs::temp_directory_path() / ("sb-abi-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// An instance's config: its table as JSON and what host->config_get answers.
inline sb::plugin_host::InstanceConfig instance_config(
    std::string json, std::map<std::string, std::string> values_as_text = {}) {
  sb::plugin_host::InstanceConfig config;
  config.config_json = std::move(json);
  config.values_as_text = std::move(values_as_text);
  return config;
}

// Copies the named test plugins (build/test-plugins/<name>.so) into dir.
inline void copy_test_plugins(const fs::path& dir, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    fs::copy_file(fs::path(SB_TEST_PLUGIN_DIR) / (std::string(name) + ".so"),
                  dir / (std::string(name) + ".so"));
  }
}

// A logger whose lines ("warning: ...") land in a string.
struct CapturedLog {
  std::ostringstream lines;
  std::shared_ptr<spdlog::logger> logger;

  CapturedLog() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines, /*force_flush=*/true);
    logger = std::make_shared<spdlog::logger>("abi-test", sink);
    logger->set_pattern("%l: %v");
    logger->set_level(spdlog::level::debug);
  }
  std::string text() const { return lines.str(); }
  // How many lines contain needle.
  int count(const std::string& needle) const {
    std::istringstream in(lines.str());
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
    return n;
  }
};

// Runs io until pred() holds or the time is up; returns pred().
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// Runs io for a while, to let anything that should NOT happen get its chance.
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds how_long) {
  run_until(
      io, [] { return false; }, how_long);
}

}  // namespace sb::abi_test
