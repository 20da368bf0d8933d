#include "hub/http_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "auth/session_book.hpp"
#include "auth/token_signer.hpp"
#include "common/ascii.hpp"
#include "common/clock.hpp"
#include "common/origin.hpp"
#include "hub/forwarded.hpp"
#include "hub/tls_context.hpp"
#include "hub/ws_session.hpp"

namespace sb::hub {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

// The one of loops that runs executor (a tenant engine's strand), or null.
net::io_context* loop_of(const net::any_io_executor& executor,
                         const std::vector<net::io_context*>& loops) {
  const net::execution_context* context = &net::query(executor, net::execution::context);
  for (net::io_context* loop : loops)
    if (static_cast<net::execution_context*>(loop) == context) return loop;
  return nullptr;
}

// A connection refused for its address's limit gets this long to send its request
// head, so that it can be answered; a closing connection this long to read it.
constexpr std::chrono::milliseconds kRefusalHeadTimeout{2000};
constexpr std::chrono::milliseconds kLingerTimeout{1000};
// What is read and dropped of a request that is not going to be served.
constexpr std::size_t kMaxDrainBytes = 64 * 1024;

// An upload: a POST whose path (before any query) ends in "/attachments".
bool is_upload(http::verb method, std::string_view target) {
  if (method != http::verb::post) return false;
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kSuffix = "/attachments";
  return target.size() >= kSuffix.size() &&
         target.substr(target.size() - kSuffix.size()) == kSuffix;
}

HttpResponse error_response(unsigned status, std::string_view code, std::string_view message) {
  std::string body = R"({"error":{"code":")";
  body.append(code).append(R"(","message":")").append(message).append("\"}}");
  return HttpResponse{status, "application/json", std::move(body)};
}

// A refused upgrade's 401 with the problem code the REST API's 401s carry.
HttpResponse unauthorized(const SessionEnd& why) {
  std::string body = R"({"error":{"code":"unauthorized","problem":")";
  body.append(why.problem).append(R"(","message":")").append(why.message).append("\"}}");
  return HttpResponse{401, "application/json", std::move(body)};
}

// The agent behind an upgrade, into state: a bearer token, else the console's
// session cookie, which only the server's own pages may use (a page elsewhere would
// ride on the agent's cookie). The refusal when neither will do.
std::optional<HttpResponse> authenticate_agent(const HttpRequest& parsed,
                                               auth::SessionBook& sessions,
                                               ConnectionState& state) {
  std::string token = bearer_token(parsed);
  if (token.empty()) {
    token = cookie_value(parsed, auth::kSessionCookie);
    if (!token.empty() && !same_origin_as_host(parsed.origin, parsed.host))
      return error_response(403, "forbidden_origin",
                            "a session cookie is accepted from this server's own pages only");
  }
  if (token.empty()) return unauthorized(kTokenRequired);
  const int64_t now_s = wall_clock_ms() / 1000;
  auto claims = sessions.verify(token, now_s);
  if (!claims) return unauthorized(sessions.refusal(token, now_s));
  if (claims->kind != "agent") return unauthorized(kInvalidToken);
  if (claims->tenant != state.gate->id())
    return error_response(403, "forbidden", "this token belongs to another tenant");
  state.who.role = engine::Role::agent;
  state.who.id = claims->subject;
  state.who.agent_role = claims->role;
  state.who.epoch = claims->epoch;
  state.expires_at_s = claims->expires_at_s;
  state.session = claims->session;
  state.issued_at_ms = claims->issued_at_ms;
  return std::nullopt;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, ConnectionSlot slot,
                         SessionContext& context, bool over_address_limit)
    : stream_(beast::tcp_stream(std::move(socket))),
      slot_(std::move(slot)),
      context_(context),
      over_address_limit_(over_address_limit) {
  beast::error_code ec;
  peer_ = stream_.socket().remote_endpoint(ec).address();
}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    // One deadline from the connection to its first request head, however it
    // trickles in (slowloris), with the TLS handshake before it if there is one: a
    // client that connects and says nothing is closed in time.
    const std::chrono::milliseconds head_timeout(self->context_.options.handshake_timeout_ms);
    self->first_head_deadline_ =
        std::chrono::steady_clock::now() +
        (self->over_address_limit_ ? std::min(head_timeout, kRefusalHeadTimeout) : head_timeout);
    self->stream_.tcp().expires_at(self->first_head_deadline_);
    if (!self->context_.options.tls) return self->read_next(false);
    // With a certificate, one port serves both: a TLS client hello starts with a
    // handshake record, anything else is taken for plain HTTP.
    beast::async_detect_ssl(self->stream_.tcp(), self->buffer_,
                            beast::bind_front_handler(&HttpSession::on_detect, self));
  });
}

