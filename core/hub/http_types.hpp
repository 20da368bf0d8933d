// Plain HTTP request/response values, so REST handlers never see Beast types.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::hub {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, e.g. "/v1/tenants/demo/auth/login"
  std::string target;  // the request target as sent, e.g. "/v1/tenants/demo/stats/live?x=1"
  std::map<std::string, std::string> query;  // decoded query parameters
  std::string authorization;                 // the Authorization header as sent ("Bearer ...")
  std::string content_type;
  std::string body;
  // The client's address: the TCP peer's, or behind a trusted proxy the client's
  // it names in X-Forwarded-For.
  std::string remote_address;
  // "https" when a trusted proxy says the client used TLS, else "http".
  std::string scheme = "http";
  // Headers the browser-facing endpoints need, as sent ("" when absent).
  std::string origin;         // Origin: CSRF and allowed-origin checks
  std::string host;           // Host: what "same origin" means for this request
  std::string cookie;         // Cookie: the console's session
  std::string if_none_match;  // If-None-Match: static assets' ETag, the routing graph's version
  std::string if_match;       // If-Match: the routing graph's version a PUT was made from
  std::string csrf_token;     // X-CSRF-Token: set by the console on cookie-authenticated calls
  std::string file_name;      // X-File-Name: an upload's original name (percent-encoded)
  // X-Switchboard-Forwarded: the mark of a request another node of the cluster
  // forwarded to this one (cluster/rest_forward.hpp); believed only once verified.
  std::string forwarded_mark;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (name, value), e.g. ETag, Set-Cookie, Content-Disposition. A
  // Cache-Control given here replaces the default "no-store".
  std::vector<std::pair<std::string, std::string>> headers{};
};

// Splits a request target ("/v1/x?a=1") into out's decoded path and query
// parameters (the last of a repeated name wins). False when it is not a valid
// origin-form target.
bool parse_target(std::string_view target, HttpRequest& out);

// The bearer token of a request: from "Authorization: Bearer T", else from the
// "token" query parameter (browsers cannot set headers on a WebSocket).
std::string bearer_token(const HttpRequest& request);

// The value of one cookie of the request's Cookie header, "" when absent.
std::string cookie_value(const HttpRequest& request, std::string_view name);

}  // namespace sb::hub
