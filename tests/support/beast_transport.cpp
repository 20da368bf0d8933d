// The test support library's clients: HTTP and WebSocket behind http_client.hpp and
// ws_client.hpp (the fake LLM server, fake_openai.cpp, is the other Beast user).
//
// Waiting is built on one idea: every operation is asynchronous on a private
// io_context, and the caller runs that context only until its condition holds or
// its deadline passes. A WebSocket read is always outstanding, so frames are
// buffered whenever the test waits for anything.
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <deque>
#include <thread>
#include <variant>

#include "support/build_speed.hpp"
#include "support/http_client.hpp"
#include "support/ws_client.hpp"

namespace sb::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

tcp::endpoint loopback(uint16_t port) {
  return {net::ip::make_address("127.0.0.1"), port};
}

std::string host_header(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

}  // namespace

// ---------------------------------------------------------------- HTTP

json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) throw std::runtime_error("HTTP " + std::to_string(status) + " body is not JSON: " + body);
  return value;
}

namespace {

// The client side of TLS in tests: any certificate will do (self-signed).
net::ssl::context& test_tls_context() {
  static net::ssl::context context = [] {
    net::ssl::context c(net::ssl::context::tls_client);
    c.set_verify_mode(net::ssl::verify_none);
    return c;
  }();
  return context;
}

// One request over stream (plain or TLS): connect, handshake(next) when TLS, write,
// read; one deadline covers them all.
template <class Stream, class Handshake>
HttpResponse exchange(net::io_context& ioc, Stream& stream, Handshake handshake, uint16_t port,
                      const std::string& method, const std::string& target, const std::string& body,
                      const Headers& headers, std::chrono::milliseconds timeout) {
  auto& tcp = beast::get_lowest_layer(stream);
  // The caller's deadline is for a broken server, not a bound under test: a sanitized
  // build answering a knowledge-base upload gets more (build_speed.hpp).
  tcp.expires_after(harness_deadline(timeout));

  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, host_header(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    request.body() = body;
    request.prepare_payload();
  }

  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
  std::string failed_step;
  tcp.async_connect(loopback(port), [&](beast::error_code ec) {
    if (ec) {
      failure = ec, failed_step = "connect";
      return;
    }
    handshake([&](beast::error_code ec) {
      if (ec) {
        failure = ec, failed_step = "TLS handshake";
        return;
      }
      http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          failure = ec, failed_step = "write";
          return;
        }
        http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
          if (ec) failure = ec, failed_step = "read";
        });
      });
    });
  });
  ioc.run();
  if (failure)
    throw std::runtime_error(method + " " + target + ": " + failed_step +
                             " failed: " + failure.message());

  HttpResponse result;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  return result;
}

}  // namespace

HttpResponse http_request(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body, const Headers& headers,
                          std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  return exchange(
      ioc, stream, [](auto next) { next(beast::error_code{}); }, port, method, target, body,
      headers, timeout);
}

HttpResponse https_request(uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body, const Headers& headers,
                           std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, test_tls_context());
  return exchange(
      ioc, stream,
      [&stream](auto next) { stream.async_handshake(net::ssl::stream_base::client, next); }, port,
      method, target, body, headers, timeout);
}

HttpResponse https_post_json(uint16_t port, const std::string& target, const json::value& body,
                             const Headers& headers) {
  Headers all = headers;
  all.emplace_back("Content-Type", "application/json");
  return https_request(port, "POST", target, json::serialize(body), all);
}

