// Canned replies: a tenant's ready-made answers, which the console inserts by
// shortcut ("/refund"). Every agent may read them; admins write them. Kept in the
// tenant's storage (namespace "canned_replies", keyed by id).
//
//   GET    /v1/tenants/ID/canned-replies            {"canned_replies":[{"id","shortcut","text"}]}
//   POST   /v1/tenants/ID/canned-replies            {"shortcut","text"} -> 201
//   PUT    /v1/tenants/ID/canned-replies/RID        {"shortcut","text"} -> 200
//   DELETE /v1/tenants/ID/canned-replies/RID        -> 204
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

// {"shortcut":"/x","text":"..."} with nothing else, or the response that says why not.
std::optional<HttpResponse> read_reply(const std::string& body, json::object& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return error_response(400, "bad_json", "the body must be a JSON object");
  for (const auto& [key, value] : v.get_object())
    if (key != "shortcut" && key != "text")
      return error_response(422, "bad_field", "unknown field", key);
  const auto* shortcut = v.get_object().if_contains("shortcut");
  if (!shortcut || !shortcut->is_string() || shortcut->get_string().empty() ||
      shortcut->get_string().size() > kMaxShortcutBytes ||
      shortcut->get_string().find_first_of(" \t\r\n") != json::string::npos)
    return error_response(422, "bad_field", "shortcut must be 1-64 bytes without spaces",
                          "shortcut");
  const auto* text = v.get_object().if_contains("text");
  if (!text || !text->is_string() || text->get_string().empty() ||
      text->get_string().size() > kMaxTextBytes)
    return error_response(422, "bad_field", "text must be 1-4096 bytes", "text");
  out = json::object{{"shortcut", shortcut->get_string()}, {"text", text->get_string()}};
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

}  // namespace

void RestApi::canned_replies(const TenantView& tenant, std::string_view id,
                             const HttpRequest& request,
                             std::function<void(HttpResponse)> respond) {
  const bool reading = request.method == "GET";
  HttpResponse refusal;
  if (!authorize(tenant, request, !reading, false, refusal)) return respond(std::move(refusal));
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
  if (request.method == "DELETE" && !id.empty()) {
    return store->kv_put(kNamespace, std::string(id), "",
                         [respond = std::move(respond), unavailable](auto r) {
                           if (!r.ok()) return respond(unavailable(r));
                           respond({204, "application/json", ""});
                         });
  }
  const bool creating = request.method == "POST" && id.empty();
  if (!creating && !(request.method == "PUT" && !id.empty()))
    return respond(error_response(405, "method_not_allowed", "use GET, POST, PUT or DELETE"));

  json::object reply;
  if (auto bad = read_reply(request.body, reply)) return respond(std::move(*bad));
  const std::string reply_id = creating ? new_id("r") : std::string(id);
  // Shortcuts are unique per tenant: check the current list, then write.
  store->kv_list(kNamespace, [store, reply = std::move(reply), reply_id, creating,
                              respond = std::move(respond),
                              unavailable](engine::StoreResult r) mutable {
    auto list = parse_list(r);
    if (!list) return respond(unavailable(r));
    bool exists = creating;
    for (const auto& other : *list) {
      if (other.at("id").get_string() == reply_id) exists = true;
      if (other.at("shortcut") == reply.at("shortcut") && other.at("id").get_string() != reply_id)
        return respond(
            error_response(409, "conflict", "another reply has this shortcut", "shortcut"));
    }
    if (!exists) return respond(error_response(404, "not_found", "no such canned reply"));
    store->kv_put(kNamespace, reply_id, json::serialize(reply),
                  [reply, reply_id, creating, respond = std::move(respond),
                   unavailable](engine::StoreResult w) mutable {
                    if (!w.ok()) return respond(unavailable(w));
                    reply["id"] = reply_id;
                    respond(json_response(creating ? 201 : 200, reply));
                  });
  });
}

}  // namespace sb::api