void HttpSession::on_detect(beast::error_code ec, bool tls) {
  if (ec == beast::error::timeout) {
    if (buffer_.size() > 0)
      context_.services->metrics().slow_heads_closed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ec) return;
  if (!tls) return read_next(false);
  stream_.async_tls_handshake(
      *context_.options.tls, buffer_.data(),
      beast::bind_front_handler(&HttpSession::on_tls_handshake, shared_from_this()));
}

void HttpSession::on_tls_handshake(beast::error_code ec, std::size_t used) {
  if (ec == beast::error::timeout) {
    context_.services->metrics().slow_heads_closed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ec) {
    // A client that does not trust the certificate, speaks no common version, or
    // sent bytes that only began like TLS (a scanner, a misdirected protocol).
    context_.services->metrics().tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
    uint64_t held_back = 0;
    if (context_.tls_failure_log.allow(monotonic_ms(), held_back)) {
      if (held_back > 0)
        spdlog::info("TLS handshake with {} failed: {} ({} more failed since the last line)",
                     peer_.to_string(), ec.message(), held_back);
      else
        spdlog::info("TLS handshake with {} failed: {}", peer_.to_string(), ec.message());
    }
    return;
  }
  buffer_.consume(used);
  // Listed until it ends (or becomes a WebSocket), so that a stopping server can
  // end it with close_notify.
  tls_listing_ = context_.tls_connections.add(
      context_.next_peer_id.fetch_add(1, std::memory_order_relaxed), [weak = weak_from_this()] {
        if (auto self = weak.lock())
          net::dispatch(self->stream_.get_executor(), [self] { self->stop(); });
      });
  read_next(false);
}

// Plain HTTP on a port with a certificate is for this machine (health checks,
// scripts) and for the trusted proxies; a browser that typed http:// is sent to
// https://, anything else is refused.
bool HttpSession::plain_http_refused() const {
  const auto& options = context_.options;
  return options.tls && !stream_.is_tls() && !options.plain_http_addresses.contains(peer_) &&
         !options.trusted_proxies.contains(peer_);
}

void HttpSession::read_next(bool new_deadline) {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_.options.max_header_bytes));
  // Beast checks Content-Length against the body limit as soon as the head is in:
  // until the target is known, any request may be an upload.
  parser_->body_limit(std::max(context_.options.max_upload_bytes, context_.options.max_body_bytes));
  // The whole head within one deadline, however it trickles in (slowloris); the same
  // deadline bounds the wait for the next request of a kept-alive connection.
  const std::chrono::milliseconds limit(context_.options.handshake_timeout_ms);
  if (stream_.is_tls())
    watch_idle(new_deadline ? std::chrono::steady_clock::now() + limit : first_head_deadline_);
  else if (new_deadline)
    stream_.tcp().expires_after(limit);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

// A TLS connection waits for its next request under a timer of its own rather than
// the TCP deadline, which would close the socket at once: an idle one is then ended
// with close_notify like any graceful close, a started head that did not finish
// (slowloris) is cut off.
void HttpSession::watch_idle(std::chrono::steady_clock::time_point deadline) {
  stream_.expires_never();
  idle_timer_.emplace(stream_.get_executor());
  idle_timer_->expires_at(deadline);
  idle_timer_->async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    // Not if the head arrived meanwhile (the timer is gone, or a later one's).
    if (!self || ec || !self->idle_timer_ ||
        self->idle_timer_->expiry() > std::chrono::steady_clock::now())
      return;
    self->head_expired_ = true;
    beast::error_code ignored;
    if (self->buffer_.size() > 0 || self->parser_->got_some())
      self->stream_.socket().close(ignored);
    else
      self->stream_.socket().cancel(ignored);  // on_header closes it gracefully
  });
}

