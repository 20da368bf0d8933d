// sb_http_cpp.hpp: the host's outbound HTTP(S) service (sb_http_v1) for C++ plugins.
//
// Header-only, built on sb_plugin.h and sb_plugin_cpp.hpp. Plugins never open
// sockets: the host runs each request on its I/O threads with keep-alive, verified
// TLS and a time limit. Usage, in an instance that kept its sb::Host:
//
//   sb::http::Client http(host);  // looks the service up once
//   std::string why = http.request(
//       "POST", url, {{"Content-Type", "application/json"}}, body, 3000,
//       nullptr,                                    // no on_chunk: body buffered
//       [done](const sb::http::Response& r) {       // exactly once, host thread
//         if (r.status == 200) done.ok(r.body); else done.defer();
//       });
//   if (!why.empty()) done.error(why);             // not started: nothing is called
//
// A host without the service (a 1.0 host) gives a Client whose available() is false
// and whose request() returns "this host has no sb_http_v1 service".
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::http {

// The end of a request. The views are borrowed for the on_done call.
struct Response {
  int32_t status = 0;     // HTTP status; 0 when no response came (error says why)
  std::string_view body;  // empty when the body went to on_chunk
  std::string_view content_type;
  std::string_view error;  // "timeout", "connect: ...", "tls: ..."
};

using Headers = std::vector<std::pair<std::string, std::string>>;
// Body bytes as they arrive, in order, never concurrently; the view is borrowed.
using OnChunk = std::function<void(std::string_view chunk)>;
using OnDone = std::function<void(const Response& response)>;

// headers as the JSON object sb_http_request.headers_json wants.
inline std::string headers_json(const Headers& headers) {
  std::string json = "{";
  for (const auto& [name, value] : headers) {
    if (json.size() > 1) json += ',';
    json += json_quote(name);
    json += ':';
    json += json_quote(value);
  }
  json += '}';
  return json;
}

class Client {
 public:
  Client() = default;  // no service: request() always refuses
  explicit Client(const Host& host) : host_(host) {
    if (!host.api || host.api->struct_size < offsetof(sb_host_api, get_api) + sizeof(void*) ||
        !host.api->get_api)
      return;
    const auto* api = static_cast<const sb_http_api*>(host.api->get_api(SB_HTTP_API_V1));
    if (api && api->struct_size >= offsetof(sb_http_api, request) + sizeof(void*) && api->request)
      api_ = api;
  }

  bool available() const { return api_ != nullptr; }

  // Starts a request; never blocks. Returns "" when it started: then on_done runs
  // exactly once, on a host thread, after every on_chunk. Otherwise returns why it
  // did not start (no service, a malformed request) and calls neither. With on_chunk
  // empty the body is buffered (at most 8 MiB) into Response::body. timeout_ms
  // covers connect to last byte (0 = the host's 10 s). An exception thrown by a
  // callback is logged and goes no further.
  std::string request(std::string_view method, std::string_view url, const Headers& headers,
                      std::string_view body, uint32_t timeout_ms, OnChunk on_chunk,
                      OnDone on_done) const {
    if (!api_) return "this host has no " SB_HTTP_API_V1 " service";
    const std::string header_text = headers_json(headers);
    sb_http_request req{};
    req.struct_size = sizeof(sb_http_request);
    req.timeout_ms = timeout_ms;
    req.method = str(method);
    req.url = str(url);
    req.headers_json = str(header_text);
    req.body = str(body);
    auto* call = new Call{host_, std::move(on_chunk), std::move(on_done)};
    char buffer[256] = {};
    sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
    const int32_t status = api_->request(host_.ctx, &req, call->on_chunk ? &Call::chunk : nullptr,
                                         &Call::done, call, &err);
    if (status == SB_OK) return {};
    delete call;
    return buffer[0] ? std::string(buffer) : std::string("the host refused the request");
  }

 private:
  // One request's callbacks, owned by the host between request() and on_done.
  struct Call {
    Host host;
    OnChunk on_chunk;
    OnDone on_done;

    static void chunk(void* user, sb_str bytes) {
      auto* call = static_cast<Call*>(user);
      guarded_void(call->host.api, call->host.ctx, [&] { call->on_chunk(view(bytes)); });
    }
    static void done(void* user, const sb_http_response* response) {
      auto* call = static_cast<Call*>(user);
      guarded_void(call->host.api, call->host.ctx, [&] {
        Response r{response->status, view(response->body), view(response->content_type),
                   view(response->error)};
        if (call->on_done) call->on_done(r);
      });
      delete call;
    }
  };

  Host host_;
  const sb_http_api* api_ = nullptr;
};

}  // namespace sb::http
