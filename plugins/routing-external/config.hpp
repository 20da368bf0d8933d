// The [plugins.routing-external] keys of one tenant, read once in instance_new.
//
//   url          where to POST the question: http://host[:port]/path or https://...
//                Required.
//   timeout_ms   the most one answer may take, connect to last byte; past it the
//                plugin defers to the next strategy of the chain. 1..60000, default
//                2000. The server's [plugins] call_timeout_ms (default 5000) is a
//                ceiling too: the host stops waiting for any plugin after it.
//   api_key_env  the NAME of the environment variable holding a key, sent as
//                "Authorization: Bearer <key>". Optional; when named, the variable
//                must be set and non-empty.
//   headers      a table of extra request headers, e.g. { "X-Desk" = "eu" }. Not
//                Authorization: a secret never sits in a tenant file.
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

namespace switchboard::routing_external {

struct Config {
  std::string url;
  uint32_t timeout_ms = 2000;
  // Every request's headers, Content-Type and Authorization (when a key is
  // configured) included.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The keys declared in the descriptor; the host rejects any other.
inline constexpr sb_config_key kConfigKeys[] = {
    {sizeof(sb_config_key), SB_CONFIG_STRING, "url"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "api_key_env"},
    {sizeof(sb_config_key), SB_CONFIG_TABLE, "headers"},
};

using switchboard::outbound::EnvLookup;
using switchboard::outbound::process_env;

// Reads and checks the config table (a JSON object). Throws std::invalid_argument
// with a message naming the key and what is wrong; the message never holds the key.
Config read_config(std::string_view config_json, const EnvLookup& env = process_env);

}  // namespace switchboard::routing_external
