#include "request_parsing.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>

#include "switchboard/sb_plugin_cpp.hpp"

namespace switchboard::sqlite {

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

bool integer(const json::value& v, int64_t& out) {
  if (v.is_int64()) {
    out = v.get_int64();
    return true;
  }
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    out = static_cast<int64_t>(v.get_uint64());
    return true;
  }
  return false;
}

bool optional_integer(const json::value& v, std::optional<int64_t>& out) {
  int64_t n = 0;
  if (!integer(v, n)) return false;
  out = n;
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
  if (!optional_string(o, "group", out.group))
    return "conversation_json: \"group\" must be a string";
  if (const json::value* created = o.if_contains("created_at"); created && !created->is_null()) {
    if (!optional_integer(*created, out.created_ms))
      return "conversation_json: \"created_at\" must be an integer (ms)";
  }
  if (const json::value* tags = o.if_contains("tags"); tags && !tags->is_null()) {
    if (!tags->is_array()) return "conversation_json: \"tags\" must be an array of strings";
    for (const json::value& tag : tags->get_array()) {
      if (!tag.is_string()) return "conversation_json: \"tags\" must be an array of strings";
      out.tags.emplace_back(tag.get_string());
    }
  }
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
    } else if (key == "visitor_id" || key == "assignee" || key == "id" || key == "group" ||
               key == "tag") {
      if (!value.is_string()) return "filter_json: \"" + std::string(key) + "\" must be a string";
      auto& field = key == "visitor_id" ? out.visitor_id
                    : key == "assignee" ? out.assignee
                    : key == "group"    ? out.group
                    : key == "tag"      ? out.tag
                                        : out.id;
      field = std::string(value.get_string());
    } else if (key == "created_since" || key == "created_until" || key == "updated_since") {
      auto& field = key == "created_since"   ? out.created_since
                    : key == "created_until" ? out.created_until
                                             : out.updated_since;
      if (!optional_integer(value, field))
        return "filter_json: \"" + std::string(key) + "\" must be an integer (ms)";
    } else if (key == "limit") {
      if (value.is_int64() && value.get_int64() >= 0)
        out.limit = value.get_int64();
      else if (value.is_uint64())
        out.limit = INT64_MAX;
      else
        return "filter_json: \"limit\" must be a non-negative integer";
    } else {
      return "filter_json: unknown key \"" + std::string(key) +
             "\" (known: status, visitor_id, assignee, id, group, tag, created_since, "
             "created_until, updated_since, limit)";
    }
  }
  return {};
}

std::string parse_search(std::string_view json_text, Search& out) {
  json::value doc;
  if (!parse_object(json_text, doc)) return "query_json must be a JSON object";
  for (const auto& [key, value] : doc.get_object()) {
    if (key == "q") {
      if (!value.is_string()) return "query_json: \"q\" must be a string";
      out.q = std::string(value.get_string());
    } else if (key == "limit") {
      int64_t n = 0;
      if (!integer(value, n) || n < 1 || n > 100)
        return "query_json: \"limit\" must be an integer from 1 to 100";
      out.limit = n;
    } else if (key == "cursor") {
      if (value.is_null()) continue;
      if (!value.is_string()) return "query_json: \"cursor\" must be a string";
      const std::string_view c = value.get_string();
      int64_t n = 0;
      if (c.empty() || c.size() > 18)
        return "query_json: \"cursor\" is not a cursor of this plugin";
      for (char ch : c) {
        if (ch < '0' || ch > '9') return "query_json: \"cursor\" is not a cursor of this plugin";
        n = n * 10 + (ch - '0');
      }
      out.before_rowid = n;
    } else if (key == "conversation_id" || key == "status" || key == "assignee") {
      if (!value.is_string()) return "query_json: \"" + std::string(key) + "\" must be a string";
      auto& field = key == "status"     ? out.status
                    : key == "assignee" ? out.assignee
                                        : out.conversation_id;
      field = std::string(value.get_string());
    } else if (key == "since" || key == "until") {
      if (!optional_integer(value, key == "since" ? out.since : out.until))
        return "query_json: \"" + std::string(key) + "\" must be an integer (ms)";
    } else if (key == "include_private") {
      if (!value.is_bool()) return "query_json: \"include_private\" must be true or false";
      out.include_private = value.get_bool();
    } else {
      return "query_json: unknown key \"" + std::string(key) +
             "\" (known: q, limit, cursor, conversation_id, status, assignee, since, until, "
             "include_private)";
    }
  }
  if (out.q.empty()) return "query_json: \"q\" must be a non-empty string";
  if (out.q.size() > 1000) return "query_json: \"q\" is longer than 1000 bytes";
  return {};
}

namespace {

constexpr size_t kMaxLogNameBytes = 64;
constexpr size_t kMaxLogKindBytes = 128;
constexpr size_t kMaxLogActorBytes = 256;
constexpr size_t kMaxLogDataBytes = 1 << 20;

std::string check_log_name(std::string_view log) {
  if (log.empty() || log.size() > kMaxLogNameBytes)
    return "log must be 1 to 64 bytes of a-z, 0-9, '_', '.' and '-'";
  for (char c : log)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return "log must be 1 to 64 bytes of a-z, 0-9, '_', '.' and '-'";
  return {};
}

// A decimal cursor or seq this plugin gave: 1..2^63-1.
bool positive_decimal(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out > 0;
}

}  // namespace

