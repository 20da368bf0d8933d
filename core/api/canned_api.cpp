// Canned replies: a tenant's ready-made answers, which the console inserts by
// shortcut ("/refund"). Every agent may read them; admins write them. Kept in the
// tenant's storage (namespace "canned_replies", keyed by id).
//
//   GET    /v1/tenants/ID/canned-replies
//          -> {"canned_replies":[{"id","shortcut","text","version"}]}
//   POST   /v1/tenants/ID/canned-replies     {"shortcut","text"} -> 201
//   PUT    /v1/tenants/ID/canned-replies/RID {"shortcut","text"} -> 200
//   DELETE /v1/tenants/ID/canned-replies/RID -> 204
//
// Each reply has a version (an ETag of its shortcut and text; a write answers the
// new one as ETag and "version"). A PUT or DELETE with If-Match acts only on that
// version: else 412 canned_changed with the reply as it is now ("current", null
// when another admin deleted it), so one admin's edit does not silently replace
// another's. The writes run one at a time on the blocking pool's one thread, so
// nothing comes between the check and the write.
//
// Each write is recorded in the audit log (canned_reply.created, .updated, .deleted;
// object "canned_reply" {shortcut}, detail canned_reply.new/.changes/.deleted).
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/store_wait.hpp"
#include "common/ids.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr const char* kNamespace = "canned_replies";
constexpr size_t kMaxShortcutBytes = 64;
constexpr size_t kMaxTextBytes = 4096;

// {"shortcut":"/x","text":"..."} with nothing else, or the response that names every
// field that is wrong.
std::optional<HttpResponse> read_reply(const std::string& body, json::object& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return error_response(400, "bad_json", "the body must be a JSON object");
  using Need = json_fields::ObjectReader::Need;
  json_fields::FieldErrors errors;
  json_fields::ObjectReader r(v, "", "", errors);
  auto shortcut = r.string("shortcut", Need::required);
  if (shortcut && (shortcut->size() > kMaxShortcutBytes ||
                   shortcut->find_first_of(" \t\r\n") != std::string::npos))
    r.error("invalid_field", "shortcut", "must be 1-64 bytes without spaces");
  auto text = r.string("text", Need::required);
  if (text && text->size() > kMaxTextBytes)
    r.error("invalid_field", "text", "must be 1-4096 bytes");
  r.reject_unknown();
  if (!errors.empty()) return field_errors_response(errors);
  out = json::object{{"shortcut", *shortcut}, {"text", *text}};
  return std::nullopt;
}

// A reply's version: the ETag of its shortcut and text, whatever else it holds.
std::string canned_version(const json::object& reply) {
  const json::object key{{"shortcut", reply.contains("shortcut") ? reply.at("shortcut") : nullptr},
                         {"text", reply.contains("text") ? reply.at("text") : nullptr}};
  return etag_of(json::serialize(key));
}

// 412: the reply the admin edited is no longer the version they loaded.
HttpResponse canned_changed(const json::object* current) {
  json::object e{{"code", "canned_changed"},
                 {"message", current ? "this canned reply was changed by someone else since you "
                                       "loaded it; load it again and redo your change"
                                     : "this canned reply was deleted by someone else since you "
                                       "loaded it"},
                 {"current", current ? json::value(*current) : json::value(nullptr)}};
  HttpResponse r = json_response(412, json::object{{"error", std::move(e)}});
  if (current) r.headers.emplace_back("ETag", current->at("version").as_string().c_str());
  return r;
}

// All replies, as stored: [{"id","shortcut","text","version"}], in shortcut order.
std::optional<json::array> parse_list(const engine::StoreResult& r) {
  if (!r.ok()) return std::nullopt;
  boost::system::error_code ec;
  json::value root = json::parse(r.body, ec);
  const auto* items = (!ec && root.is_object()) ? root.get_object().if_contains("items") : nullptr;
  if (!items || !items->is_array()) return std::nullopt;
  json::array out;
  for (const auto& item : items->get_array()) {
    const auto* value = item.is_object() ? item.get_object().if_contains("value") : nullptr;
    if (!value || !value->is_object()) continue;
    json::object reply = value->get_object();
    reply["version"] = canned_version(reply);
    reply["id"] = item.get_object().at("key");
    out.push_back(std::move(reply));
  }
  std::sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
    return a.at("shortcut").get_string() < b.at("shortcut").get_string();
  });
  return out;
}

// What the audit log says was changed: the reply, by its shortcut.
json::object canned_object(const json::value& shortcut) {
  return {{"kind", "canned_reply"}, {"shortcut", shortcut}};
}

