// Shared by the scripted bot plugins of the integration tests: completes
// operations later from a thread of the instance, which instance_free joins.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::test_plugins {

class ScriptWorker {
 public:
  ~ScriptWorker() {
    std::lock_guard lock(mutex_);
    for (auto& t : threads_) t.join();
  }
  void complete_later(const sb_host_api* host, sb_op* op, int delay_ms, int32_t status,
                      std::string result, std::string error = {}) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([=] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      host->complete(op, status, sb::str(result), sb::str(error));
    });
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

// "slow 1500 rest" -> 1500 and "rest"; anything else -> 0 and the text.
inline int delay_of(std::string_view& text) {
  if (text.substr(0, 5) != "slow ") return 0;
  text.remove_prefix(5);
  int ms = 0;
  while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    ms = ms * 10 + (text.front() - '0');
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return ms;
}

}  // namespace sb::test_plugins
