// GET /v1/tenants/ID/search?q=…: full-text search over the tenant's messages, for
// the tenant's admins (the admin pages' conversation browser). Served by the
// storage plugin's ABI 1.3 search, which only sees the tenant's own storage; a
// plugin without it answers 501. Agent notes are included: admins read them in
// the history too.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "api/responses.hpp"
#include "api/rest_api.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr uint64_t kDefaultSearchLimit = 20;
constexpr uint64_t kMaxSearchLimit = 100;
constexpr size_t kMaxQueryBytes = 1000;

bool parse_number(const std::string& s, uint64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

void RestApi::search(const TenantView& tenant, const HttpRequest& request,
                     std::function<void(HttpResponse)> respond) {
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  HttpResponse refusal;
  if (!authorize(tenant, request, true, false, refusal)) return respond(std::move(refusal));

  json::object query{{"include_private", true}, {"limit", kDefaultSearchLimit}};
  for (const auto& [key, value] : request.query) {
    if (key == "q") {
      if (blank(value))
        return respond(error_response(422, "bad_field", "q must not be empty", "q"));
      if (value.size() > kMaxQueryBytes)
        return respond(error_response(422, "bad_field", "q is longer than 1000 bytes", "q"));
      query["q"] = value;
    } else if (key == "limit") {
      uint64_t limit = 0;
      if (!parse_number(value, limit) || limit == 0 || limit > kMaxSearchLimit)
        return respond(
            error_response(422, "bad_field", "limit must be between 1 and 100", "limit"));
      query["limit"] = limit;
    } else if (key == "cursor") {
      uint64_t ignored = 0;
      if (!parse_number(value, ignored))
        return respond(error_response(422, "bad_field", "cursor is not a next_cursor", "cursor"));
      query["cursor"] = value;
    } else if (key == "conversation_id" || key == "status" || key == "assignee") {
      query[key] = value;
    } else if (key == "since" || key == "until") {
      uint64_t ms = 0;
      if (!parse_number(value, ms) || ms > uint64_t{INT64_MAX})
        return respond(
            error_response(422, "bad_field", key + " must be a time in Unix milliseconds", key));
      query[key] = ms;
    } else {
      return respond(error_response(
          422, "bad_field",
          "unknown parameter (known: q, limit, cursor, conversation_id, status, assignee, since, "
          "until)",
          key));
    }
  }
  if (!query.contains("q"))
    return respond(error_response(422, "bad_field", "q must not be empty", "q"));

  tenant.store->search(json::serialize(query), [respond =
                                                    std::move(respond)](engine::StoreResult r) {
    if (r.status == engine::kStoreNotSupported)
      return respond(error_response(501, "not_supported",
                                    "this tenant's storage plugin cannot search (it lacks the ABI "
                                    "1.3 search function)"));
    // The plugin refused the query (a cursor that is a number but none of its own):
    // the request is at fault, asking again will not help.
    if (r.refused)
      return respond(error_response(422, "bad_field", "the search was refused: " + r.error));
    if (!r.ok()) return respond(error_response(503, "unavailable", "search failed: " + r.error));
    respond({200, "application/json", std::move(r.body)});
  });
}

}  // namespace sb::api