// The audit log's account of an edit: which of shortcut and text changed, in English
// and as the code "canned_reply.changes" {changes:[{field,from,to}]}.
audit::Change describe_edit(const json::object& before, const json::object& after) {
  const std::string now(after.at("shortcut").get_string());
  std::string summary;
  json::array changes;
  for (const char* field : {"shortcut", "text"})
    if (before.at(field) != after.at(field))
      changes.push_back(
          json::object{{"field", field}, {"from", before.at(field)}, {"to", after.at(field)}});
  if (before.at("shortcut") != after.at("shortcut"))
    summary = "shortcut " + std::string(before.at("shortcut").get_string()) + " \u2192 " + now;
  if (before.at("text") != after.at("text"))
    summary += (summary.empty() ? "" : "; ") + std::string("text: ") +
               std::string(after.at("text").get_string());
  return {"canned_reply.updated", now, summary.empty() ? "no change" : summary,
          canned_object(after.at("shortcut")),
          json::object{{"code", "canned_reply.changes"}, {"changes", std::move(changes)}}};
}

}  // namespace

void RestApi::canned_replies(const TenantView& tenant, std::string_view id,
                             const HttpRequest& request,
                             std::function<void(HttpResponse)> respond) {
  const bool reading = request.method == "GET";
  HttpResponse refusal;
  auto claims = authorize(tenant, request, !reading, false, refusal);
  if (!claims) return respond(std::move(refusal));
  auto store = tenant.store;
  auto unavailable = [](const engine::StoreResult& r) {
    if (r.refused) return refused_by_storage(r);
    return error_response(503, "unavailable", "storage did not answer: " + r.error);
  };

  if (reading && id.empty()) {
    return store->kv_list(
        kNamespace, [respond = std::move(respond), unavailable](engine::StoreResult r) {
          auto list = parse_list(r);
          if (!list) return respond(unavailable(r));
          respond(json_response(200, json::object{{"canned_replies", std::move(*list)}}));
        });
  }
  const audit::Actor actor = actor_of(tenant, *claims);
  const bool deleting = request.method == "DELETE" && !id.empty();
  const bool creating = request.method == "POST" && id.empty();
  if (!deleting && !creating && !(request.method == "PUT" && !id.empty()))
    return respond(error_response(405, "method_not_allowed", "use GET, POST, PUT or DELETE"));
  json::object reply;
  if (!deleting)
    if (auto bad = read_reply(request.body, reply)) return respond(std::move(*bad));
  const std::string reply_id = creating ? new_id("r") : std::string(id);
  // On the pool's one thread: the list read (shortcuts are unique per tenant, the
  // version matches) and the write with nothing between them.
  boost::asio::post(blocking_pool_, [this, tenant, actor, store, reply = std::move(reply), reply_id,
                                     creating, deleting, if_match = request.if_match,
                                     respond = std::move(respond), unavailable]() mutable {
    const auto r =
        wait_for_store([&](engine::StoreCallback done) { store->kv_list(kNamespace, done); });
    auto list = parse_list(r);
    if (!list) return respond(unavailable(r));
    const json::object* current = nullptr;
    for (const auto& other : *list)
      if (other.at("id").get_string() == reply_id) current = &other.as_object();
    if (!creating && !if_match.empty() &&
        (!current || !names_etag(if_match, current->at("version").as_string())))
      return respond(canned_changed(current));
    if (deleting) {
      if (!current) return respond({204, "application/json", ""});
      const std::string name(current->at("shortcut").as_string());
      const auto w = wait_for_store(
          [&](engine::StoreCallback done) { store->kv_put(kNamespace, reply_id, "", done); });
      if (!w.ok()) return respond(unavailable(w));
      respond({204, "application/json", ""});
      return record_change(
          tenant, actor,
          {"canned_reply.deleted", name, "", canned_object(current->at("shortcut")),
           json::object{{"code", "canned_reply.deleted"}}});
    }
    audit::Change change{"canned_reply.created", std::string(reply.at("shortcut").get_string()),
                         std::string(reply.at("text").get_string()),
                         canned_object(reply.at("shortcut")),
                         json::object{{"code", "canned_reply.new"}, {"text", reply.at("text")}}};
    if (current) change = describe_edit(*current, reply);
    for (const auto& other : *list)
      if (other.at("shortcut") == reply.at("shortcut") && other.at("id").get_string() != reply_id)
        return respond(
            error_response(409, "conflict", "another reply has this shortcut", "shortcut"));
    if (!creating && !current)
      return respond(error_response(404, "not_found", "no such canned reply"));
    const auto w = wait_for_store([&](engine::StoreCallback done) {
      store->kv_put(kNamespace, reply_id, json::serialize(reply), done);
    });
    if (!w.ok()) return respond(unavailable(w));
    const std::string version = canned_version(reply);
    reply["id"] = reply_id;
    reply["version"] = version;
    auto saved = json_response(creating ? 201 : 200, reply);
    saved.headers.emplace_back("ETag", version);
    respond(std::move(saved));
    record_change(tenant, actor, std::move(change));
  });
}

}  // namespace sb::api
