// Changing one conversation over REST: its tags, as the console's tag editor does.
//
//   PATCH /v1/tenants/ID/conversations/CID   {"tags":[S]}                (replace them all)
//                                            {"add"?:[S],"remove"?:[S]}  (change some)
//     -> 200 {"conversation_id","tags"}
//
// Any agent of the tenant may tag any conversation, open or closed (any agent may
// read any conversation's history too). A tag is 1..64 bytes; at most 32 per
// conversation.
#include <boost/json.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

bool string_list(const json::value& v, std::vector<std::string>& out) {
  if (!v.is_array()) return false;
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string());
  }
  return true;
}

}  // namespace

void RestApi::patch_conversation(const TenantView& tenant, const std::string& conversation_id,
                                 const HttpRequest& request,
                                 std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, false, refusal);
  if (!claims) return respond(std::move(refusal));
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  engine::TenantEngine::TagChange change;
  for (const auto& [key, value] : body.get_object()) {
    bool ok = false;
    if (key == "tags") {
      change.set.emplace();
      ok = string_list(value, *change.set);
    } else if (key == "add" || key == "remove") {
      ok = string_list(value, key == "add" ? change.add : change.remove);
    } else {
      return respond(
          error_response(422, "bad_field", "unknown field (known: tags, add, remove)", key));
    }
    if (!ok) return respond(error_response(422, "bad_field", "must be an array of strings", key));
  }
  if (change.set && (!change.add.empty() || !change.remove.empty()))
    return respond(error_response(422, "bad_field", "give either tags or add/remove", "tags"));

  engine::Identity who;
  who.role = engine::Role::agent;
  who.id = claims->subject;
  who.agent_role = claims->role;
  tenant.gate->engine()->tag_conversation(who, conversation_id, std::move(change),
                                          answering(std::move(respond)));
}

}  // namespace sb::api
