// The body of one POST {base_url}/chat/completions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "provider_config.hpp"

namespace switchboard::llm_openai {

// Builds {"model", "messages", "stream", ["stream_options"], ["max_tokens"],
// ["temperature"]} from the host's messages_json ([{"role","content"}...], system
// prompt first). max_tokens is the host's limit for this answer; 0 falls back to the
// config's, and 0 there leaves it to the provider. A streamed request asks for the
// usage in the last event (stream_options.include_usage; OpenAI, vLLM, DeepSeek and
// Ollama honour it, servers that do not simply send none).
//
struct ChatBody {
  std::string json;
  // What the prompt costs by estimate_tokens (usage.hpp), for a provider that
  // reports no usage.
  uint64_t estimated_prompt_tokens = 0;
};

// Returns false with error set when messages_json is not a non-empty array of
// {"role": non-empty string, "content": string}; only role and content are passed on.
bool build_chat_body(const ProviderConfig& config, std::string_view messages_json,
                     uint32_t max_tokens, ChatBody& body, std::string& error);

}  // namespace switchboard::llm_openai