TlsCertificateSeen tls_certificate_seen(uint16_t port, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, test_tls_context());
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::error_code failure;
  beast::get_lowest_layer(stream).async_connect(loopback(port), [&](beast::error_code ec) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_handshake(net::ssl::stream_base::client,
                           [&](beast::error_code ec) { failure = ec; });
  });
  ioc.run();
  if (failure) throw std::runtime_error("TLS handshake failed: " + failure.message());
  X509* certificate = SSL_get_peer_certificate(stream.native_handle());
  if (!certificate) throw std::runtime_error("the server showed no certificate");
  TlsCertificateSeen seen;
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(certificate), subject, sizeof subject);
  seen.subject = subject;
  if (seen.subject.starts_with("/")) seen.subject.erase(0, 1);
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(serial);
  seen.serial = hex;
  OPENSSL_free(hex);
  BN_free(serial);
  X509_free(certificate);
  return seen;
}

HttpResponse http_post_json(uint16_t port, const std::string& target, const json::value& body,
                            const Headers& headers) {
  Headers all = headers;
  all.emplace_back("Content-Type", "application/json");
  return http_request(port, "POST", target, json::serialize(body), all);
}

// ---------------------------------------------------------------- WebSocket

UpgradeRejected::UpgradeRejected(int status_code, std::string response_body)
    : std::runtime_error("WebSocket upgrade rejected with HTTP " + std::to_string(status_code) +
                         ": " + response_body),
      status(status_code),
      body(std::move(response_body)) {}

std::string describe(const json::object& frame) {
  return json::serialize(frame);
}

struct WsClient::Impl {
  using PlainWs = websocket::stream<beast::tcp_stream>;
  using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  explicit Impl(bool tls) {
    if (tls)
      ws.emplace<TlsWs>(ioc, test_tls_context());
    else
      ws.emplace<PlainWs>(ioc);
  }

  // Calls f with the WebSocket stream, whichever it is.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws);
  }

  net::io_context ioc;
  std::variant<PlainWs, TlsWs> ws{std::in_place_type<PlainWs>, ioc};
  beast::flat_buffer read_buffer;
  std::deque<json::object> frames;
  std::vector<std::string> violations;  // frames that break the contract (not JSON objects, binary)
  bool open = false;
  beast::error_code read_error;
  std::optional<uint16_t> close_code;
  std::string close_reason;

  void start_read() {
    with_ws([this](auto& ws) { read_one(ws); });
  }

  template <class Ws>
  void read_one(Ws& ws) {
    ws.async_read(read_buffer, [this, &ws](beast::error_code ec, std::size_t) {
      if (ec) {
        open = false;
        read_error = ec;
        if (ec == websocket::error::closed) {
          close_code = static_cast<uint16_t>(ws.reason().code);
          close_reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
        }
        return;
      }
      std::string text = beast::buffers_to_string(read_buffer.data());
      read_buffer.consume(read_buffer.size());
      boost::system::error_code parse_error;
      auto value = json::parse(text, parse_error);
      if (!ws.got_text())
        violations.push_back("binary frame from server: " + text);
      else if (parse_error || !value.is_object())
        violations.push_back("non-JSON-object text frame from server: " + text);
      else
        frames.push_back(std::move(value.as_object()));
      start_read();
    });
  }

  // Runs the I/O until done() holds, the deadline passes, or nothing is left to wait for.
  template <class Done>
  bool pump_until(Done done, Clock::time_point deadline) {
    for (;;) {
      if (!violations.empty()) throw std::runtime_error(violations.front());
      if (done()) return true;
      const auto now = Clock::now();
      if (now >= deadline) return false;
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped()) {
        // No operation outstanding: the connection is gone and nothing can change.
        if (!violations.empty()) throw std::runtime_error(violations.front());
        return done();
      }
    }
  }

  std::string state() const {
    std::string text =
        open ? "open"
             : "closed (" + read_error.message() +
                   (close_code ? ", close code " + std::to_string(*close_code) : "") + ")";
    text += "; buffered frames:";
    if (frames.empty()) text += " none";
    for (const auto& frame : frames) text += "\n  " + describe(frame);
    return text;
  }

  void write(std::string_view payload, bool as_text) {
    if (!open) throw std::runtime_error("cannot send on a closed connection: " + state());
    bool done = false;
    beast::error_code failure;
    with_ws([&](auto& ws) {
      ws.text(as_text);
      ws.async_write(net::buffer(payload.data(), payload.size()),
                     [&](beast::error_code ec, std::size_t) {
                       failure = ec;
                       done = true;
                     });
    });
    if (!pump_until([&] { return done; }, Clock::now() + kFrameTimeout))
      throw std::runtime_error("send did not complete within the timeout (server not reading?)");
    if (failure) throw std::runtime_error("send failed: " + failure.message() + "; " + state());
  }

  static bool has_type(const json::object& frame, std::string_view type) {
    const auto* frame_type = frame.if_contains("type");
    return type.empty() ||
           (frame_type && frame_type->is_string() && frame_type->as_string() == type);
  }

  std::optional<json::object> take_first(std::string_view type) {
    return take_first_where([type](const json::object& frame) { return has_type(frame, type); });
  }

  std::optional<json::object> take_first_where(
      const std::function<bool(const json::object&)>& accept) {
    for (auto it = frames.begin(); it != frames.end(); ++it) {
      if (accept(*it)) {
        json::object frame = std::move(*it);
        frames.erase(it);
        return frame;
      }
    }
    return std::nullopt;
  }

  json::object wait_for(const std::function<bool(const json::object&)>& accept,
                        std::string_view what, std::chrono::milliseconds timeout) {
    std::optional<json::object> found;
    pump_until([&] { return (found = take_first_where(accept)).has_value(); },
               Clock::now() + timeout);
    if (!found)
      throw std::runtime_error("no " + std::string(what) + " within " +
                               std::to_string(timeout.count()) + " ms; connection " + state());
    return std::move(*found);
  }

  json::object wait_for(std::string_view type, std::chrono::milliseconds timeout) {
    return wait_for(
        [type](const json::object& frame) { return has_type(frame, type); },
        type.empty() ? std::string("frame") : "frame of type '" + std::string(type) + "'", timeout);
  }
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WsClient::WsClient(WsClient&&) noexcept = default;
WsClient& WsClient::operator=(WsClient&&) noexcept = default;

