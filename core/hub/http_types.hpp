// Plain HTTP request/response values, so REST handlers never see Beast types.
#pragma once

#include <map>
#include <string>

namespace sb::hub {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, e.g. "/v1/tenants/demo/auth/login"
  std::map<std::string, std::string> query;  // decoded query parameters
  std::string authorization;                 // the Authorization header as sent ("Bearer ...")
  std::string content_type;
  std::string body;
  std::string remote_address;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The bearer token of a request: from "Authorization: Bearer T", else from the
// "token" query parameter (browsers cannot set headers on a WebSocket).
std::string bearer_token(const HttpRequest& request);

}  // namespace sb::hub
