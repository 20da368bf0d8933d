// An asynchronous HTTP/1.1 client for outbound calls (plugins' sb_http_v1): http and
// https (verified against the system's trust store, with SNI and host name check),
// keep-alive connections reused per (scheme, host, port) from a small bounded pool,
// one time limit for the whole request, the body streamed to a callback as it
// arrives (server-sent events) or buffered up to a cap.
//
// Plain interface: Beast and OpenSSL stay in the .cpp, so including this is cheap.
// Thread-safe: request() may be called from any thread and never blocks.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::http_client {

struct Request {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // connect to last byte
};

struct Response {
  int status = 0;    // 0 when no complete response came; error says why
  std::string body;  // empty when streamed to on_chunk
  std::string content_type;
  // Every header of the response as received (name, value), Content-Type included.
  std::vector<std::pair<std::string, std::string>> headers;
  // "" on success, else "timeout", "resolve: ...", "connect: ...", "tls: ...",
  // "write: ...", "read: ...", "body larger than N bytes".
  std::string error;
};

// Body bytes as they arrive, in order, never concurrently for one request.
using OnChunk = std::function<void(std::string_view chunk)>;
// Exactly once per started request, after the last chunk.
using OnDone = std::function<void(Response response)>;

struct ClientOptions {
  size_t max_idle_per_host = 4;  // kept-alive connections per (scheme, host, port)
  size_t max_idle_total = 32;
  std::chrono::seconds idle_for{30};        // an idle connection older than this is closed
  size_t max_body_bytes = 8 * 1024 * 1024;  // a buffered body beyond it is an error
};

class Client {
 public:
  // Runs every request on executor (give it an io_context's; a multi-threaded one is
  // fine: each request runs on its own strand).
  explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the request. Returns "" when started (on_done then runs exactly once, on
  // the executor) or why not (a malformed URL or method); then nothing is called.
  // With on_chunk empty the body is buffered into Response::body.
  std::string request(Request request, OnChunk on_chunk, OnDone on_done);

  // Idle connections in the pool now (for tests and metrics).
  size_t idle_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::http_client