WsClient::~WsClient() {
  // An abrupt end, like a tab killed: the server sees the TCP connection go away.
  if (impl_ && impl_->open) {
    beast::error_code ignored;
    impl_->with_ws([&](auto& ws) { beast::get_lowest_layer(ws).socket().close(ignored); });
  }
}

namespace {

// Connects, handshakes (TLS, then WebSocket) and fills in response; failure says
// what went wrong.
template <class Ws>
void open_ws(Ws& ws, net::io_context& ioc, uint16_t port, const std::string& target,
             const Headers& headers, std::chrono::milliseconds timeout,
             websocket::response_type& response, beast::error_code& failure) {
  ws.read_message_max(64 * 1024 * 1024);
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  beast::get_lowest_layer(ws).expires_after(timeout);

  auto upgrade = [&] {
    ws.async_handshake(response, host_header(port), target,
                       [&](beast::error_code ec) { failure = ec; });
  };
  beast::get_lowest_layer(ws).async_connect(loopback(port), [&](beast::error_code ec) {
    if (ec) {
      failure = ec;
      return;
    }
    if constexpr (std::is_same_v<Ws, websocket::stream<beast::ssl_stream<beast::tcp_stream>>>) {
      ws.next_layer().async_handshake(net::ssl::stream_base::client, [&](beast::error_code ec) {
        if (ec) {
          failure = ec;
          return;
        }
        upgrade();
      });
    } else {
      upgrade();
    }
  });
  ioc.run();
  beast::get_lowest_layer(ws).expires_never();
}

}  // namespace