// The server is stopping: a connection waiting for a request ends now, one with a
// request in hand after its answer.
void HttpSession::stop() {
  stopping_ = true;
  if (!idle_timer_ || buffer_.size() > 0 || parser_->got_some()) return;
  head_expired_ = true;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  auto& registry = context_.services->metrics();
  if (idle_timer_) {
    idle_timer_.reset();  // cancels the wait
    // A head that arrived just in time is served all the same.
    if (std::exchange(head_expired_, false) && ec) {
      if (buffer_.size() > 0 || parser_->got_some()) {
        registry.slow_heads_closed.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      return close_gracefully();
    }
  }
  if (ec == http::error::header_limit) {
    registry.header_limit_refusals.fetch_add(1, std::memory_order_relaxed);
    return respond(error_response(431, "too_large", "the request headers are too large"), false);
  }
  if (ec == beast::error::timeout) {
    // A started head that did not finish is a slow or stalled client; an idle
    // connection (a browser's spare, a kept-alive one) just closes quietly.
    if (buffer_.size() > 0 || parser_->got_some())
      registry.slow_heads_closed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ec) return on_read(ec);
  if (over_address_limit_) {
    return respond(error_response(429, "rate_limited",
                                  "too many connections from this address; try again later"),
                   false);
  }
  // The body limit depends on what is asked: only uploads may be large. The head
  // was read with the uploads' limit, so a declared length is checked here.
  const auto& header = parser_->get();
  const std::size_t body_limit = is_upload(header.method(), header.target())
                                     ? context_.options.max_upload_bytes
                                     : context_.options.max_body_bytes;
  if (const auto length = parser_->content_length(); length && *length > body_limit)
    return respond(error_response(413, "too_large", "the request body is too large"), false);
  parser_->body_limit(body_limit);  // a chunked body is counted as it comes
  start_transfer();
  read_body();
}

void HttpSession::start_transfer() {
  transfer_started_ = std::chrono::steady_clock::now();
  transferred_bytes_ = 0;
}

// The deadline of the next piece of a body: it must move within the idle time and,
// once that much time has passed, keep up the minimum average rate, so that a
// client cannot hold the connection with a byte every few seconds.
void HttpSession::expire_transfer() {
  const auto& options = context_.options;
  const std::chrono::milliseconds idle(options.transfer_idle_timeout_ms);
  auto deadline = std::chrono::steady_clock::now() + idle;
  if (options.min_transfer_bytes_per_second > 0) {
    const std::chrono::milliseconds earned(transferred_bytes_ * 1000 /
                                           options.min_transfer_bytes_per_second);
    deadline = std::min(deadline, transfer_started_ + idle + earned);
  }
  stream_.tcp().expires_at(deadline);
}

// The body is read piece by piece, each piece with its own deadline: a slow upload
// may take as long as it needs while it moves, a stalled one is cut off.
void HttpSession::read_body() {
  if (parser_->is_done()) return on_read({});
  expire_transfer();
  http::async_read_some(stream_, buffer_, *parser_,
                        beast::bind_front_handler(&HttpSession::on_body, shared_from_this()));
}

void HttpSession::on_body(beast::error_code ec, std::size_t bytes) {
  if (ec == beast::error::timeout) {
    context_.services->metrics().stalled_transfers_closed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ec) return on_read(ec);
  transferred_bytes_ += bytes;
  read_body();
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream) {
    // The client is done: over TLS it said so with close_notify, answered in kind.
    if (stream_.is_tls())
      return stream_.async_tls_shutdown([self = shared_from_this()](beast::error_code) {});
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec == http::error::body_limit) {
    return respond(error_response(413, "too_large", "the request body is too large"), false);
  }
  if (ec) return;  // reset or a malformed request: drop the connection

  Request request = parser_->release();
  HttpRequest parsed;
  parsed.method = std::string(request.method_string());
  if (!parse_target(request.target(), parsed))
    return respond(error_response(400, "bad_request", "malformed request target"), false);
  parsed.authorization = std::string(request[http::field::authorization]);
  parsed.content_type = std::string(request[http::field::content_type]);
  parsed.origin = std::string(request[http::field::origin]);
  parsed.host = std::string(request[http::field::host]);
  parsed.cookie = std::string(request[http::field::cookie]);
  parsed.if_none_match = std::string(request[http::field::if_none_match]);
  parsed.if_match = std::string(request[http::field::if_match]);
  parsed.csrf_token = std::string(request["X-CSRF-Token"]);
  parsed.file_name = std::string(request["X-File-Name"]);
  parsed.target = std::string(request.target());
  parsed.forwarded_mark = std::string(request["X-Switchboard-Forwarded"]);
  // Who is asking: the peer, or the client a trusted proxy names (every
  // X-Forwarded-For line counts, in order).
  const auto& trusted = context_.options.trusted_proxies;
  std::string forwarded_for;
  if (!trusted.empty() && trusted.contains(peer_)) {
    auto [line, end] = request.equal_range("X-Forwarded-For");
    for (; line != end; ++line) {
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for.append(line->value());
    }
  }
  const auto client = client_address(peer_, forwarded_for, trusted);
  parsed.remote_address = client.to_string();
  parsed.scheme = stream_.is_tls()
                      ? "https"
                      : std::string(client_scheme(peer_, request["X-Forwarded-Proto"], trusted));

  if (plain_http_refused()) {
    const bool navigation =
        (request.method() == http::verb::get || request.method() == http::verb::head) &&
        !beast::websocket::is_upgrade(request) && !parsed.host.empty();
    if (!navigation)
      return respond(error_response(400, "tls_required",
                                    "this server speaks HTTPS only: use "
                                    "https:// (or wss://)"),
                     false);
    HttpResponse redirect{308, "text/plain", "This server speaks HTTPS only.\n"};
    redirect.headers.emplace_back("Location",
                                  "https://" + parsed.host + std::string(request.target()));
    return respond(redirect, false);
  }

  if (beast::websocket::is_upgrade(request))
    return upgrade(std::move(request), std::move(parsed), client);

  parsed.body = std::move(request.body());
  const bool keep_alive = request.keep_alive();
  context_.services->handle_http(
      std::move(parsed), [self = shared_from_this(), keep_alive](HttpResponse response) {
        net::post(self->stream_.get_executor(), [self, keep_alive, response = std::move(response)] {
          self->respond(response, keep_alive);
        });
      });
}

