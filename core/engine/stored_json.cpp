#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}
}  // namespace

std::optional<std::vector<StoredMessage>> parse_stored_messages(
    const std::string& body, const std::string& conversation_id) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return std::nullopt;
  const auto* list = root.get_object().if_contains("messages");
  if (!list || !list->is_array()) return std::nullopt;

  std::vector<StoredMessage> out;
  out.reserve(list->get_array().size());
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) return std::nullopt;
    const auto& o = item.get_object();
    StoredMessage m;
    m.conversation_id = conversation_id;
    m.message_id = string_field(o, "id");
    m.seq = static_cast<uint64_t>(int_field(o, "seq"));
    if (const auto* from = o.if_contains("from"); from && from->is_object()) {
      m.sender_role = string_field(from->get_object(), "role");
      m.sender_id = string_field(from->get_object(), "id");
      m.sender_name = string_field(from->get_object(), "name");
    }
    m.client_msg_id = string_field(o, "client_msg_id");
    m.text = string_field(o, "text");
    m.ts_ms = int_field(o, "ts");
    m.flags = static_cast<uint32_t>(int_field(o, "flags"));
    if (const auto* files = o.if_contains("attachments"); files && files->is_array())
      m.attachments_json = json::serialize(*files);
    out.push_back(std::move(m));
  }
  return out;
}

std::string http_error_body(std::string_view code, std::string_view message) {
  return json::serialize(
      json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

std::vector<std::string> strings_of(const json::object& record, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* list = record.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

std::vector<std::string> tags_of(const json::object& record) {
  return strings_of(record, "tags");
}

bool is_empty(const VisitorMeta& meta) {
  return meta.page.empty() && meta.language.empty() && meta.attributes_json == "{}" &&
         meta.email.empty();
}

json::object meta_record(const VisitorMeta& meta) {
  boost::system::error_code ec;
  json::value attributes = json::parse(meta.attributes_json, ec);
  json::object record{{"page", meta.page},
                      {"lang", meta.language},
                      {"attributes", !ec && attributes.is_object() ? attributes : json::object{}}};
  if (!meta.email.empty()) record["email"] = meta.email;
  return record;
}

VisitorMeta parse_meta_record(const json::value& record) {
  VisitorMeta meta;
  if (!record.is_object()) return meta;
  const auto& o = record.get_object();
  meta.page = string_field(o, "page");
  meta.language = string_field(o, "lang");
  if (const auto* a = o.if_contains("attributes"); a && a->is_object())
    meta.attributes_json = json::serialize(*a);
  meta.email = string_field(o, "email");
  return meta;
}

std::optional<Csat> parse_csat_record(const json::object& record) {
  const auto* v = record.if_contains("csat");
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  Csat csat;
  csat.score = static_cast<int>(int_field(o, "score"));
  if (csat.score < 1 || csat.score > 5) return std::nullopt;
  csat.comment = string_field(o, "comment");
  csat.ts_ms = int_field(o, "ts");
  return csat;
}

void put_milestones(json::object& record, const Conversation& c) {
  const Milestones& m = c.milestones;
  if (m.queued_ms) record["queued_at"] = m.queued_ms;
  if (m.assigned_ms) record["assigned_at"] = m.assigned_ms;
  if (m.first_response_ms) record["first_response_at"] = m.first_response_ms;
  // How the bot's part ended: still talking ("bot"), handed to a human, or the
  // conversation closed while the bot had it ("resolved").
  if (m.bot_took)
    record["bot_outcome"] = c.bot.handed_off                         ? "handed_off"
                            : c.status == ConversationStatus::closed ? "resolved"
                                                                     : "bot";
}

Milestones parse_milestones(const json::object& record) {
  Milestones m;
  m.queued_ms = int_field(record, "queued_at");
  m.assigned_ms = int_field(record, "assigned_at");
  m.first_response_ms = int_field(record, "first_response_at");
  m.bot_took = !string_field(record, "bot_outcome").empty();
  return m;
}

}  // namespace sb::engine
