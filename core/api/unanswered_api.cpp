// The bot's unanswered questions over REST, for admins (the admin pages' Unanswered):
//
//   GET  /v1/tenants/ID/bot/unanswered?status=&reason=&limit=&cursor=
//        -> {"items":[item...],"total","next_cursor"?}, the most recently asked first;
//        status open | attached | new_entry | dismissed, reason handed_off |
//        low_confidence | not_helpful, limit 1..200 (default 50)
//   POST /v1/tenants/ID/bot/unanswered/ITEM/attach   {"entry_id"}
//        the question becomes one more question of that knowledge-base entry
//   POST /v1/tenants/ID/bot/unanswered/ITEM/create   {"answer", "id"?, "question"?,
//        "questions"?, "tags"?, "file"?} a new entry answering it; answer is a text or
//        {"en": ..., "zh": ...}; id defaults to "q-ITEM", question to the visitor's,
//        file to the first of the tenant's knowledge-base files
//   POST /v1/tenants/ID/bot/unanswered/ITEM/dismiss  not a question for the bot:
//        it joins not_for_bot of the first knowledge-base file, and the FAQ stage
//        leaves messages more like it than like its entries alone (faq_stage.hpp)
//   POST /v1/tenants/ID/bot/unanswered/ITEM/reopen   undoes a dismissal: out of
//        not_for_bot again, the item open
//        -> 200 the item as it now is; an item not open (reopen: not dismissed)
//        -> 409 conflict
//   Each item has a "version" (an ETag of its status and newest decision). An action
//   with If-Match acts only on that version: else 412 question_changed with the item
//   as it is now ("current"), as when another admin attached, made an entry of or
//   dismissed it since the page listed it, so a stale decision is never taken twice
//   or over another's. attach to an entry no longer in the knowledge base (another
//   admin removed or renamed it since the page loaded) -> 422 entry_gone (field
//   entry_id).
//
// The item format and how the list is kept: unanswered/question_log.hpp. attach and
// create write the knowledge base through the same path as PUT /kb (the plugin
// checks the new text; comments and layout are kept, see kb_text.hpp) and answer
// once the tenant has reloaded, so the next visitor asking gets the answer. Each
// action is recorded in the audit log ("unanswered.attached", "unanswered.created",
// "unanswered.dismissed", "unanswered.reopened"; object "question" {text}, detail
// question.attached/.new_entry {entry, file}, question.dismissed/.reopened {file?}).
// A dismissal teaches the bot what
// not to answer through the same path as attach, so it is versioned with the
// knowledge base, survives a restart and takes effect at the reload.
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "api/bot_file_problem.hpp"
#include "api/etag.hpp"
#include "api/kb_text.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/store_wait.hpp"
#include "common/clock.hpp"
#include "unanswered/question_log.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr uint64_t kDefaultLimit = 50;
constexpr uint64_t kMaxLimit = 200;
// The newest occurrences (and resolutions) the list is folded from, in pages of
// the storage's largest.
constexpr int kMaxPages = 20;
constexpr int kPageEntries = 500;
constexpr std::size_t kMaxQuestionBytes = 1000;
constexpr std::size_t kMaxAnswerBytes = 10000;
// Every entry of one kind, newest first (up to kMaxPages pages); an error response
// when the storage cannot say.
std::optional<HttpResponse> read_kind(engine::Store& store, const char* kind, json::array& out) {
  std::string cursor;
  for (int page = 0; page < kMaxPages; ++page) {
    json::object query{{"log", unanswered::kLog}, {"kind", kind}, {"limit", kPageEntries}};
    if (!cursor.empty()) query["cursor"] = cursor;
    const auto r = wait_for_store(
        [&](engine::StoreCallback done) { store.log_list(json::serialize(query), done); });
    if (r.status == engine::kStoreNotSupported)
      return error_response(501, "not_supported",
                            "this tenant's storage plugin keeps no logs (it lacks the ABI 1.4 log "
                            "functions), so the bot's unanswered questions are not kept");
    boost::system::error_code ec;
    json::value body = r.ok() ? json::parse(r.body, ec) : json::value();
    auto* entries = !ec && body.is_object() ? body.get_object().if_contains("entries") : nullptr;
    if (!entries || !entries->is_array())
      return error_response(503, "unavailable",
                            "the unanswered questions cannot be read: " +
                                (r.ok() ? std::string("unexpected answer") : r.error));
    for (auto& entry : entries->get_array()) out.push_back(std::move(entry));
    const auto* next = body.get_object().if_contains("next_cursor");
    if (!next || !next->is_string()) break;
    cursor = std::string(next->get_string());
  }
  return std::nullopt;
}

