#include "request_parsing.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace sb_sqlite {

namespace json = boost::json;

namespace {

bool parse_object(std::string_view text, json::value& out) {
  boost::system::error_code ec;
  out = json::parse(text, ec);
  return !ec && out.is_object();
}

// A string field, or null/absent (nullopt). False when it has another type.
bool optional_string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = std::string(v->get_string());
  return true;
}

}  // namespace

std::string parse_conversation(std::string_view json_text, int64_t now_ms, PutConversation& out) {
  json::value doc;
  if (!parse_object(json_text, doc)) return "conversation_json must be a JSON object";
  const json::object& o = doc.get_object();
  const json::value* id = o.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty())
    return "conversation_json needs a non-empty string \"id\"";
  const json::value* status = o.if_contains("status");
  if (!status || !status->is_string()) return "conversation_json needs a string \"status\"";
  out.id = std::string(id->get_string());
  out.status = std::string(status->get_string());
  if (!optional_string(o, "visitor_id", out.visitor_id))
    return "conversation_json: \"visitor_id\" must be a string";
  if (!optional_string(o, "assignee", out.assignee))
    return "conversation_json: \"assignee\" must be a string";
  out.updated_ms = now_ms;
  if (const json::value* updated = o.if_contains("updated_at")) {
    if (updated->is_int64())
      out.updated_ms = updated->get_int64();
    else if (updated->is_uint64())
      out.updated_ms = static_cast<int64_t>(updated->get_uint64());
  }
  out.doc = std::string(json_text);
  return {};
}

std::string parse_filter(std::string_view json_text, ListConversations& out) {
  if (json_text.empty()) return {};
  json::value doc;
  if (!parse_object(json_text, doc)) return "filter_json must be a JSON object";
  for (const auto& [key, value] : doc.get_object()) {
    if (key == "status") {
      std::vector<std::string> statuses;
      if (value.is_string()) {
        statuses.emplace_back(value.get_string());
      } else if (value.is_array()) {
        for (const json::value& s : value.get_array()) {
          if (!s.is_string()) return "filter_json: \"status\" must be an array of strings";
          statuses.emplace_back(s.get_string());
        }
      } else {
        return "filter_json: \"status\" must be an array of strings";
      }
      out.statuses = std::move(statuses);
    } else if (key == "visitor_id" || key == "assignee" || key == "id") {
      if (!value.is_string()) return "filter_json: \"" + std::string(key) + "\" must be a string";
      auto& field = key == "visitor_id" ? out.visitor_id
                    : key == "assignee" ? out.assignee
                                        : out.id;
      field = std::string(value.get_string());
    } else if (key == "limit") {
      if (value.is_int64() && value.get_int64() >= 0)
        out.limit = value.get_int64();
      else if (value.is_uint64())
        out.limit = INT64_MAX;
      else
        return "filter_json: \"limit\" must be a non-negative integer";
    } else {
      return "filter_json: unknown key \"" + std::string(key) +
             "\" (known: status, visitor_id, assignee, id, limit)";
    }
  }
  return {};
}

std::string check_kv_value(std::string_view json_text) {
  if (json_text.empty()) return {};
  boost::system::error_code ec;
  json::parse(json_text, ec);
  if (ec) return "value_json is not valid JSON: " + ec.message();
  return {};
}

}  // namespace sb_sqlite
