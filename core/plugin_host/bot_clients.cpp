#include "plugin_host/bot_clients.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <stdexcept>

#include "common/clock.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::plugin_host {

namespace {

BotResult to_bot_result(CallResult r) {
  BotResult out;
  out.body = std::move(r.result);
  out.error = std::move(r.error);
  if (r.timed_out) {
    out.status = BotStatus::timeout;
  } else if (r.status == SB_OK && out.body.empty()) {
    // Both kinds answer through host->complete; a bare SB_OK carries no answer.
    out.status = BotStatus::error;
    out.error = "the plugin returned SB_OK without completing the operation";
  } else if (r.status == SB_OK) {
    out.status = BotStatus::ok;
  } else if (r.status == SB_DEFER) {
    out.status = BotStatus::defer;
  } else {
    out.status = BotStatus::error;
    out.refused = r.refused;
    if (out.error.empty()) out.error = "plugin returned status " + std::to_string(r.status);
  }
  return out;
}

// Calls invoke within what is left until deadline_ms, or answers timeout at once
// when nothing is left. Either way cb runs later, on executor.
void call_until(Instance& instance, const AsyncInvoke& invoke, int64_t deadline_ms,
                boost::asio::any_io_executor executor, BotCallback cb) {
  const int64_t left_ms = deadline_ms - sb::monotonic_ms();
  if (left_ms <= 0) {
    boost::asio::post(executor, [cb = std::move(cb)] {
      cb(BotResult{BotStatus::timeout, {}, "the deadline had passed before the call"});
    });
    return;
  }
  instance.call_async(
      invoke, std::move(executor),
      [cb = std::move(cb)](CallResult r) { cb(to_bot_result(std::move(r))); },
      std::chrono::milliseconds(left_ms));
}

}  // namespace

AutoreplyClient::AutoreplyClient(std::shared_ptr<Instance> instance)
    : instance_(std::move(instance)), api_(instance_ ? instance_->autoreply_api() : nullptr) {
  // Start-up wiring error, not a message-path one.
  if (!api_)
    throw std::invalid_argument("AutoreplyClient needs an instance of an auto-reply plugin");
}

void AutoreplyClient::reply(const AutoreplyQuery& query, int64_t deadline_ms, Executor executor,
                            BotCallback cb) {
  sb_autoreply_request request{};
  request.struct_size = sizeof(sb_autoreply_request);
  request.conversation_id = str(query.conversation_id);
  request.visitor_id = str(query.visitor_id);
  request.text = str(query.text);
  request.language = str(query.language);
  request.attributes_json = str(query.attributes_json);
  request.state_json = str(query.state_json);
  request.context_json = str(query.context_json);
  request.deadline_ms = deadline_ms;
  call_until(
      *instance_,
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->reply(inst, &request, op, err);
      },
      deadline_ms, std::move(executor), std::move(cb));
}

LlmClient::LlmClient(std::shared_ptr<Instance> instance)
    : instance_(std::move(instance)), api_(instance_ ? instance_->llm_api() : nullptr) {
  if (!api_) throw std::invalid_argument("LlmClient needs an instance of an LLM plugin");
}

void LlmClient::chat(const LlmQuery& query, int64_t deadline_ms, Executor executor,
                     BotCallback cb) {
  sb_llm_request request{};
  request.struct_size = sizeof(sb_llm_request);
  request.max_tokens = query.max_tokens;
  request.conversation_id = str(query.conversation_id);
  request.messages_json = str(query.messages_json);
  request.deadline_ms = deadline_ms;
  call_until(
      *instance_,
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->chat(inst, &request, op, err);
      },
      deadline_ms, std::move(executor), std::move(cb));
}

}  // namespace sb::plugin_host
