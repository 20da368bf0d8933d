// Typed calls into the bot stages of ABI 1.1: an auto-reply plugin's reply and an
// LLM plugin's chat. Each call carries a deadline; the host gives up at it too.
// The guard is Instance::call_async's: exception barrier, late completions
// dropped; no circuit breaker (the tenant's bot pipeline keeps one per stage).
// cb runs exactly once, always on executor (the tenant's engine strand), never
// inside the call:
//   ok       the plugin completed SB_OK; body is its result JSON
//   defer    SB_DEFER (returned or completed); body is the completion's JSON or ""
//   error    SB_ERROR, an exception; error says why
//   timeout  the deadline passed first (or had passed before the call); the plugin's
//            later answer is dropped
// Strings in the queries are borrowed for the call only (the plugin copies).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string_view>

#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"

namespace sb::plugin_host {

// The core's side of sb_autoreply_request.
struct AutoreplyQuery {
  std::string_view conversation_id;
  std::string_view visitor_id;
  std::string_view text;
  std::string_view language;  // as the widget reported it, or empty
  std::string_view attributes_json = "{}";
  std::string_view state_json;           // what this stage returned as "state" last time, or empty
  std::string_view context_json = "{}";  // earlier stages' findings and "history"
};

class AutoreplyClient {
 public:
  using Executor = boost::asio::any_io_executor;

  // instance must be an auto-reply plugin's (Instance::autoreply_api() != nullptr).
  explicit AutoreplyClient(std::shared_ptr<Instance> instance);

  // deadline_ms is on the sb::monotonic_ms() clock (host->monotonic_ms for plugins).
  void reply(const AutoreplyQuery& query, int64_t deadline_ms, Executor executor, BotCallback cb);

  const std::shared_ptr<Instance>& instance() const { return instance_; }

 private:
  std::shared_ptr<Instance> instance_;
  const sb_autoreply_api* api_;
};

// The core's side of sb_llm_request.
struct LlmQuery {
  std::string_view conversation_id;
  std::string_view messages_json;  // [{"role":..., "content":...}...], system prompt first
  uint32_t max_tokens = 0;         // 0 = the provider's default
};

class LlmClient {
 public:
  using Executor = boost::asio::any_io_executor;

  // instance must be an LLM plugin's (Instance::llm_api() != nullptr).
  explicit LlmClient(std::shared_ptr<Instance> instance);

  // ok carries {"text": S, "usage": {...}}; an empty text is the pipeline's to judge.
  void chat(const LlmQuery& query, int64_t deadline_ms, Executor executor, BotCallback cb);

  const std::shared_ptr<Instance>& instance() const { return instance_; }

 private:
  std::shared_ptr<Instance> instance_;
  const sb_llm_api* api_;
};

}  // namespace sb::plugin_host
