// llm-openai: an LLM provider for any OpenAI-compatible chat-completions endpoint
// (OpenAI, vLLM, Ollama, DeepSeek, Qwen/DashScope, ...), whole answers or
// server-sent-event streams.
//
// The plugin never opens a socket: each chat() builds the request and hands it to
// the host's outbound HTTP service (sb_http_v1), which runs it on the host's I/O
// threads. Everything one request needs lives in its own ChatCall, shared only by
// that request's HTTP callbacks; the instance is read-only after construction, so
// chat() takes no lock.
//
// Config ([plugins.llm-openai]): base_url, model, api_key_env, stream, temperature,
// max_tokens, timeout_ms, headers (see provider_config.hpp).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "chat_call.hpp"
#include "chat_request.hpp"
#include "provider_config.hpp"
#include "switchboard/sb_autoreply_cpp.hpp"
#include "switchboard/sb_http_cpp.hpp"

namespace {

class OpenAiProvider {
 public:
  static constexpr const char* kName = "llm-openai";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const auto& kConfigKeys = switchboard::llm_openai::kConfigKeys;

  explicit OpenAiProvider(const sb::InstanceArgs& args)
      : host_(args.host),
        http_(args.host),
        config_(switchboard::llm_openai::read_config(args.config_json)) {
    if (!http_.available())
      throw std::runtime_error("llm-openai: this host offers no outbound HTTP service (" +
                               std::string(SB_HTTP_API_V1) + ")");
    host_.log(SB_LOG_INFO, "chat completions at " + config_.chat_url + ", model " + config_.model +
                               (config_.stream ? ", streamed" : ""));
  }

  void chat(const sb_llm_request& req, sb::Completion done) const {
    if (req.struct_size < sizeof(sb_llm_request)) {
      done.error("sb_llm_request is too small for this plugin");
      return;
    }
    switchboard::llm_openai::ChatBody body;
    std::string why;
    if (!switchboard::llm_openai::build_chat_body(config_, sb::view(req.messages_json),
                                                  req.max_tokens, body, why)) {
      done.error(why);
      return;
    }

    // The host gives up at its deadline; ending the request there too frees the
    // connection instead of reading an answer nobody waits for.
    int64_t timeout_ms = config_.timeout_ms;
    if (req.deadline_ms > 0) {
      const int64_t left_ms = req.deadline_ms - host_.monotonic_ms();
      if (left_ms <= 0) {
        done.error("the deadline passed before the request was sent");
        return;
      }
      timeout_ms = std::min(timeout_ms, left_ms);
    }

    auto call = std::make_shared<switchboard::llm_openai::ChatCall>(
        config_.stream, body.estimated_prompt_tokens, static_cast<uint32_t>(timeout_ms));
    // A streamed answer is read as it arrives; a whole one the host buffers.
    sb::http::OnChunk on_chunk;
    if (config_.stream) on_chunk = [call](std::string_view bytes) { call->on_chunk(bytes); };
    why = http_.request("POST", config_.chat_url, config_.headers, body.json,
                        static_cast<uint32_t>(timeout_ms), std::move(on_chunk),
                        [call, done](const sb::http::Response& response) {
                          const switchboard::llm_openai::Outcome outcome =
                              call->on_done(response.status, response.body, response.error);
                          if (outcome.ok)
                            done.ok(outcome.result_json);
                          else
                            done.error(outcome.error);
                        });
    if (!why.empty()) done.error(why);
  }

 private:
  sb::Host host_;
  sb::http::Client http_;
  switchboard::llm_openai::ProviderConfig config_;
};

}  // namespace

SB_LLM_PLUGIN(OpenAiProvider)
