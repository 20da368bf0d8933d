// llm-openai: an LLM provider for any OpenAI-compatible chat-completions endpoint
// (OpenAI, vLLM, Ollama, DeepSeek, Qwen/DashScope, ...), whole answers or
// server-sent-event streams.
//
// The plugin never opens a socket: each chat() builds the request and hands it to
// the host's outbound HTTP service (sb_http_v1), which runs it on the host's I/O
// threads. Everything a request needs lives in its own InFlight object, created by
// chat() and freed by the HTTP service's on_done, which completes the op exactly
// once; the instance itself is read-only after instance_new, so chat() takes no lock.
//
// Config ([plugins.llm-openai]): base_url, model, api_key_env, stream, temperature,
// max_tokens, timeout_ms, headers (see provider_config.hpp).
#include <algorithm>
#include <cstdint>
#include <exception>
#include <iterator>
#include <memory>
#include <string>

#include "chat_call.hpp"
#include "chat_request.hpp"
#include "provider_config.hpp"
#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

using llm_openai::ChatCall;
using llm_openai::Completion;

const sb_host_api* g_host = nullptr;  // set once by sb_plugin_entry, read-only after

struct Provider {
  sb_host_ctx* ctx;
  const sb_http_api* http;
  llm_openai::ProviderConfig config;
};

// One request in flight, owned by the HTTP service's callbacks until on_done.
struct InFlight {
  sb_op* op;
  ChatCall call;
  bool out_of_memory = false;  // a chunk could not be kept; the answer is incomplete
};

Provider& self(sb_instance* inst) {
  return *reinterpret_cast<Provider*>(inst);
}

int32_t fail(sb_error* err, const std::string& why) {
  sb_error_set(err, why.c_str());
  return SB_ERROR;
}

// ABI callbacks: no exception may cross back into the host.
void on_chunk(void* user, sb_str chunk) noexcept {
  auto* flight = static_cast<InFlight*>(user);
  try {
    flight->call.on_chunk(sb::view(chunk));
  } catch (...) {
    flight->out_of_memory = true;
  }
}

void on_done(void* user, const sb_http_response* response) noexcept {
  std::unique_ptr<InFlight> flight(static_cast<InFlight*>(user));
  Completion completion;
  try {
    if (flight->out_of_memory) {
      completion.error = "out of memory while receiving the answer";
    } else if (!response || response->struct_size < sizeof(sb_http_response)) {
      completion.error = "the host's HTTP response is too small for this plugin";
    } else {
      completion = flight->call.on_done(response->status, sb::view(response->body),
                                        sb::view(response->error));
    }
  } catch (const std::exception& e) {
    completion = Completion{false, {}, e.what()};
  } catch (...) {
    completion = Completion{false, {}, "unknown exception while reading the answer"};
  }
  g_host->complete(flight->op, completion.ok ? SB_OK : SB_ERROR, sb::str(completion.result_json),
                   sb::str(completion.error));
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  return sb::guarded(err, [&] {
    const auto* http = static_cast<const sb_http_api*>(g_host->get_api(SB_HTTP_API_V1));
    if (!http || http->struct_size < sizeof(sb_http_api) || !http->request)
      return fail(err, "llm-openai: this host offers no outbound HTTP service (sb_http_v1)");
    auto provider = std::make_unique<Provider>(
        Provider{args->ctx, http, llm_openai::read_config(sb::view(args->config_json))});
    sb::log(g_host, args->ctx, SB_LOG_INFO,
            "chat completions at " + provider->config.chat_url + ", model " +
                provider->config.model + (provider->config.stream ? ", streamed" : ""));
    *out = reinterpret_cast<sb_instance*>(provider.release());
    return static_cast<int32_t>(SB_OK);
  });
}

void instance_free(sb_instance* inst) {
  delete &self(inst);
}

int32_t chat(sb_instance* inst, const sb_llm_request* req, sb_op* op, sb_error* err) {
  return sb::guarded(err, [&] {
    if (!req || req->struct_size < sizeof(sb_llm_request))
      return fail(err, "sb_llm_request is missing or too small for this plugin");
    const Provider& provider = self(inst);
    llm_openai::ChatBody body;
    std::string why;
    if (!llm_openai::build_chat_body(provider.config, sb::view(req->messages_json), req->max_tokens,
                                     body, why))
      return fail(err, why);

    // The host gives up at its deadline; ending the request there too frees the
    // connection instead of reading an answer nobody waits for.
    int64_t timeout_ms = provider.config.timeout_ms;
    if (req->deadline_ms > 0) {
      const int64_t left_ms = req->deadline_ms - g_host->monotonic_ms();
      if (left_ms <= 0) return fail(err, "the deadline passed before the request was sent");
      timeout_ms = std::min(timeout_ms, left_ms);
    }

    auto flight = std::make_unique<InFlight>(
        InFlight{op, ChatCall(provider.config.stream, body.estimated_prompt_tokens,
                              static_cast<uint32_t>(timeout_ms))});
    const sb_http_request request{sizeof(sb_http_request),
                                  static_cast<uint32_t>(timeout_ms),
                                  sb::str("POST"),
                                  sb::str(provider.config.chat_url),
                                  sb::str(provider.config.headers_json),
                                  sb::str(body.json)};
    // A streamed answer is read as it arrives; a whole one the host buffers.
    const int32_t status =
        provider.http->request(provider.ctx, &request, provider.config.stream ? &on_chunk : nullptr,
                               &on_done, flight.get(), err);
    if (status != SB_OK) {
      if (err && err->message && err->capacity && !err->message[0])
        sb_error_set(err, "the host refused the HTTP request");
      return static_cast<int32_t>(SB_ERROR);  // nothing will be called: flight is ours
    }
    flight.release();  // on_done owns it now, and may already have run
    return static_cast<int32_t>(SB_PENDING);
  });
}

constexpr sb_llm_api kLlmApi = {sizeof(sb_llm_api), &chat};

constexpr sb_plugin_descriptor kDescriptor = {
    sizeof(sb_plugin_descriptor),
    SB_ABI_VERSION_MAJOR(1, 1),
    SB_ABI_VERSION_MINOR(1, 1),
    SB_KIND_LLM,
    "llm-openai",
    "1.0.0",
    llm_openai::kConfigKeys,
    std::size(llm_openai::kConfigKeys),
    &instance_new,
    &instance_free,
    nullptr,
    &kLlmApi,
};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
