#include "chat_request.hpp"

#include <boost/json.hpp>

#include "usage.hpp"

namespace switchboard::llm_openai {

namespace json = boost::json;

bool build_chat_body(const ProviderConfig& config, std::string_view messages_json,
                     uint32_t max_tokens, ChatBody& body, std::string& error) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(messages_json, ec);
  if (ec) {
    error = "messages_json is not JSON: " + ec.message();
    return false;
  }
  if (!parsed.is_array() || parsed.get_array().empty()) {
    error = "messages_json must be a non-empty array of {\"role\",\"content\"}";
    return false;
  }
  json::array messages;
  messages.reserve(parsed.get_array().size());
  for (const json::value& entry : parsed.get_array()) {
    const json::object* message = entry.if_object();
    const json::value* role = message ? message->if_contains("role") : nullptr;
    const json::value* content = message ? message->if_contains("content") : nullptr;
    if (!role || !role->is_string() || role->get_string().empty() || !content ||
        !content->is_string()) {
      error = "messages_json[" + std::to_string(messages.size()) +
              "] must be {\"role\": string, \"content\": string}";
      return false;
    }
    body.estimated_prompt_tokens +=
        estimate_tokens(content->get_string()) + kEstimatedTokensPerMessage;
    messages.push_back(json::object{{"role", *role}, {"content", *content}});
  }

  json::object request;
  request["model"] = config.model;
  request["messages"] = std::move(messages);
  request["stream"] = config.stream;
  if (config.stream) request["stream_options"] = json::object{{"include_usage", true}};
  if (const uint32_t limit = max_tokens ? max_tokens : config.max_tokens; limit != 0)
    request["max_tokens"] = limit;
  if (config.temperature) request["temperature"] = *config.temperature;
  body.json = json::serialize(request);
  return true;
}

}  // namespace switchboard::llm_openai
