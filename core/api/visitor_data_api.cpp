// A visitor's data on request, for the tenant's admins (a data subject's access
// and erasure requests):
//
//   GET    /v1/tenants/ID/visitors/VID/data  -> 200 everything stored about the
//          visitor (privacy/visitor_data.hpp: conversations with their records,
//          messages and files, each file with a download link)
//   DELETE /v1/tenants/ID/visitors/VID/data  -> 200 {"visitor_id","erased":{
//          "conversations","messages","files"}}, after closing the visitor's
//          conversations no agent holds (bot, queued); 409 while an agent holds
//          one (the agent closes it first); 501 when the tenant's storage
//          cannot delete conversations (ABI 1.5)
//
// Both are recorded in the audit log (visitor.exported, visitor.erased).
#include <boost/json.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "common/clock.hpp"
#include "privacy/visitor_data.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr size_t kMaxVisitorIdBytes = 256;

HttpResponse storage_failed(const privacy::Outcome& outcome, std::string_view what) {
  if (outcome.status == engine::kStoreNotSupported)
    return error_response(
        501, "not_supported",
        "this tenant's storage plugin cannot " + std::string(what) + ": " + outcome.error);
  // The visitor id itself (storage-postgres takes no NUL byte in it).
  if (outcome.refused)
    return error_response(422, "bad_field",
                          "the tenant's storage refused the visitor id: " + outcome.error,
                          "visitor_id");
  return error_response(503, "unavailable",
                        "storage failed; nothing more was done (running it again finishes "
                        "it): " +
                            outcome.error);
}

std::string plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void RestApi::visitor_data(const TenantView& tenant, std::string visitor_id,
                           const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  const bool erase = request.method == "DELETE";
  if (request.method != "GET" && !erase)
    return respond(error_response(405, "method_not_allowed", "use GET (export) or DELETE (erase)"));
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (visitor_id.empty() || visitor_id.size() > kMaxVisitorIdBytes)
    return respond(
        error_response(422, "bad_field", "a visitor id is 1 to 256 bytes", "visitor_id"));
  const audit::Actor actor = actor_of(tenant, *claims);

  if (!erase) {
    const std::string files_url = "/v1/tenants/" + tenant.config->id + "/attachments";
    return privacy::export_visitor(
        tenant.store, visitor_id, files_url, wall_clock_ms(),
        [this, tenant, actor, visitor_id, respond = std::move(respond)](privacy::Outcome outcome,
                                                                        json::object data) {
          if (!outcome.ok()) return respond(storage_failed(outcome, "read it"));
          const size_t n = data.at("conversations").as_array().size();
          audit::Change change{"visitor.exported", "visitor " + visitor_id,
                               "exported " + plural(n, "conversation", "conversations")};
          change.object = {{"kind", "visitor"}, {"id", visitor_id}};
          change.detail = {{"code", "visitor.exported"}, {"conversations", n}};
          record_change(tenant, actor, std::move(change));
          HttpResponse answer = json_response(200, data);
          answer.headers = {{"Content-Disposition", "attachment; filename=\"visitor-data.json\""}};
          respond(std::move(answer));
        });
  }

  // The engine first lets go of what it remembers, and says whether a
  // conversation of the visitor is still open.
  tenant.gate->engine()->forget_visitor(
      visitor_id, [this, tenant, actor, visitor_id,
                   respond = std::move(respond)](std::vector<std::string> open) mutable {
        if (!open.empty())
          return respond(error_response(409, "conversation_open",
                                        "the visitor's conversation " + open.front() +
                                            " is with an agent; the agent closes it, then erase"));
        privacy::erase_visitor(
            tenant.store, visitor_id, wall_clock_ms(),
            [this, tenant, actor, visitor_id, respond = std::move(respond)](
                privacy::Outcome outcome, privacy::ErasedCounts counts) {
              if (outcome.ok() && !counts.open.empty())
                return respond(error_response(
                    409, "conversation_open",
                    "the visitor's conversation " + counts.open.front() +
                        " is open; close it, then erase (the closed ones are erased)"));
              if (!outcome.ok()) return respond(storage_failed(outcome, "delete conversations"));
              audit::Change change{
                  "visitor.erased", "visitor " + visitor_id,
                  "erased " + plural(counts.conversations, "conversation", "conversations") + ", " +
                      plural(counts.messages, "message", "messages") + ", " +
                      plural(counts.files, "file", "files")};
              change.object = {{"kind", "visitor"}, {"id", visitor_id}};
              change.detail = {{"code", "visitor.erased"},
                               {"conversations", counts.conversations},
                               {"messages", counts.messages},
                               {"files", counts.files}};
              record_change(tenant, actor, std::move(change));
              respond(json_response(
                  200, json::object{{"visitor_id", visitor_id},
                                    {"erased", json::object{{"conversations", counts.conversations},
                                                            {"messages", counts.messages},
                                                            {"files", counts.files}}}}));
            });
      });
}

}  // namespace sb::api
