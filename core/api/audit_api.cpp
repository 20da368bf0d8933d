// The tenant's audit log over REST, for its admins (the admin pages' Audit log):
//
//   GET /v1/tenants/ID/audit?limit=&cursor=&action=&actor=
//       -> {"entries":[{"seq","at","actor":{"id","name","role"},"action","target",
//           "summary","object"?,"detail"?}],"next_cursor"?}, newest first
//
// object {"kind",...} and detail {"code",...} carry what target and summary say in
// English as codes and values (docs/protocol.md); entries written before them, and
// entries of changes that have none, come without.
//
// Served by the storage plugin's ABI 1.4 log_list over the log "audit", which only
// the tenant's own storage holds; a plugin without logs answers 501. What is
// recorded, and when: audit/audit_log.hpp.
#include <boost/json.hpp>
#include <charconv>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "common/clock.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr uint64_t kDefaultAuditLimit = 50;
constexpr uint64_t kMaxAuditLimit = 100;

bool positive_number(const std::string& s, uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && out > 0 &&
         out <= uint64_t{INT64_MAX};
}

// An entry of the storage's log as the REST answers it.
json::object audit_entry(const json::object& stored) {
  json::object out{{"seq", stored.at("seq")}, {"at", stored.at("ts")}};
  const auto* data = stored.at("data").if_object();
  for (const char* key : {"actor", "action", "target", "summary"})
    out[key] = data && data->contains(key) ? data->at(key) : json::value("");
  for (const char* key : {"object", "detail"})
    if (const auto* part = data ? data->if_contains(key) : nullptr; part && part->is_object())
      out[key] = *part;
  return out;
}

}  // namespace

void RestApi::audit_log(const TenantView& tenant, const HttpRequest& request,
                        std::function<void(HttpResponse)> respond) {
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  HttpResponse refusal;
  if (!authorize(tenant, request, true, false, refusal)) return respond(std::move(refusal));

  json::object query{{"log", audit::kAuditLog}, {"limit", kDefaultAuditLimit}};
  for (const auto& [key, value] : request.query) {
    if (key == "limit") {
      uint64_t limit = 0;
      if (!positive_number(value, limit) || limit > kMaxAuditLimit)
        return respond(
            error_response(422, "bad_field", "limit must be between 1 and 100", "limit"));
      query["limit"] = limit;
    } else if (key == "cursor") {
      uint64_t ignored = 0;
      if (!positive_number(value, ignored))
        return respond(error_response(422, "bad_field", "cursor is not a next_cursor", "cursor"));
      query["cursor"] = value;
    } else if (key == "action" || key == "actor") {
      if (value.empty() || value.size() > 256)
        return respond(error_response(422, "bad_field", key + " must be 1 to 256 bytes", key));
      query[key == "action" ? "kind" : "actor"] = value;
    } else {
      return respond(error_response(
          422, "bad_field", "unknown parameter (known: limit, cursor, action, actor)", key));
    }
  }

  tenant.store->log_list(
      json::serialize(query), [respond = std::move(respond)](engine::StoreResult r) {
        if (r.status == engine::kStoreNotSupported)
          return respond(error_response(
              501, "not_supported",
              "this tenant's storage plugin keeps no audit log (it lacks the ABI 1.4 log "
              "functions); admin changes still work but are not recorded"));
        // A cursor or filter the plugin will not take (19 digits are a number here,
        // but no cursor storage-sqlite hands out).
        if (r.refused) return respond(refused_by_storage(r));
        boost::system::error_code ec;
        const json::value body = r.ok() ? json::parse(r.body, ec) : json::value();
        const auto* entries =
            !ec && body.is_object() ? body.get_object().if_contains("entries") : nullptr;
        if (!entries || !entries->is_array())
          return respond(error_response(503, "unavailable",
                                        "the audit log cannot be read: " +
                                            (r.ok() ? std::string("unexpected answer") : r.error)));
        json::array out;
        for (const auto& entry : entries->get_array())
          if (entry.is_object()) out.push_back(audit_entry(entry.get_object()));
        json::object answer{{"entries", std::move(out)}};
        if (const auto* next = body.get_object().if_contains("next_cursor"))
          answer["next_cursor"] = *next;
        respond(json_response(200, answer));
      });
}

audit::Actor RestApi::actor_of(const TenantView& tenant, const auth::Claims& who) const {
  const auto agent = tenant.agents ? tenant.agents->by_id(who.subject) : std::nullopt;
  return {who.subject, agent ? agent->name : who.subject, who.role};
}

void RestApi::record_change(const TenantView& tenant, const auth::Claims& who,
                            audit::Change change) {
  record_change(tenant, actor_of(tenant, who), std::move(change));
}

void RestApi::record_change(const TenantView& tenant, const audit::Actor& who,
                            audit::Change change) {
  audit::record(*tenant.store, metrics_.tenant(tenant.config->id), tenant.config->id, who, change,
                wall_clock_ms());
}

}  // namespace sb::api
