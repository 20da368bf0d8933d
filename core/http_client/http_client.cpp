#include "http_client/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "http_client/url.hpp"

namespace sb::http_client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAwait = asio::use_awaitable;

// One connection, plain or TLS, with its read buffer: bytes read past one response
// belong to the next, so the buffer stays with the connection in the pool.
struct Connection {
  Connection(const asio::any_io_executor& ex, asio::ssl::context* tls_context) {
    if (tls_context)
      tls.emplace(ex, *tls_context);
    else
      plain.emplace(ex);
  }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
};

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

std::string described(const char* step, const beast::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return "timeout";
  return std::string(step) + ": " + ec.message();
}

std::string host_header(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, ClientOptions opts) : executor(std::move(ex)), options(opts) {
    tls_context.set_default_verify_paths();
    tls_context.set_verify_mode(asio::ssl::verify_peer);
  }

  asio::any_io_executor executor;
  ClientOptions options;
  asio::ssl::context tls_context{asio::ssl::context::tls_client};

  mutable std::mutex mutex;  // guards idle and idle_count
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;  // by scheme://host:port
  size_t idle_count = 0;

  // The most recently used idle connection for key that is young enough, or null.
  std::unique_ptr<Connection> take_idle(const std::string& key) {
    std::lock_guard lock(mutex);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    std::unique_ptr<Connection> found;
    while (!list.empty() && !found) {
      auto candidate = std::move(list.back());
      list.pop_back();
      --idle_count;
      if (Clock::now() - candidate->idle_since < options.idle_for) found = std::move(candidate);
    }
    if (list.empty()) idle.erase(it);
    return found;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex);
    auto& list = idle[key];
    if (list.size() >= options.max_idle_per_host || idle_count >= options.max_idle_total) {
      if (list.empty()) idle.erase(key);
      return;  // the pool is full: this one closes
    }
    connection->idle_since = Clock::now();
    list.push_back(std::move(connection));
    ++idle_count;
  }

  asio::awaitable<std::unique_ptr<Connection>> connect(const Url& url, Clock::time_point deadline,
                                                       std::string& error);
  template <class Stream>
  asio::awaitable<std::string> exchange(Stream& stream, Connection& connection,
                                        const http::request<http::string_body>& message,
                                        const OnChunk& on_chunk, Response& response,
                                        bool& got_bytes, bool& keep_alive);
  asio::awaitable<Response> run(Url url, http::request<http::string_body> message,
                                Clock::time_point deadline, const OnChunk& on_chunk);
};

asio::awaitable<std::unique_ptr<Connection>> Client::Impl::connect(const Url& url,
                                                                   Clock::time_point deadline,
                                                                   std::string& error) {
  const auto ex = co_await asio::this_coro::executor;
  // The resolver has no time limit of its own: a timer cancels it at the deadline.
  auto resolver = std::make_shared<tcp::resolver>(ex);
  asio::steady_timer limit(ex, deadline);
  limit.async_wait([resolver](const beast::error_code& ec) {
    if (!ec) resolver->cancel();
  });
  beast::error_code ec;
  const auto endpoints = co_await resolver->async_resolve(url.host, std::to_string(url.port),
                                                          asio::redirect_error(kAwait, ec));
  limit.cancel();
  if (ec) {
    error = described("resolve", ec);
    co_return nullptr;
  }
  auto connection = std::make_unique<Connection>(ex, url.tls ? &tls_context : nullptr);
  connection->lowest().expires_at(deadline);
  co_await connection->lowest().async_connect(endpoints, asio::redirect_error(kAwait, ec));
  if (ec) {
    error = described("connect", ec);
    co_return nullptr;
  }
  if (!url.tls) co_return connection;

  auto& tls = *connection->tls;
  beast::error_code address_ec;
  asio::ip::make_address(url.host, address_ec);
  // SNI names hosts only, never addresses (RFC 6066).
  if (address_ec && !SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str())) {
    error = "tls: cannot set the server name";
    co_return nullptr;
  }
  tls.set_verify_callback(asio::ssl::host_name_verification(url.host));
  co_await tls.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(kAwait, ec));
  if (ec) {
    error = described("tls", ec);
    co_return nullptr;
  }
  co_return connection;
}

