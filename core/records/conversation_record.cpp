#include "records/conversation_record.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

namespace sb::records {

namespace json = boost::json;

namespace {

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

bool flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::vector<std::string> strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* list = o.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

std::optional<json::object> object(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return std::nullopt;
  return v->get_object();
}

json::object who(std::string_view id, std::string_view name) {
  return json::object{{"id", id}, {"name", name}};
}

}  // namespace

json::object transfer_json(const StoredTransfer& t) {
  json::object o{{"from", who(t.from_id, t.from_name)}, {"at", t.at_ms}};
  if (!t.by_id.empty()) o["by"] = who(t.by_id, t.by_name);
  if (!t.note.empty()) o["note"] = t.note;
  return o;
}

std::optional<StoredTransfer> transfer_from_json(const json::object& o) {
  const auto from = object(o, "from");
  if (!from || text(*from, "id").empty()) return std::nullopt;
  StoredTransfer t{text(*from, "id"), text(*from, "name"), {}, {},
                   number(o, "at"),   text(o, "note")};
  if (const auto by = object(o, "by")) {
    t.by_id = text(*by, "id");
    t.by_name = text(*by, "name");
  }
  return t;
}

json::object to_json(const ConversationRecord& r) {
  json::object doc{{"id", r.id},
                   {"status", r.status},
                   {"visitor_id", r.visitor_id},
                   {"visitor_name", r.visitor_name},
                   {"assignee", r.assignee},
                   {"group", r.group},
                   {"chain", r.chain},
                   {"rules", json::value_from(r.rules)},
                   {"created_at", r.created_ms},
                   {"queue_order", r.queue_order},
                   {"queue_limit_reached", r.queue_limit_reached},
                   {"over_queue_limit", r.over_queue_limit},
                   {"queue_limit_seq", r.queue_limit_seq},
                   {"close_after_seq", r.close_after_seq},
                   {"tags", json::value_from(r.tags)},
                   {"last_agent", r.last_agent},
                   {"updated_at", r.updated_ms}};
  if (r.bot) doc["bot"] = *r.bot;
  if (r.closed_ms) doc["closed_at"] = r.closed_ms;
  if (r.abandoned_ms) doc["abandoned_at"] = r.abandoned_ms;
  if (r.csat)
    doc["csat"] =
        json::object{{"score", r.csat->score}, {"comment", r.csat->comment}, {"ts", r.csat->ts_ms}};
  if (r.transfer) doc["transfer"] = transfer_json(*r.transfer);
  if (r.queued_ms) doc["queued_at"] = r.queued_ms;
  if (r.assigned_ms) doc["assigned_at"] = r.assigned_ms;
  if (r.first_response_ms) doc["first_response_at"] = r.first_response_ms;
  if (!r.bot_outcome.empty()) doc["bot_outcome"] = r.bot_outcome;
  if (!r.first_message.empty()) doc["first_message"] = r.first_message;
  if (r.undecided) doc["undecided"] = true;
  if (r.visitor_meta) doc["visitor_meta"] = *r.visitor_meta;
  if (r.erased_ms) doc["erased_at"] = r.erased_ms;
  return doc;
}

std::optional<ConversationRecord> from_json(const json::object& o) {
  ConversationRecord r;
  r.id = text(o, "id");
  if (r.id.empty()) return std::nullopt;
  r.status = text(o, "status");
  r.visitor_id = text(o, "visitor_id");
  r.visitor_name = text(o, "visitor_name");
  r.assignee = text(o, "assignee");
  r.group = text(o, "group");
  r.chain = text(o, "chain");
  r.rules = strings(o, "rules");
  r.tags = strings(o, "tags");
  r.last_agent = text(o, "last_agent");
  r.created_ms = number(o, "created_at");
  r.updated_ms = number(o, "updated_at");
  r.closed_ms = number(o, "closed_at");
  r.abandoned_ms = number(o, "abandoned_at");
  r.queue_order = number(o, "queue_order");
  r.queue_limit_reached = flag(o, "queue_limit_reached");
  r.over_queue_limit = flag(o, "over_queue_limit");
  r.queue_limit_seq = static_cast<uint64_t>(number(o, "queue_limit_seq"));
  r.close_after_seq = static_cast<uint64_t>(number(o, "close_after_seq"));
  r.queued_ms = number(o, "queued_at");
  r.assigned_ms = number(o, "assigned_at");
  r.first_response_ms = number(o, "first_response_at");
  r.bot_outcome = text(o, "bot_outcome");
  if (const auto csat = object(o, "csat")) {
    StoredCsat c{static_cast<int>(number(*csat, "score")), text(*csat, "comment"),
                 number(*csat, "ts")};
    if (c.score >= 1 && c.score <= 5) r.csat = std::move(c);
  }
  if (const auto transfer = object(o, "transfer")) r.transfer = transfer_from_json(*transfer);
  r.first_message = text(o, "first_message");
  r.undecided = flag(o, "undecided");
  r.bot = object(o, "bot");
  r.visitor_meta = object(o, "visitor_meta");
  r.erased_ms = number(o, "erased_at");
  r.last_seq = static_cast<uint64_t>(number(o, "last_seq"));
  return r;
}

std::optional<std::vector<ConversationRecord>> parse_conversation_list(std::string_view body) {
  boost::system::error_code ec;
  const json::value root = json::parse(body, ec);
  const json::value* list =
      !ec && root.is_object() ? root.get_object().if_contains("conversations") : nullptr;
  if (!list || !list->is_array()) return std::nullopt;
  std::vector<ConversationRecord> out;
  out.reserve(list->get_array().size());
  for (const auto& item : list->get_array())
    if (const json::object* o = item.if_object())
      if (auto record = from_json(*o)) out.push_back(std::move(*record));
  return out;
}

}  // namespace sb::records