WsClient WsClient::connect_with(bool tls, uint16_t port, const std::string& target,
                                const Headers& headers, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>(tls);
  websocket::response_type response;
  beast::error_code failure;
  impl->with_ws(
      [&](auto& ws) { open_ws(ws, impl->ioc, port, target, headers, timeout, response, failure); });

  if (failure == websocket::error::upgrade_declined)
    throw UpgradeRejected(static_cast<int>(response.result_int()), response.body());
  if (failure)
    throw std::runtime_error("WebSocket connect to " + target + " failed: " + failure.message());
  impl->open = true;
  impl->start_read();
  return WsClient(std::move(impl));
}

WsClient WsClient::connect(uint16_t port, const std::string& target, const Headers& headers,
                           std::chrono::milliseconds timeout) {
  return connect_with(false, port, target, headers, timeout);
}

WsClient WsClient::connect_tls(uint16_t port, const std::string& target, const Headers& headers,
                               std::chrono::milliseconds timeout) {
  return connect_with(true, port, target, headers, timeout);
}

int WsClient::upgrade_status(uint16_t port, const std::string& target, const Headers& headers) {
  try {
    auto client = connect(port, target, headers);
    client.close();
    return 101;
  } catch (const UpgradeRejected& rejected) {
    return rejected.status;
  }
}

void WsClient::send_json(const json::object& frame) {
  impl_->write(json::serialize(frame), true);
}
void WsClient::send_raw_text(std::string_view payload) {
  impl_->write(payload, true);
}
void WsClient::send_binary(std::string_view payload) {
  impl_->write(payload, false);
}

json::object WsClient::next_frame(std::chrono::milliseconds timeout) {
  return impl_->wait_for({}, timeout);
}

json::object WsClient::next_of_type(std::string_view type, std::chrono::milliseconds timeout) {
  return impl_->wait_for(type, timeout);
}

json::object WsClient::next_where(const std::function<bool(const json::object&)>& accept,
                                  std::string_view what, std::chrono::milliseconds timeout) {
  return impl_->wait_for(accept, what, timeout);
}

void WsClient::expect_no_frame(std::chrono::milliseconds window) {
  impl_->pump_until([&] { return !impl_->frames.empty(); }, Clock::now() + window);
  if (!impl_->frames.empty())
    throw std::runtime_error("expected no frame, got " + describe(impl_->frames.front()));
}

void WsClient::expect_no_frame_of_type(std::string_view type, std::chrono::milliseconds window) {
  auto has_type = [&] {
    for (const auto& frame : impl_->frames)
      if (Impl::has_type(frame, type)) return true;
    return false;
  };
  impl_->pump_until(has_type, Clock::now() + window);
  if (has_type())
    throw std::runtime_error("expected no '" + std::string(type) + "' frame; connection " +
                             impl_->state());
}

std::vector<json::object> WsClient::collect(std::chrono::milliseconds window) {
  impl_->pump_until([] { return false; }, Clock::now() + window);
  std::vector<json::object> all(std::make_move_iterator(impl_->frames.begin()),
                                std::make_move_iterator(impl_->frames.end()));
  impl_->frames.clear();
  return all;
}

std::vector<json::object> WsClient::take_buffered(std::string_view type) {
  std::vector<json::object> taken;
  while (auto frame = impl_->take_first(type)) taken.push_back(std::move(*frame));
  return taken;
}

void WsClient::close() {
  if (!impl_ || !impl_->open) return;
  bool done = false;
  impl_->with_ws([&](auto& ws) {
    ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  });
  if (!impl_->pump_until([&] { return done; }, Clock::now() + std::chrono::seconds(2))) {
    beast::error_code ignored;
    impl_->with_ws([&](auto& ws) { beast::get_lowest_layer(ws).socket().close(ignored); });
    impl_->pump_until([] { return false; }, Clock::now() + std::chrono::milliseconds(50));
  }
  impl_->open = false;
}

bool WsClient::is_open() const {
  return impl_ && impl_->open;
}
std::optional<uint16_t> WsClient::close_code() const {
  return impl_->close_code;
}
std::string WsClient::close_reason() const {
  return impl_->close_reason;
}

}  // namespace sb::test
