// A minimal host for one LLM plugin, for tests only: loads the .so, hands it an
// sb_host_api whose sb_http_v1 is a small non-blocking Beast HTTP client on its own
// I/O thread, and turns one chat() into a blocking call with a time limit.
//
// Stands in for the real plugin host's LLM support and HTTP service until those
// exist; the scenarios in plugin_test.cpp only use the interface below.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace llm_openai_test {

struct ChatOutcome {
  int32_t status = -1;     // SB_OK / SB_ERROR; -1 when nothing completed in time
  std::string result;      // the result JSON with SB_OK
  std::string error;       // why, with SB_ERROR
  bool timed_out = false;  // the host gave up at the deadline (status is SB_ERROR)
  std::chrono::milliseconds took{0};
  int completions = 0;  // how many times the op was completed (must be 1)
};

class LlmTestHost {
 public:
  explicit LlmTestHost(const std::string& plugin_so);
  ~LlmTestHost();

  // instance_new with this config table (a JSON object). False with error set when
  // the plugin refuses it.
  bool open(const std::string& config_json, std::string& error);

  // chat() with the given messages, waiting at most wait for the completion.
  // deadline is passed to the plugin as now + deadline (0: none).
  ChatOutcome chat(const std::string& messages_json, uint32_t max_tokens = 0,
                   std::chrono::milliseconds deadline = std::chrono::milliseconds(0),
                   std::chrono::milliseconds wait = std::chrono::seconds(10));

  // Runs for a while so that a second (forbidden) completion of the last op would
  // be counted.
  int completions_after(std::chrono::milliseconds settle);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llm_openai_test
