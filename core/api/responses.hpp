// JSON error bodies of the REST API: {"error":{"code","message","field"?}}; a body
// with several bad fields also lists them all: {"error":first,"errors":[...]}.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/locale/encoding_utf.hpp>
#include <functional>
#include <string_view>

#include "api/etag.hpp"
#include "common/json_fields.hpp"
#include "common/session_end.hpp"
#include "engine/answer.hpp"
#include "engine/ports.hpp"
#include "hub/http_types.hpp"

namespace sb::api {

// The message and the field name may quote the request (an unknown query parameter's
// name, percent-decoded): bytes that are not UTF-8 are left out, because Boost.JSON
// writes a string's bytes unchecked and the body would not be JSON a client can read.
inline std::string utf8_only(std::string_view text) {
  return boost::locale::conv::utf_to_utf<char>(text.data(), text.data() + text.size(),
                                               boost::locale::conv::skip);
}

inline hub::HttpResponse error_response(unsigned status, std::string_view code,
                                        std::string_view message, std::string_view field = {}) {
  boost::json::object e{{"code", code}, {"message", utf8_only(message)}};
  if (!field.empty()) e["field"] = utf8_only(field);
  return hub::HttpResponse{status,
                           "application/json",
                           boost::json::serialize(boost::json::object{{"error", std::move(e)}}),
                           {}};
}

inline hub::HttpResponse json_response(unsigned status, const boost::json::value& body);

// A 401 that says why in a stable `problem` (common/session_end.hpp), the same code as
// a 4001 close's: the console tells its agent why whichever reaches it first.
inline hub::HttpResponse unauthorized(const SessionEnd& why) {
  boost::json::object e{
      {"code", "unauthorized"}, {"problem", why.problem}, {"message", why.message}};
  return hub::HttpResponse{401,
                           "application/json",
                           boost::json::serialize(boost::json::object{{"error", std::move(e)}}),
                           {}};
}

// A storage call the plugin refused as bad (ABI 1.11 SB_REFUSED: StoreResult::refused):
// the request's input is at fault, so asking again will not help and the storage is
// not down. 422 bad_field with the plugin's reason, where a failure answers 503.
inline hub::HttpResponse refused_by_storage(const engine::StoreResult& r) {
  return error_response(422, "bad_field", "the tenant's storage refused the request: " + r.error);
}

// The HTTP status of a refusal in the wire protocol's error codes.
inline unsigned http_status(metrics::ErrorCode code) {
  switch (code) {
    case metrics::ErrorCode::forbidden:
      return 403;
    case metrics::ErrorCode::not_found:
      return 404;
    case metrics::ErrorCode::too_large:
      return 413;
    case metrics::ErrorCode::rate_limited:
      return 429;
    case metrics::ErrorCode::unavailable:
      return 503;
    default:
      return 422;
  }
}

// The engine's answer as the REST API says it: 200 with its document, or the
// refusal's status with the usual error body.
inline hub::HttpResponse answer_response(engine::Answer answer) {
  if (answer.error)
    return error_response(http_status(*answer.error), metrics::to_string(*answer.error),
                          answer.message);
  return hub::HttpResponse{200, "application/json", std::move(answer.body), {}};
}

// The engine's callback that responds with its answer.
inline auto answering(std::function<void(hub::HttpResponse)> respond) {
  return [respond = std::move(respond)](engine::Answer answer) {
    respond(answer_response(std::move(answer)));
  };
}

// 422 naming every field the shared reader refused (errors must not be empty).
inline hub::HttpResponse field_errors_response(const json_fields::FieldErrors& errors) {
  boost::json::array all;
  for (const auto& e : errors)
    all.push_back(
        boost::json::object{{"code", e.code}, {"message", e.message}, {"field", e.field}});
  boost::json::object body{{"error", all.front()}, {"errors", std::move(all)}};
  return json_response(422, body);
}

inline hub::HttpResponse json_response(unsigned status, const boost::json::value& body) {
  return hub::HttpResponse{status, "application/json", boost::json::serialize(body), {}};
}

// What an admin edits, answered with its version: 304 when If-None-Match names it.
inline hub::HttpResponse versioned_response(const hub::HttpRequest& request,
                                            const boost::json::value& body) {
  std::string etag = etag_of(boost::json::serialize(body));
  hub::HttpResponse response = names_etag(request.if_none_match, etag)
                                   ? hub::HttpResponse{304, "application/json", {}, {}}
                                   : json_response(200, body);
  response.headers.emplace_back("ETag", std::move(etag));
  return response;
}

}  // namespace sb::api
