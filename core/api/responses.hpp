// JSON error bodies of the REST API: {"error":{"code","message","field"?}}.
#pragma once

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "hub/http_types.hpp"

namespace sb::api {

inline hub::HttpResponse error_response(unsigned status, std::string_view code,
                                        std::string_view message, std::string_view field = {}) {
  boost::json::object e{{"code", code}, {"message", message}};
  if (!field.empty()) e["field"] = field;
  return hub::HttpResponse{status, "application/json",
                           boost::json::serialize(boost::json::object{{"error", std::move(e)}})};
}

inline hub::HttpResponse json_response(unsigned status, const boost::json::value& body) {
  return hub::HttpResponse{status, "application/json", boost::json::serialize(body)};
}

}  // namespace sb::api
