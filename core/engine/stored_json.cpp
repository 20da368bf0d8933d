#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal.hpp"
#include "records/conversation_record.hpp"

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

std::optional<Csat> csat_of(const records::ConversationRecord& record) {
  if (!record.csat) return std::nullopt;
  return Csat{record.csat->score, record.csat->comment, record.csat->ts_ms};
}

Milestones milestones_of(const records::ConversationRecord& record) {
  return Milestones{record.queued_ms, record.assigned_ms, record.first_response_ms,
                    !record.bot_outcome.empty()};
}

records::ConversationRecord record_of(const Conversation& c, const VisitorMeta* meta,
                                      int64_t updated_ms) {
  records::ConversationRecord r;
  r.id = c.id;
  r.status = to_string(c.status);
  r.visitor_id = c.visitor_id;
  r.visitor_name = c.visitor_name;
  r.assignee = c.assignee;
  r.group = c.group;
  r.chain = c.chain;
  r.rules = c.rules;
  r.tags = c.tags;
  r.last_agent = c.last_agent;
  r.created_ms = c.created_ms;
  r.updated_ms = updated_ms;
  if (c.status == ConversationStatus::closed) r.closed_ms = c.closed_ms;
  r.abandoned_ms = c.abandoned_ms;
  r.queue_order = c.queue_order;
  r.queue_limit_reached = c.queue_limit_reached;
  r.over_queue_limit = c.over_queue_limit;
  r.queue_limit_seq = c.queue_limit_seq;
  r.close_after_seq = c.close_after_seq;
  const Milestones& m = c.milestones;
  r.queued_ms = m.queued_ms;
  r.assigned_ms = m.assigned_ms;
  r.first_response_ms = m.first_response_ms;
  // How the bot's part ended: still talking ("bot"), handed to a human, or the
  // conversation closed while the bot had it ("resolved").
  if (m.bot_took)
    r.bot_outcome = c.bot.handed_off                         ? "handed_off"
                    : c.status == ConversationStatus::closed ? "resolved"
                                                             : "bot";
  if (c.csat) r.csat = records::StoredCsat{c.csat->score, c.csat->comment, c.csat->ts_ms};
  r.transfer = c.transferred;
  // What the routing graph reads, for after a restart: a conversation not decided
  // yet is decided then, and a queued one is decided again by the same words.
  r.first_message = c.first_message;
  r.undecided = c.route_when_stored && c.reopen_agent.empty();
  if (c.status == ConversationStatus::bot || c.bot.handed_off) r.bot = bot_record(c.bot);
  // What the routing graph and strategies know of the visitor, for after a restart
  // (a queued conversation is routed, or decided again, before they say hello).
  if (meta && !is_empty(*meta)) r.visitor_meta = meta_record(*meta);
  return r;
}

Conversation conversation_of(const records::ConversationRecord& r) {
  Conversation c;
  c.id = r.id;
  c.status = r.status == "assigned" ? ConversationStatus::assigned
             : r.status == "bot"    ? ConversationStatus::bot
                                    : ConversationStatus::queued;
  if (r.bot) c.bot = parse_bot_record(*r.bot);
  c.visitor_id = r.visitor_id;
  c.visitor_name = r.visitor_name;
  c.assignee = r.assignee;
  c.group = r.group;
  c.chain = r.chain;
  c.created_ms = r.created_ms;
  c.queue_order = r.queue_order;
  c.tags = r.tags;
  c.rules = r.rules;
  c.first_message = r.first_message;
  c.route_when_stored = r.undecided && c.status == ConversationStatus::queued;
  c.queue_limit_reached = r.queue_limit_reached;
  c.over_queue_limit = r.over_queue_limit;
  c.queue_limit_seq = r.queue_limit_seq;
  c.close_after_seq = r.close_after_seq;
  c.last_agent = r.last_agent;
  c.csat = csat_of(r);
  c.transferred = r.transfer;
  c.milestones = milestones_of(r);
  c.next_seq = r.last_seq + 1;
  c.delivered_seq = r.last_seq;
  return c;
}

}  // namespace sb::engine