void HttpSession::upgrade(Request request, HttpRequest parsed, const net::ip::address& client) {
  const bool visitor = parsed.path == "/v1/ws/visitor";
  if (!visitor && parsed.path != "/v1/ws/agent")
    return respond(error_response(404, "not_found", "no WebSocket endpoint at this path"), false);

  // Behind a trusted proxy, the client's address limit applies to what lasts: its
  // WebSockets (the proxy's own connection carries anyone's plain requests).
  const auto& trusted = context_.options.trusted_proxies;
  if (!trusted.empty() && trusted.contains(peer_)) {
    auto hold = context_.per_address->try_open(client, monotonic_ms());
    if (!hold)
      return respond(error_response(429, "rate_limited",
                                    "too many connections from this address; try again later"),
                     false);
    slot_.hold_address(std::move(*hold));
  }

  const auto tenant_param = parsed.query.find("tenant");
  auto gate = tenant_param == parsed.query.end()
                  ? nullptr
                  : context_.services->find_tenant(tenant_param->second);
  if (!gate) return respond(error_response(404, "not_found", "no such tenant"), false);

  ConnectionState state;
  state.gate = gate;
  state.signer = &context_.services->signer();
  if (visitor) {
    // Only the tenant's websites (and the widget frame this server serves them) may
    // open the chat in a browser; no Origin: no browser.
    if (!gate->origin_allowed(parsed.origin, parsed.host))
      return respond(
          error_response(403, "forbidden_origin", "this website may not use this tenant's chat"),
          false);
    state.who.role = engine::Role::visitor;
  } else {
    if (auto refusal = authenticate_agent(parsed, context_.services->sessions(), state))
      return respond(*refusal, false);
  }
  if (!gate->try_open_connection()) {
    context_.services->metrics().rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return respond(
        error_response(503, "unavailable", "this tenant has reached its connection limit"), false);
  }
  // The connection lives on the loop its tenant's engine runs on: the engine's
  // frames to it are then plain calls and its frames to the engine wake no other
  // thread (a message used to wake about five threads on its way; see issue 12 in
  // tests/bench/RESULTS.md). A plain one goes there as a bare socket (the WebSocket
  // keeps its own time); a TLS stream's state cannot change loops.
  net::io_context* home = loop_of(gate->engine()->executor(), context_.loops);
  tls_listing_.reset();  // the WebSocket lists itself
  boost::system::error_code moved;
  TransportStream stream =
      stream_.is_tls() ? std::move(stream_) : std::move(stream_).into_bare(home, moved);
  if (moved) {
    spdlog::warn("tenant {}: cannot move a connection to its loop: {}", gate->id(),
                 moved.message());
    gate->close_connection();
    return;  // closed: the client sees the connection end
  }
  auto session =
      std::make_shared<WsSession>(std::move(stream), std::move(slot_), context_, std::move(state));
  net::dispatch(session->executor(), [session, request = std::move(request)]() mutable {
    session->run(std::move(request));
  });
}

