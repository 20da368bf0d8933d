// The connection hub: one TCP port for HTTP/1.1 and WebSocket, served by one
// event loop per core. Accepted sockets are spread over the loops and stay on
// theirs; there is no thread per connection and no lock on the message path.
//
// The hub authenticates upgrades, decodes and checks client frames (size, rate,
// fields) and hands commands to the tenant's engine. Every other HTTP request goes
// to HubServices::handle_http (REST, health, metrics, web assets).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/address_ranges.hpp"
#include "hub/http_types.hpp"
#include "hub/tenant_gate.hpp"

namespace sb::auth {
class TokenSigner;
class SessionBook;
}  // namespace sb::auth

namespace sb::hub {

class TlsContext;

struct HubOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port
  uint32_t max_connections = 18000;
  // Connections one client address (IPv6: one /64) may have open; 0 = no limit.
  // Over it, a connection is answered 429 and closed before any upgrade.
  uint32_t max_connections_per_address = 1000;
  // Addresses the per-address limit does not count; by default this machine.
  AddressRanges unlimited_addresses = loopback_ranges();
  // The request line and headers of each request (and so a WebSocket upgrade) must
  // arrive within this, counted from the connection or the previous response; the
  // WebSocket handshake's answer and its closing handshake are bound by it too, and
  // a new connection's TLS handshake shares its first request's deadline.
  uint32_t handshake_timeout_ms = 10000;
  // Headers larger than this are answered 431 and the connection is closed.
  std::size_t max_header_bytes = 16 * 1024;
  // A request body or a response that moves no byte for this long is cut off. There
  // is no total limit: a large upload on a slow link takes as long as it keeps moving.
  uint32_t transfer_idle_timeout_ms = 30000;
  // Once transfer_idle_timeout_ms has passed, a body or response must also average
  // at least this many bytes a second since it began; 0 = no minimum.
  uint32_t min_transfer_bytes_per_second = 500;
  // A visitor WebSocket that has not said hello (successfully) within this is closed
  // (1008). The widget says hello as soon as the socket opens.
  uint32_t hello_timeout_ms = 30000;
  // A WebSocket whose client has sent nothing (no frame, no pong) for this long is
  // pinged; one silent for twice as long is taken for dead and closed.
  uint32_t websocket_ping_ms = 30000;
  // The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
  AddressRanges trusted_proxies;
  std::size_t send_queue_max_bytes = 1 << 20;
  // WebSocket messages above this are refused by the WebSocket layer itself
  // (close 1009); below it, each tenant's max_message_bytes gives a too_large error.
  std::size_t hard_max_frame_bytes = 1 << 20;
  // The largest request body: 1 MiB for everything but file uploads (POST to a
  // path ending in "/attachments"), which may carry up to max_upload_bytes; each
  // tenant's own, smaller limit is checked by the upload endpoint.
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_upload_bytes = 32 << 20;
  // With a certificate, the port speaks HTTPS and WSS; plain HTTP on it is served
  // only to these addresses and the trusted proxies (others are sent to https://).
  std::shared_ptr<TlsContext> tls;
  AddressRanges plain_http_addresses = loopback_ranges();
  // Sent as Strict-Transport-Security on every answer over TLS (never over plain
  // HTTP, where a browser must ignore it); empty: not sent.
  std::string strict_transport_security;
};

class HubServices {
 public:
  virtual ~HubServices() = default;
  // The tenant by id, or nullptr. Any thread.
  virtual std::shared_ptr<TenantGate> find_tenant(std::string_view id) = 0;
  virtual const auth::TokenSigner& signer() const = 0;
  // The console's cookie sessions (verify tokens through it: it knows sign-outs).
  virtual auth::SessionBook& sessions() = 0;
  virtual metrics::Registry& metrics() = 0;
  // Answers a plain HTTP request. respond may be called from any thread, once.
  virtual void handle_http(HttpRequest request, std::function<void(HttpResponse)> respond) = 0;
};

class Hub {
 public:
  Hub(std::vector<boost::asio::io_context*> loops, HubOptions options, HubServices& services);
  ~Hub();

  // Binds and starts accepting; returns the bound port. Throws on bind errors.
  uint16_t start();
  // Stops accepting and ends the open TLS connections cleanly: a WebSocket with a
  // 1001 close, then close_notify; an idle HTTP connection with close_notify, a busy
  // one after its answer. Plain connections end with their loops.
  void stop();
  // After stop(): waits until the TLS connections have ended, at most `limit`
  // (the loops must still run); false if some had not.
  bool wait_for_tls_connections(std::chrono::milliseconds limit);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::hub
