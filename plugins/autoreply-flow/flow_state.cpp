#include "flow_state.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace switchboard::flow {
namespace {

namespace json = boost::json;

constexpr std::int64_t kFormatVersion = 1;

std::string string_or_empty(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  const json::string* text = value ? value->if_string() : nullptr;
  return text ? std::string(*text) : std::string();
}

std::uint32_t count_or_zero(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (!value || !value->is_int64() || value->get_int64() < 0) return 0;
  return static_cast<std::uint32_t>(std::min<std::int64_t>(value->get_int64(), 1'000'000));
}

}  // namespace

ConversationState parse_state(std::string_view state_json) {
  ConversationState state;
  if (state_json.empty()) return state;
  state.seen = true;
  boost::system::error_code ec;
  const json::value parsed = json::parse(state_json, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  if (!object) return state;
  const json::value* version = object->if_contains("v");
  if (!version || !version->is_int64() || version->get_int64() != kFormatVersion) return state;

  state.language = string_or_empty(*object, "lang");
  std::string flow = string_or_empty(*object, "flow");
  std::string node = string_or_empty(*object, "node");
  if (flow.empty() || node.empty()) return state;
  state.at = Target{std::move(flow), std::move(node)};
  state.retries = count_or_zero(*object, "retries");
  state.fallbacks = count_or_zero(*object, "fallbacks");
  if (const json::value* expires = object->if_contains("expires_ms");
      expires && expires->is_int64())
    state.expires_ms = expires->get_int64();
  if (const json::value* params = object->if_contains("params")) {
    if (const json::object* entries = params->if_object()) {
      for (const auto& [key, value] : *entries) {
        if (const json::string* text = value.if_string())
          state.params.emplace(std::string(key), std::string(*text));
      }
    }
  }
  return state;
}

std::string serialize_state(const ConversationState& state) {
  json::object out;
  out["v"] = kFormatVersion;
  if (!state.language.empty()) out["lang"] = state.language;
  if (state.at) {
    out["flow"] = state.at->flow;
    out["node"] = state.at->node;
    json::object params;
    for (const auto& [key, value] : state.params) params[key] = value;
    out["params"] = std::move(params);
    out["retries"] = state.retries;
    out["fallbacks"] = state.fallbacks;
    out["expires_ms"] = state.expires_ms;
  }
  return json::serialize(out);
}

}  // namespace switchboard::flow