std::optional<HttpResponse> read_items(engine::Store& store, std::vector<unanswered::Item>& out) {
  json::array asked, resolved;
  if (auto error = read_kind(store, unanswered::kAskedKind, asked)) return error;
  if (auto error = read_kind(store, unanswered::kResolvedKind, resolved)) return error;
  out = unanswered::fold(asked, resolved);
  return std::nullopt;
}

// The item's version: its status and newest decision (a new decision, or a question
// asked again after one, gives another).
std::string question_version(const unanswered::Item& item) {
  const json::object key{
      {"status", item.at("status")},
      {"resolution", item.contains("resolution") ? item.at("resolution") : nullptr}};
  return etag_of(json::serialize(key));
}

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), value) != known.end();
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// A knowledge-base id or a language key as written in the file: a TOML bare key.
bool is_bare_key(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::optional<std::string> string_field(const json::object& body, const char* key, std::size_t max,
                                        HttpResponse& refusal, bool required = false) {
  const auto* v = body.if_contains(key);
  if (!v) {
    if (required)
      refusal = error_response(422, "bad_field", std::string(key) + " is required", key);
    return std::nullopt;
  }
  if (!v->is_string() || v->get_string().empty() || v->get_string().size() > max) {
    refusal = error_response(
        422, "bad_field",
        std::string(key) + " must be a text of 1 to " + std::to_string(max) + " bytes", key);
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::vector<std::string>> strings_field(const json::object& body, const char* key,
                                                      HttpResponse& refusal) {
  std::vector<std::string> out;
  const auto* v = body.if_contains(key);
  if (!v) return out;
  const auto* list = v->if_array();
  bool ok = list != nullptr;
  if (list)
    for (const auto& item : *list) {
      ok = ok && item.is_string() && !item.get_string().empty() &&
           item.get_string().size() <= kMaxQuestionBytes;
      if (ok) out.emplace_back(item.get_string());
    }
  if (!ok) {
    refusal = error_response(422, "bad_field", std::string(key) + " must be a list of texts", key);
    return std::nullopt;
  }
  return out;
}

}  // namespace

void RestApi::unanswered(const TenantView& tenant, std::string_view item_id,
                         std::string_view action, const HttpRequest& request,
                         std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (item_id.empty()) {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET"));
    return list_unanswered(tenant, request, std::move(respond));
  }
  if (request.method != "POST")
    return respond(error_response(405, "method_not_allowed", "use POST"));
  if (!is_one_of(action, {"attach", "create", "dismiss", "reopen"}))
    return respond(
        error_response(404, "not_found", "no such endpoint (attach, create, dismiss, reopen)"));
  json::object body;
  if (!request.body.empty() || (action != "dismiss" && action != "reopen")) {
    boost::system::error_code ec;
    json::value parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object())
      return respond(error_response(400, "bad_json", "the body must be a JSON object"));
    body = std::move(parsed.get_object());
  }
  boost::asio::post(
      blocking_pool_, [this, tenant, item = std::string(item_id), action = std::string(action),
                       body = std::move(body), actor = actor_of(tenant, *claims),
                       if_match = request.if_match, respond = std::move(respond)]() mutable {
        resolve_unanswered(tenant, item, action, body, actor, if_match, std::move(respond));
      });
}

void RestApi::list_unanswered(const TenantView& tenant, const HttpRequest& request,
                              std::function<void(HttpResponse)> respond) {
  std::string status, reason;
  uint64_t limit = kDefaultLimit, offset = 0;
  for (const auto& [key, value] : request.query) {
    if (key == "status") {
      if (!is_one_of(value, {"open", "attached", "new_entry", "dismissed"}))
        return respond(error_response(
            422, "bad_field", "status must be open, attached, new_entry or dismissed", key));
      status = value;
    } else if (key == "reason") {
      if (!is_one_of(value, {"handed_off", "low_confidence", "not_helpful"}))
        return respond(error_response(
            422, "bad_field", "reason must be handed_off, low_confidence or not_helpful", key));
      reason = value;
    } else if (key == "limit" || key == "cursor") {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      const bool number = !value.empty() && ec == std::errc() && end == value.data() + value.size();
      if (key == "limit" && (!number || n < 1 || n > kMaxLimit))
        return respond(error_response(422, "bad_field", "limit must be between 1 and 200", key));
      if (key == "cursor" && !number)
        return respond(error_response(422, "bad_field", "cursor is not a next_cursor", key));
      (key == "limit" ? limit : offset) = n;
    } else {
      return respond(error_response(
          422, "bad_field", "unknown parameter (known: status, reason, limit, cursor)", key));
    }
  }
  boost::asio::post(blocking_pool_, [store = tenant.store, status, reason, limit, offset,
                                     respond = std::move(respond)] {
    std::vector<unanswered::Item> items;
    if (auto error = read_items(*store, items)) return respond(std::move(*error));
    std::erase_if(items, [&](const unanswered::Item& item) {
      return (!status.empty() && item.at("status").as_string() != status) ||
             (!reason.empty() && !item.at("reasons").as_object().contains(reason));
    });
    json::array page;
    for (uint64_t i = offset; i < items.size() && page.size() < limit; ++i) {
      items[i]["version"] = question_version(items[i]);
      page.push_back(std::move(items[i]));
    }
    json::object answer{{"items", std::move(page)}, {"total", items.size()}};
    if (offset + limit < items.size()) answer["next_cursor"] = std::to_string(offset + limit);
    respond(json_response(200, answer));
  });
}

void RestApi::resolve_unanswered(const TenantView& tenant, const std::string& item_id,
                                 const std::string& action, const json::object& body,
                                 const audit::Actor& actor, const std::string& if_match,
                                 std::function<void(HttpResponse)> respond) {
  std::vector<unanswered::Item> items;
  if (auto error = read_items(*tenant.store, items)) return respond(std::move(*error));
  auto found = std::find_if(items.begin(), items.end(), [&](const unanswered::Item& i) {
    return i.at("id").as_string() == item_id;
  });
  if (found == items.end())
    return respond(error_response(404, "not_found", "no unanswered question " + item_id));
  unanswered::Item item = std::move(*found);
  const std::string status(item.at("status").as_string());
  // Run on the pool's one thread, as every decision and KB write: nothing between.
  if (!if_match.empty()) {
    const auto now = question_version(item);
    if (!names_etag(if_match, now)) {
      item["version"] = now;
      json::object e{{"code", "question_changed"},
                     {"message", "this question was " + status +
                                     " by someone else since you loaded it (or asked again); "
                                     "see it as it is now and decide again"},
                     {"current", item}};
      auto changed = json_response(412, json::object{{"error", std::move(e)}});
      changed.headers.emplace_back("ETag", now);
      return respond(std::move(changed));
    }
  }
  if (action == "reopen" && status != "dismissed")
    return respond(
        error_response(409, "conflict", "this question is " + status + ", not dismissed"));
  if (action != "reopen" && status != "open")
    return respond(error_response(409, "conflict", "this question is already " + status));
  const std::string question(item.at("question").as_string());

  unanswered::Resolution resolution{item_id, "dismissed", "", "", actor.id, actor.name};
  const json::object about{{"kind", "question"}, {"text", question}};
  audit::Change change{"unanswered.dismissed", question, "dismissed", about,
                       json::object{{"code", "question.dismissed"}}};
  HttpResponse refusal;
  const auto files = bot_file_names(*tenant.config, kKnowledgeBaseFile);
  const auto dir = tenant.config->file.parent_path();
  std::string file, new_text;

  if (action == "attach") {
    const auto entry_id = string_field(body, "entry_id", 200, refusal, true);
    if (!entry_id) return respond(std::move(refusal));
    // The file that has the entry.
    std::optional<std::string> text;
    for (const auto& name : files) {
      auto candidate = read_text(dir / name);
      auto ids = candidate ? kb_entry_ids(*candidate) : std::nullopt;
      if (ids && std::find(ids->begin(), ids->end(), *entry_id) != ids->end()) {
        file = name;
        text = std::move(candidate);
        break;
      }
    }
    if (!text)
      return respond(error_response(422, "entry_gone",
                                    "the knowledge base has no entry '" + *entry_id +
                                        "' (any more: removed or renamed meanwhile?)",
                                    "entry_id"));
    // Already one of its questions as written: nothing to add.
    bool known = false;
    for (const auto& q : kb_entry_questions(*text, *entry_id))
      known = known || unanswered::question_key(q) == unanswered::question_key(question);
    if (!known) {
      std::string why;
      auto edited = kb_with_question(*text, *entry_id, question, why);
      if (!edited) return respond(error_response(422, "invalid_kb", why, "entry_id"));
      new_text = std::move(*edited);
    }
    resolution.status = "attached";
    resolution.entry_id = *entry_id;
    change = audit::Change{
        "unanswered.attached", question, "added to entry " + *entry_id + " (" + file + ")", about,
        json::object{{"code", "question.attached"}, {"entry", *entry_id}, {"file", file}}};
  } else if (action == "create") {
    NewKbEntry entry;
    const auto* answer = body.if_contains("answer");
    if (answer && answer->is_string() && !answer->get_string().empty() &&
        answer->get_string().size() <= kMaxAnswerBytes) {
      entry.answers.emplace_back("", std::string(answer->get_string()));
    } else if (answer && answer->is_object() && !answer->get_object().empty()) {
      for (const auto& [language, text] : answer->get_object()) {
        if (!is_bare_key(language, 16) || !text.is_string() || text.get_string().empty() ||
            text.get_string().size() > kMaxAnswerBytes)
          return respond(error_response(422, "bad_field",
                                        "answer's keys must be languages (en, zh, ...) with texts",
                                        "answer"));
        entry.answers.emplace_back(std::string(language), std::string(text.get_string()));
      }
    } else {
      return respond(error_response(422, "bad_field",
                                    "answer must be a text or {\"en\": text, \"zh\": text, ...}",
                                    "answer"));
    }
    const auto id = string_field(body, "id", 64, refusal);
    if (!id && body.contains("id")) return respond(std::move(refusal));
    entry.id = id ? *id : "q-" + item_id;
    if (!is_bare_key(entry.id, 64))
      return respond(error_response(422, "bad_field",
                                    "id may hold letters, digits, '-', '_' and '.' only", "id"));
    const auto asked = string_field(body, "question", kMaxQuestionBytes, refusal);
    if (!asked && body.contains("question")) return respond(std::move(refusal));
    entry.questions.push_back(asked ? *asked : question);
    auto more = strings_field(body, "questions", refusal);
    auto tags = strings_field(body, "tags", refusal);
    if (!more || !tags) return respond(std::move(refusal));
    for (auto& q : *more) entry.questions.push_back(std::move(q));
    entry.tags = std::move(*tags);
    file = files.empty() ? std::string() : files.front();
    if (const auto chosen = string_field(body, "file", 1000, refusal)) {
      if (std::find(files.begin(), files.end(), *chosen) == files.end())
        return respond(error_response(422, "bad_field",
                                      "not one of the tenant's knowledge base files", "file"));
      file = *chosen;
    } else if (body.contains("file")) {
      return respond(std::move(refusal));
    }
    if (file.empty())
      return respond(error_response(404, "not_found",
                                    "this tenant has no knowledge base ([plugins.autoreply-faq] "
                                    "files in its config)"));
    // Ids are unique across the files: say so plainly rather than as the plugin's error.
    for (const auto& name : files) {
      auto text = read_text(dir / name);
      auto ids = text ? kb_entry_ids(*text) : std::nullopt;
      if (ids && std::find(ids->begin(), ids->end(), entry.id) != ids->end())
        return respond(error_response(
            409, "conflict", "the knowledge base already has an entry '" + entry.id + "'", "id"));
    }
    auto text = read_text(dir / file);
    if (!text)
      return respond(error_response(404, "not_found", "the file " + file + " cannot be read"));
    new_text = kb_with_entry(*text, entry);
    resolution.status = "new_entry";
    resolution.entry_id = entry.id;
    change = audit::Change{
        "unanswered.created", question, "new entry " + entry.id + " (" + file + ")", about,
        json::object{{"code", "question.new_entry"}, {"entry", entry.id}, {"file", file}}};
  } else if (action == "dismiss" && !files.empty()) {
    // The bot learns what not to answer: the question joins the first file's
    // not_for_bot (once, however it is written).
    file = files.front();
    auto text = read_text(dir / file);
    if (!text)
      return respond(error_response(404, "not_found", "the file " + file + " cannot be read"));
    bool known = false;
    for (const auto& q : kb_not_for_bot(*text))
      known = known || unanswered::question_key(q) == unanswered::question_key(question);
    if (!known) {
      std::string why;
      auto edited = kb_with_not_for_bot(*text, question, why);
      if (!edited) return respond(error_response(422, "invalid_kb", why));
      new_text = std::move(*edited);
    }
    change = audit::Change{"unanswered.dismissed", question, "not for the bot (" + file + ")",
                           about, json::object{{"code", "question.dismissed"}, {"file", file}}};
  } else if (action == "reopen") {
    // Out of not_for_bot wherever it is (the file the dismissal named, or an admin
    // moved it), so the bot may answer such messages again.
    for (const auto& name : files) {
      auto text = read_text(dir / name);
      if (!text) continue;
      const auto listed = kb_not_for_bot(*text);
      for (std::size_t i = listed.size(); i-- > 0;) {
        if (unanswered::question_key(listed[i]) != unanswered::question_key(question)) continue;
        std::string why;
        auto edited = kb_without_not_for_bot(*text, i, why);
        if (!edited) return respond(error_response(422, "invalid_kb", why));
        text = std::move(*edited);
        file = name;
        new_text = *text;
      }
      if (!new_text.empty()) break;
    }
    resolution.status = "reopened";
    change =
        audit::Change{"unanswered.reopened", question,
                      file.empty() ? "open again" : "open again, out of not_for_bot (" + file + ")",
                      about, json::object{{"code", "question.reopened"}}};
    if (!file.empty()) change.detail["file"] = file;
  }
  resolution.file = file;

  if (!new_text.empty()) {
    const auto error = backend_.replace_plugin_file(*tenant.config, kKnowledgeBaseFile.plugin,
                                                    kKnowledgeBaseFile.key, file, new_text);
    // A dismissal the plugin cannot keep (a question of no searchable words, "??") is
    // still a dismissal: the list says so, the bot learns nothing from it.
    if (!error.empty() && action == "dismiss") {
      new_text.clear();
      resolution.file.clear();
      change.summary = "dismissed; not kept for the bot: " + error;
      change.detail = {{"code", "question.dismissed"}, {"not_kept", true}};
    } else if (!error.empty()) {
      return respond(bot_file_refusal(kKnowledgeBaseFile.invalid_code, error,
                                      read_bot_file_problem(error, file, new_text)));
    }
  }
  const auto appended = wait_for_store([&](engine::StoreCallback done) {
    tenant.store->log_append(unanswered::resolved_entry(resolution, wall_clock_ms()), done);
  });
  if (!appended.ok())
    return respond(
        error_response(503, "unavailable",
                       "the decision was not kept: " + appended.error +
                           (new_text.empty() ? "" : " (the knowledge base was changed)")));
  record_change(tenant, actor, change);

  item["status"] = resolution.status == "reopened" ? "open" : resolution.status;
  item["resolution"] = json::object{{"status", resolution.status},
                                    {"entry_id", resolution.entry_id},
                                    {"file", resolution.file},
                                    {"at", wall_clock_ms()},
                                    {"by", json::object{{"id", actor.id}, {"name", actor.name}}}};
  item.erase("version");  // the list's next read has it (the log's time is its own)
  if (new_text.empty()) return respond(json_response(200, item));
  // Answered once the bot reads the new knowledge base: the next visitor gets it.
  backend_.reload_tenants([item = std::move(item), respond = std::move(respond)] {
    respond(json_response(200, item));
  });
}

}  // namespace sb::api
