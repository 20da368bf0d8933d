// JSON error bodies of the REST API: {"error":{"code","message","field"?}}; a body
// with several bad fields also lists them all: {"error":first,"errors":[...]}.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/locale/encoding_utf.hpp>
#include <string_view>

#include "api/etag.hpp"
#include "common/json_fields.hpp"
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
