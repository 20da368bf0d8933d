// The tenant's retention periods ([retention] in its file), for its admins:
//
//   GET /v1/tenants/ID/retention  -> 200 {"closed_conversations_days","audit_days"}
//                                    (0 = kept for ever), with an ETag
//   PUT /v1/tenants/ID/retention  the same object (If-Match: the ETag) -> 200 once
//                                 the tenant file is rewritten and reloaded; 422
//                                 naming the field the tenant's reader refused
//
// Written like the widget's settings (table_write.hpp): validated by the tenant
// loader, atomic, version-checked, recorded in the audit log (retention.saved).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/table_write.hpp"
#include "config/toml_json.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

json::object retention_json(const tenants::RetentionPolicy& r) {
  return json::object{{"closed_conversations_days", r.closed_conversations_days},
                      {"audit_days", r.audit_days}};
}

}  // namespace

void RestApi::retention(const TenantView& tenant, const HttpRequest& request,
                        std::function<void(HttpResponse)> respond) {
  if (request.method != "GET" && request.method != "PUT")
    return respond(error_response(405, "method_not_allowed", "use GET or PUT"));
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (request.method == "GET") {
    const json::value settings = retention_json(tenant.config->retention);
    return respond(versioned_response(request, settings));
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  TableWrite write;
  write.path = {"retention"};
  write.content = config::json_to_toml(body.as_object());
  write.view = [](const tenants::TenantConfig& config) -> std::optional<json::value> {
    return retention_json(config.retention);
  };
  write.tidy = [](toml::table& table, const toml::table* in_file) {
    drop_defaults(table, config::json_to_toml(retention_json(tenants::RetentionPolicy{})), in_file);
  };
  write.if_match = request.if_match;
  write.changed_code = "retention_changed";
  write.what = "the retention periods";
  write.audit_action = "retention.saved";
  write.audit_target = "retention";
  write.audit_object = {{"kind", "retention"}};
  write.actor = actor_of(tenant, *claims);
  write_table(tenant, std::move(write), std::move(respond));
}

}  // namespace sb::api
