// Canned replies: a tenant's ready-made answers, which the console inserts by
// shortcut ("/refund"). Every agent may read them; admins write them. Kept in the
// tenant's storage (namespace "canned_replies", keyed by id).
//
//   GET    /v1/tenants/ID/canned-replies            {"canned_replies":[{"id","shortcut","text"}]}
//   POST   /v1/tenants/ID/canned-replies            {"shortcut","text"} -> 201
//   PUT    /v1/tenants/ID/canned-replies/RID        {"shortcut","text"} -> 200
//   DELETE /v1/tenants/ID/canned-replies/RID        -> 204
//
// Each write is recorded in the audit log (canned_reply.created, .updated, .deleted).
#include <algorithm>
#include <boost/json.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
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

// All replies, as stored: [{"id","shortcut","text"}], in shortcut order.
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
    reply["id"] = item.get_object().at("key");
    out.push_back(std::move(reply));
  }
  std::sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
    return a.at("shortcut").get_string() < b.at("shortcut").get_string();
  });
  return out;
}

// The audit log's account of an edit: which of shortcut and text changed.
audit::Change describe_edit(const json::object& before, const json::object& after) {
  const std::string now(after.at("shortcut").get_string());
  std::string summary;
  if (before.at("shortcut") != after.at("shortcut"))
    summary = "shortcut " + std::string(before.at("shortcut").get_string()) + " \u2192 " + now;
  if (before.at("text") != after.at("text"))
    summary += (summary.empty() ? "" : "; ") + std::string("text: ") +
               std::string(after.at("text").get_string());
  return {"canned_reply.updated", now, summary.empty() ? "no change" : summary};
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
  if (request.method == "DELETE" && !id.empty()) {
    // Read first, so the audit log can name the reply that went.
    return store->kv_get(
        kNamespace, std::string(id),
        [this, tenant, actor, store, id = std::string(id), respond = std::move(respond),
         unavailable](engine::StoreResult found) mutable {
          if (!found.ok()) return respond(unavailable(found));
          if (found.body.empty()) return respond({204, "application/json", ""});
          boost::system::error_code ec;
          const json::value old = json::parse(found.body, ec);
          const auto* shortcut =
              !ec && old.is_object() ? old.get_object().if_contains("shortcut") : nullptr;
          const std::string name =
              shortcut && shortcut->is_string() ? std::string(shortcut->get_string()) : id;
          store->kv_put(kNamespace, id, "",
                        [this, tenant, actor, name, respond = std::move(respond),
                         unavailable](engine::StoreResult r) {
                          if (!r.ok()) return respond(unavailable(r));
                          respond({204, "application/json", ""});
                          record_change(tenant, actor, {"canned_reply.deleted", name, ""});
                        });
        });
  }
  const bool creating = request.method == "POST" && id.empty();
  if (!creating && !(request.method == "PUT" && !id.empty()))
    return respond(error_response(405, "method_not_allowed", "use GET, POST, PUT or DELETE"));

  json::object reply;
  if (auto bad = read_reply(request.body, reply)) return respond(std::move(*bad));
  const std::string reply_id = creating ? new_id("r") : std::string(id);
  // Shortcuts are unique per tenant: check the current list, then write.
  store->kv_list(kNamespace, [this, tenant, actor, store, reply = std::move(reply), reply_id,
                              creating, respond = std::move(respond),
                              unavailable](engine::StoreResult r) mutable {
    auto list = parse_list(r);
    if (!list) return respond(unavailable(r));
    bool exists = creating;
    audit::Change change{"canned_reply.created", std::string(reply.at("shortcut").get_string()),
                         std::string(reply.at("text").get_string())};
    for (const auto& other : *list) {
      if (other.at("id").get_string() == reply_id) {
        exists = true;
        change = describe_edit(other.as_object(), reply);
      }
      if (other.at("shortcut") == reply.at("shortcut") && other.at("id").get_string() != reply_id)
        return respond(
            error_response(409, "conflict", "another reply has this shortcut", "shortcut"));
    }
    if (!exists) return respond(error_response(404, "not_found", "no such canned reply"));
    store->kv_put(kNamespace, reply_id, json::serialize(reply),
                  [this, tenant, actor, change = std::move(change), reply, reply_id, creating,
                   respond = std::move(respond), unavailable](engine::StoreResult w) mutable {
                    if (!w.ok()) return respond(unavailable(w));
                    reply["id"] = reply_id;
                    respond(json_response(creating ? 201 : 200, reply));
                    record_change(tenant, actor, std::move(change));
                  });
  });
}

}  // namespace sb::api
