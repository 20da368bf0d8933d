#include "unanswered/question_log.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

namespace sb::unanswered {

namespace json = boost::json;

namespace {

constexpr std::size_t kConversationsKept = 5;

// Closing punctuation a visitor may or may not type: ASCII and the full-width forms
// (？！。～，), the ellipsis.
constexpr std::string_view kClosingMarks[] = {"?",
                                              "!",
                                              ".",
                                              "~",
                                              ",",
                                              "\xEF\xBC\x9F",
                                              "\xEF\xBC\x81",
                                              "\xE3\x80\x82",
                                              "\xEF\xBD\x9E",
                                              "\xEF\xBC\x8C",
                                              "\xE2\x80\xA6"};

bool strip_closing_mark(std::string& text) {
  for (std::string_view mark : kClosingMarks)
    if (text.size() >= mark.size() && text.ends_with(mark)) {
      text.resize(text.size() - mark.size());
      return true;
    }
  return false;
}

std::string text_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t int_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  boost::system::error_code ec;
  const auto n = v ? v->to_number<int64_t>(ec) : 0;
  return v && !ec ? n : 0;
}

}  // namespace

std::string question_key(std::string_view text) {
  std::string out;
  bool space = false;
  for (unsigned char ch : text) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  while (strip_closing_mark(out))
    while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string item_id(std::string_view question) {
  const std::string key = question_key(question);
  unsigned char hash[8];
  // Idempotent and thread-safe; the hash itself needs no randomness.
  [[maybe_unused]] const int initialised = sodium_init();
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

records::LogEntry asked_entry(const Occurrence& o, int64_t ts_ms) {
  const std::string id = item_id(o.question);
  json::object data{{"item", id},
                    {"question", o.question},
                    {"language", o.language},
                    {"conversation_id", o.conversation_id},
                    {"reason", o.reason},
                    {"source", o.source}};
  if (o.score >= 0) data["score"] = o.score;
  boost::system::error_code ec;
  json::value candidates =
      o.candidates_json.empty() ? json::array{} : json::parse(o.candidates_json, ec);
  data["candidates"] = !ec && candidates.is_array() ? std::move(candidates) : json::array{};
  return {kLog, kAskedKind, id, json::serialize(data), ts_ms};
}

records::LogEntry resolved_entry(const Resolution& r, int64_t ts_ms) {
  json::object data{{"item", r.item},
                    {"status", r.status},
                    {"entry_id", r.entry_id},
                    {"file", r.file},
                    {"by", json::object{{"id", r.by_id}, {"name", r.by_name}}}};
  return {kLog, kResolvedKind, r.item, json::serialize(data), ts_ms};
}

std::vector<Item> fold(const json::array& asked, const json::array& resolved) {
  std::map<std::string, Item> items;
  // Newest first: the first entry seen of an item gives its text and newest time.
  for (const auto& entry : asked) {
    const auto* e = entry.if_object();
    const auto* data = e ? e->if_contains("data") : nullptr;
    if (!data || !data->is_object()) continue;
    const auto& d = data->get_object();
    const std::string question = text_of(d, "question");
    if (question.empty()) continue;
    const std::string id = item_id(question);
    const int64_t at = int_of(*e, "ts");
    const std::string reason = text_of(d, "reason");
    auto [it, first] = items.try_emplace(id);
    Item& item = it->second;
    if (first) {
      item = Item{{"id", id},
                  {"question", question},
                  {"language", text_of(d, "language")},
                  {"count", 0},
                  {"reasons", json::object{}},
                  {"reason", reason},
                  {"first_at", at},
                  {"last_at", at},
                  {"conversations", json::array{}},
                  {"candidates", json::array{}},
                  {"status", "open"},
                  {"resolution", nullptr}};
    }
    item["count"] = item["count"].as_int64() + 1;
    // Shown as first asked (the entries go back in time).
    item["question"] = question;
    item["first_at"] = at;
    auto& reasons = item["reasons"].as_object();
    reasons[reason] = (reasons.contains(reason) ? reasons[reason].as_int64() : 0) + 1;
    if (item["language"].as_string().empty()) item["language"] = text_of(d, "language");
    auto& conversations = item["conversations"].as_array();
    const std::string conversation = text_of(d, "conversation_id");
    if (!conversation.empty() && conversations.size() < kConversationsKept &&
        std::find(conversations.begin(), conversations.end(), json::value(conversation)) ==
            conversations.end())
      conversations.push_back(json::value(conversation));
    const auto* candidates = d.if_contains("candidates");
    if (item["candidates"].as_array().empty() && candidates && candidates->is_array())
      item["candidates"] = *candidates;
  }
  // Newest first too: an item's first resolution seen is its latest.
  for (const auto& entry : resolved) {
    const auto* e = entry.if_object();
    const auto* data = e ? e->if_contains("data") : nullptr;
    if (!data || !data->is_object()) continue;
    const auto& d = data->get_object();
    auto it = items.find(text_of(d, "item"));
    if (it == items.end() || !it->second["resolution"].is_null()) continue;
    Item& item = it->second;
    const std::string status = text_of(d, "status");
    const int64_t at = int_of(*e, "ts");
    json::object resolution{{"status", status},
                            {"entry_id", text_of(d, "entry_id")},
                            {"file", text_of(d, "file")},
                            {"at", at},
                            {"by", d.contains("by") ? d.at("by") : json::value(nullptr)}};
    item["resolution"] = std::move(resolution);
    const bool asked_again = item["last_at"].as_int64() > at;
    // Reopened is open, with the dismissal undone shown as its resolution.
    item["status"] = status == "reopened"                    ? "open"
                     : status == "dismissed" || !asked_again ? status
                                                             : "open";
  }
  std::vector<Item> out;
  out.reserve(items.size());
  for (auto& [id, item] : items) out.push_back(std::move(item));
  std::stable_sort(out.begin(), out.end(), [](const Item& a, const Item& b) {
    return a.at("last_at").as_int64() > b.at("last_at").as_int64();
  });
  return out;
}

}  // namespace sb::unanswered
