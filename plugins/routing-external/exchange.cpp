#include "exchange.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "switchboard/sb_plugin_cpp.hpp"

namespace switchboard::routing_external {

namespace json = boost::json;

namespace {

std::string_view as_view(sb_str s) {
  return sb::view(s);
}

json::value text_or_null(std::string_view text) {
  if (text.empty()) return nullptr;
  return json::string(text);
}

// The JSON the host gave, or empty_value when it is absent or malformed (a host bug
// must not keep the endpoint from deciding).
json::value parsed_or(std::string_view text, json::value empty_value) {
  if (text.empty()) return empty_value;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || parsed.kind() != empty_value.kind()) return empty_value;
  return parsed;
}

// A body fit for a log line: short, one line.
std::string excerpt(std::string_view body) {
  constexpr size_t kMax = 200;
  std::string out(body.substr(0, kMax));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (body.size() > kMax) out += "...";
  return out;
}

}  // namespace

std::string request_body(std::string_view tenant_id, const sb_route_request& req, int64_t now_ms) {
  json::value attributes = parsed_or(as_view(req.attributes_json), json::object());
  const json::object& visitor = attributes.get_object();
  auto meta = [&](std::string_view key) -> json::value {
    const json::value* v = visitor.if_contains(key);
    return v && v->is_string() ? *v : json::value(nullptr);
  };

  json::array candidates;
  for (size_t i = 0; i < req.candidate_count; ++i) {
    const sb_agent_candidate& c = *req.candidates[i];
    json::value idle_ms = nullptr;
    if (c.last_assigned_ms > 0) idle_ms = std::max<int64_t>(0, now_ms - c.last_assigned_ms);
    candidates.push_back(json::object{
        {"id", as_view(c.agent_id)},
        {"name", as_view(c.name)},
        {"status", "online"},  // the host offers no one else
        {"open_conversations", c.open_conversations},
        {"max_concurrent", c.max_concurrent},
        {"idle_ms", idle_ms},
        {"groups", parsed_or(as_view(c.groups_json), json::array())},
        {"skills", parsed_or(as_view(c.skills_json), json::object())},
    });
  }
  json::object body{
      {"tenant", tenant_id},
      {"conversation_id", as_view(req.conversation_id)},
      {"visitor_id", as_view(req.visitor_id)},
      {"group", text_or_null(as_view(req.group))},
      {"page", meta("page")},
      {"language", meta("lang")},
      {"attributes", std::move(attributes)},
      {"candidates", std::move(candidates)},
  };
  return json::serialize(body);
}

std::vector<std::string> candidate_ids(const sb_route_request& req) {
  std::vector<std::string> ids;
  ids.reserve(req.candidate_count);
  for (size_t i = 0; i < req.candidate_count; ++i)
    ids.emplace_back(as_view(req.candidates[i]->agent_id));
  return ids;
}

Verdict read_answer(int32_t status, std::string_view body, std::string_view error,
                    const std::vector<std::string>& candidates, uint32_t timeout_ms) {
  Verdict verdict;
  if (status == 0) {
    verdict.reason = error == "timeout"
                         ? "no answer within " + std::to_string(timeout_ms) + " ms (timeout)"
                         : "the request failed: " + std::string(error.empty() ? "unknown" : error);
    return verdict;
  }
  if (status < 200 || status > 299) {
    verdict.reason = "the endpoint answered HTTP " + std::to_string(status) + ": " + excerpt(body);
    return verdict;
  }
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* answer = ec ? nullptr : parsed.if_object();
  if (!answer) {
    verdict.reason =
        "malformed answer (a JSON object {\"agent_id\": ...} expected): " + excerpt(body);
    return verdict;
  }
  const json::value* agent = answer->if_contains("agent_id");
  if (!agent || agent->is_null()) {
    verdict.declined = true;
    verdict.reason = "the endpoint named no agent";
    return verdict;
  }
  const json::string* agent_id = agent->if_string();
  if (!agent_id) {
    verdict.reason = "malformed answer: agent_id must be a string, got " + json::serialize(*agent);
    return verdict;
  }
  const std::string chosen(agent_id->data(), agent_id->size());
  if (std::find(candidates.begin(), candidates.end(), chosen) == candidates.end()) {
    verdict.reason = "the endpoint named agent \"" + excerpt(chosen) +
                     "\", who cannot take the conversation now (unknown, offline, away, full or "
                     "outside the group)";
    return verdict;
  }
  verdict.agent_id = chosen;
  return verdict;
}

}  // namespace switchboard::routing_external