void HttpSession::respond(const HttpResponse& response, bool keep_alive) {
  response_ = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(response.status), 11);
  response_->set(http::field::server, "switchboard");
  response_->set(http::field::content_type, response.content_type);
  bool cache_control_set = false;
  for (const auto& [name, value] : response.headers) {
    response_->insert(name, value);
    cache_control_set = cache_control_set || ascii_iequals(name, "Cache-Control");
  }
  if (!cache_control_set) response_->set(http::field::cache_control, "no-store");
  if (stream_.is_tls() && !context_.options.strict_transport_security.empty())
    response_->set(http::field::strict_transport_security,
                   context_.options.strict_transport_security);
  keep_alive = keep_alive && !stopping_;
  response_->keep_alive(keep_alive);
  response_->body() = response.body;
  response_->prepare_payload();
  serializer_.emplace(*response_);
  start_transfer();
  write_some(keep_alive);
}

// Like the body of a request, a response (a large download) is written piece by
// piece and cut off only when the client stops reading.
void HttpSession::write_some(bool keep_alive) {
  expire_transfer();
  http::async_write_some(
      stream_, *serializer_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t bytes) {
  if (ec == beast::error::timeout) {
    context_.services->metrics().stalled_transfers_closed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (ec) return;
  transferred_bytes_ += bytes;
  if (!serializer_->is_done()) return write_some(keep_alive);
  serializer_.reset();
  response_.reset();
  if (!keep_alive || stopping_) return close_gracefully();
  read_next(true);
}

// Ends the connection after a final answer without resetting it: a TLS session
// ends first with close_notify (so the client can tell the answer is complete);
// what the client still sends (the rest of a refused request) is read and dropped,
// briefly, so the close does not destroy the answer before the client has read it.
void HttpSession::close_gracefully() {
  if (stream_.is_tls())
    return stream_.async_tls_shutdown(
        [self = shared_from_this()](beast::error_code) { self->linger(); });
  linger();
}

void HttpSession::linger() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  buffer_.clear();
  stream_.tcp().expires_after(kLingerTimeout);
  stream_.tcp().async_read_some(
      buffer_.prepare(4096), beast::bind_front_handler(&HttpSession::on_drain, shared_from_this()));
}

void HttpSession::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_bytes_ += bytes;
  if (ec || drained_bytes_ > kMaxDrainBytes) return;  // the client closed too, or too much
  stream_.tcp().async_read_some(
      buffer_.prepare(4096), beast::bind_front_handler(&HttpSession::on_drain, shared_from_this()));
}

}  // namespace sb::hub
