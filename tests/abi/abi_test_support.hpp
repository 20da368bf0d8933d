// Helpers for the ABI tests: a private plugin directory, a captured log and a way
// to run an io_context until something happened.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
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

// A sink that keeps its lines in a string, read under the sink's own mutex: the
// plugin host logs from its I/O and plugin threads while a test reads the lines
// (an ostringstream read without that mutex is a data race; ThreadSanitizer).
class StringSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

// A logger whose lines ("warning: ...") land in a string.
struct CapturedLog {
  std::shared_ptr<StringSink> sink = std::make_shared<StringSink>();
  std::shared_ptr<spdlog::logger> logger;

  CapturedLog() {
    logger = std::make_shared<spdlog::logger>("abi-test", sink);
    logger->set_pattern("%l: %v");
    logger->set_level(spdlog::level::debug);
  }
  std::string text() const { return sink->text(); }
  // How many lines contain needle.
  int count(const std::string& needle) const {
    std::istringstream in(text());
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
