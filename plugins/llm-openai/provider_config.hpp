// The [plugins.llm-openai] keys of one tenant, read once in instance_new.
//
//   base_url     "https://api.openai.com/v1", "http://127.0.0.1:11434/v1" (Ollama),
//                "http://gpu-box:8000/v1" (vLLM), "https://api.deepseek.com/v1", ...
//                Required. Requests go to base_url + "/chat/completions".
//   model        the provider's model name. Required.
//   api_key_env  the NAME of the environment variable holding the API key, sent as
//                "Authorization: Bearer <key>". Optional (local servers need none);
//                when named, the variable must be set and non-empty.
//   stream       true: ask for server-sent events and assemble the answer from them.
//                Default false.
//   temperature  0..2. Default: the provider's.
//   max_tokens   the answer's limit when the host asks for none. Default: the
//                provider's.
//   timeout_ms   the most one request may take (the host's deadline may cut it
//                shorter). 1..600000, default 30000.
//   headers      a table of extra request headers, e.g. { "X-Project" = "shop" }.
//                Not Authorization (the key never sits in a tenant file), nor what
//                the plugin sets itself (Content-Type, Accept).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outbound_config.hpp"
#include "switchboard/sb_plugin.h"

namespace switchboard::llm_openai {

struct ProviderConfig {
  std::string chat_url;  // base_url + "/chat/completions"
  std::string model;
  bool stream = false;
  std::optional<double> temperature;
  uint32_t max_tokens = 0;  // 0 = the provider's default
  uint32_t timeout_ms = 30000;
  // Every request's headers, the Authorization header (when a key is configured)
  // included.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The keys declared in the descriptor; the host rejects any other.
inline constexpr sb_config_key kConfigKeys[] = {
    {sizeof(sb_config_key), SB_CONFIG_STRING, "base_url"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "model"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "api_key_env"},
    {sizeof(sb_config_key), SB_CONFIG_BOOLEAN, "stream"},
    {sizeof(sb_config_key), SB_CONFIG_FLOAT, "temperature"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "max_tokens"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_TABLE, "headers"},
};

using switchboard::outbound::EnvLookup;
using switchboard::outbound::process_env;

// Reads and checks the config table (a JSON object). Throws std::invalid_argument
// with a message naming the key and what is wrong; the message never contains the
// API key.
ProviderConfig read_config(std::string_view config_json, const EnvLookup& env = process_env);

}  // namespace switchboard::llm_openai