std::string parse_log_entry(std::string_view log, std::string_view kind, std::string_view actor,
                            std::string_view data_json, AppendLog& out) {
  if (auto why = check_log_name(log); !why.empty()) return why;
  if (kind.size() > kMaxLogKindBytes) return "kind is longer than 128 bytes";
  if (actor.size() > kMaxLogActorBytes) return "actor is longer than 256 bytes";
  if (data_json.size() > kMaxLogDataBytes) return "data_json is larger than 1 MiB";
  json::value ignored;
  if (!parse_object(data_json, ignored)) return "data_json must be a JSON object";
  out.log = log;
  out.kind = kind;
  out.actor = actor;
  out.data = data_json;
  return {};
}

std::string parse_log_query(std::string_view json_text, ListLog& out) {
  json::value doc;
  if (!parse_object(json_text, doc)) return "query_json must be a JSON object";
  bool named = false;
  for (const auto& [key, value] : doc.get_object()) {
    if (key == "log") {
      if (!value.is_string()) return "query_json: \"log\" must be a string";
      out.log = std::string(value.get_string());
      named = true;
    } else if (key == "limit") {
      int64_t n = 0;
      if (!integer(value, n) || n < 1 || n > 500)
        return "query_json: \"limit\" must be an integer from 1 to 500";
      out.limit = n;
    } else if (key == "cursor") {
      if (value.is_null()) continue;
      int64_t n = 0;
      if (!value.is_string() || !positive_decimal(value.get_string(), n))
        return "query_json: \"cursor\" is not a cursor of this plugin";
      out.before_seq = n;
    } else if (key == "kind" || key == "actor") {
      if (!value.is_string()) return "query_json: \"" + std::string(key) + "\" must be a string";
      (key == "kind" ? out.kind : out.actor) = std::string(value.get_string());
    } else if (key == "seq") {
      int64_t n = 0;
      if (!integer(value, n) || n < 1) return "query_json: \"seq\" must be an integer from 1";
      out.seq = n;
    } else {
      return "query_json: unknown key \"" + std::string(key) +
             "\" (known: log, limit, cursor, kind, actor, seq)";
    }
  }
  if (!named) return "query_json: \"log\" is required";
  if (auto why = check_log_name(out.log); !why.empty()) return "query_json: " + why;
  return {};
}

std::string parse_reads_query(std::string_view json_text, LoadReads& out) {
  json::value doc;
  if (!parse_object(json_text, doc)) return "query_json must be a JSON object";
  bool named = false;
  for (const auto& [key, value] : doc.get_object()) {
    if (key != "conversation_ids")
      return "query_json: unknown key \"" + std::string(key) + "\" (known: conversation_ids)";
    const std::string why = "query_json: \"conversation_ids\" must be an array of 1 to " +
                            std::to_string(kMaxReadsQueryIds) + " strings";
    if (!value.is_array() || value.get_array().empty() ||
        value.get_array().size() > kMaxReadsQueryIds)
      return why;
    for (const json::value& id : value.get_array()) {
      if (!id.is_string()) return why;
      out.conversation_ids.emplace_back(id.get_string());
    }
    named = true;
  }
  if (!named) return "query_json: \"conversation_ids\" is required";
  return {};
}

std::string check_kv_value(std::string_view json_text) {
  if (json_text.empty()) return {};
  boost::system::error_code ec;
  json::parse(json_text, ec);
  if (ec) return "value_json is not valid JSON: " + ec.message();
  return {};
}

std::string copy_message(const sb_message& msg, AppendMessage& out) {
  std::string_view attachments;
  if (msg.struct_size >= offsetof(sb_message, attachments_json) + sizeof(msg.attachments_json)) {
    attachments = sb::view(msg.attachments_json);
    if (auto why = check_attachments(attachments); !why.empty()) return why;
  }
  out.fields.assign({sb::view(msg.conversation_id), sb::view(msg.message_id),
                     sb::view(msg.sender_role), sb::view(msg.sender_id), sb::view(msg.sender_name),
                     sb::view(msg.client_msg_id), sb::view(msg.text), attachments});
  out.seq = static_cast<int64_t>(msg.seq);
  out.ts_ms = msg.ts_ms;
  out.flags = msg.flags;
  return {};
}

std::string check_attachments(std::string_view json_text) {
  if (json_text.empty()) return {};
  boost::system::error_code ec;
  const json::value value = json::parse(json_text, ec);
  if (ec || !value.is_array()) return "attachments_json must be empty or a JSON array";
  return {};
}

std::string check_blob_meta(std::string_view json_text) {
  json::value ignored;
  if (!parse_object(json_text, ignored)) return "meta_json must be a JSON object";
  return {};
}

}  // namespace switchboard::sqlite