template <class Stream>
asio::awaitable<std::string> Client::Impl::exchange(Stream& stream, Connection& connection,
                                                    const http::request<http::string_body>& message,
                                                    const OnChunk& on_chunk, Response& response,
                                                    bool& got_bytes, bool& keep_alive) {
  beast::error_code ec;
  co_await http::async_write(stream, message, asio::redirect_error(kAwait, ec));
  if (ec) co_return described("write", ec);

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // the cap below applies to buffered bodies only
  if (message.method() == http::verb::head) parser.skip(true);
  co_await http::async_read_header(stream, connection.buffer, parser,
                                   asio::redirect_error(kAwait, ec));
  if (ec) co_return described("read", ec);
  got_bytes = true;
  response.status = static_cast<int>(parser.get().result_int());
  response.content_type = std::string(parser.get()[http::field::content_type]);
  for (const auto& field : parser.get())
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));

  char piece[16 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof(piece);
    co_await http::async_read_some(stream, connection.buffer, parser,
                                   asio::redirect_error(kAwait, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return described("read", ec);
    const size_t n = sizeof(piece) - parser.get().body().size;
    if (n == 0) continue;
    if (on_chunk) {
      on_chunk(std::string_view(piece, n));
    } else {
      if (response.body.size() + n > options.max_body_bytes)
        co_return "body larger than " + std::to_string(options.max_body_bytes) + " bytes";
      response.body.append(piece, n);
    }
  }
  keep_alive = parser.keep_alive();
  co_return std::string();
}

asio::awaitable<Response> Client::Impl::run(Url url, http::request<http::string_body> message,
                                            Clock::time_point deadline, const OnChunk& on_chunk) {
  const std::string key =
      (url.tls ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
  Response response;
  // A kept-alive connection the server has closed meanwhile fails before any byte
  // of the answer: then the request goes once more, on a fresh connection.
  for (bool retried = false;; retried = true) {
    auto connection = retried ? nullptr : take_idle(key);
    const bool reused = connection != nullptr;
    if (!connection) {
      connection = co_await connect(url, deadline, response.error);
      if (!connection) break;
    }
    connection->lowest().expires_at(deadline);
    bool got_bytes = false;
    bool keep_alive = false;
    response = Response{};
    // if/else, not ?: : GCC 12 miscompiles co_await inside a conditional expression.
    if (connection->tls) {
      response.error = co_await exchange(*connection->tls, *connection, message, on_chunk, response,
                                         got_bytes, keep_alive);
    } else {
      response.error = co_await exchange(*connection->plain, *connection, message, on_chunk,
                                         response, got_bytes, keep_alive);
    }
    if (!response.error.empty() && reused && !got_bytes && Clock::now() < deadline) continue;
    if (response.error.empty() && keep_alive) {
      connection->lowest().expires_never();
      give_back(key, std::move(connection));
    }
    break;
  }
  if (!response.error.empty()) {
    // No complete response: say so the same way whether or not a status line came.
    response.status = 0;
    response.body.clear();
    response.headers.clear();
  }
  co_return response;
}

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), options)) {}

Client::~Client() = default;

std::string Client::request(Request request, OnChunk on_chunk, OnDone on_done) {
  std::string error;
  auto url = parse_url(request.url, error);
  if (!url) return error;
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) return "method: unknown HTTP method " + request.method;
  http::request<http::string_body> message{verb, url->target, 11};
  message.set(http::field::host, host_header(*url));
  message.set(http::field::user_agent, "switchboard");
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value))
      return "headers: a header name is empty or a header contains a line break";
    message.set(name, value);
  }
  message.keep_alive(true);
  if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    message.body() = std::move(request.body);
    message.prepare_payload();
  }
  const auto deadline = Clock::now() + request.timeout;
  auto impl = impl_;
  asio::co_spawn(
      impl->executor,
      [impl, url = std::move(*url), message = std::move(message), deadline,
       on_chunk = std::move(on_chunk)]() mutable -> asio::awaitable<Response> {
        co_return co_await impl->run(std::move(url), std::move(message), deadline, on_chunk);
      },
      [on_done = std::move(on_done)](std::exception_ptr thrown, Response response) {
        if (thrown) {
          // Only a callback of the caller's can throw in there; it still gets its end.
          response = Response{};
          response.error = "the request failed inside the client";
        }
        try {
          on_done(std::move(response));
        } catch (...) {
          // The caller's own failure; the I/O thread must go on.
        }
      });
  return {};
}

size_t Client::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->idle_count;
}

}  // namespace sb::http_client
