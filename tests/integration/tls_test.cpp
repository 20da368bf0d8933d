// The server with a certificate ([tls]): the same port serves https:// and wss:// to
// browsers and plain HTTP to this machine's health checks; a client that never
// finishes its handshake is closed in time; a renewed certificate is picked up
// without a restart (by SIGHUP or by the files changing) while open connections go
// on, and a broken renewal leaves the old certificate in place. Certificates are
// made at test time with the openssl command. A TLS session ends with close_notify
// whoever ends it, so a client can tell a complete answer from a cut one.
#include <signal.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/served.hpp"
#include "harness/standard_tenants.hpp"
#include "support/process.hpp"
#include "support/tls_files.hpp"

using namespace sb::it;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// The repository's server config with the certificate named in its [tls] section,
// and the given handshake timeout, plain_http_from and hsts_max_age_s (empty: as
// shipped).
std::filesystem::path tls_config(const std::filesystem::path& dir, const sb::test::TlsFiles& tls,
                                 const std::string& plain_http_from = {},
                                 const std::string& handshake_timeout_ms = "10000",
                                 const std::string& hsts_max_age_s = {}) {
  std::ifstream in(std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "conf" / "switchboard.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  auto replace = [&](const std::string& line, const std::string& with) {
    const auto at = config.find("\n" + line + "\n");
    REQUIRE(at != std::string::npos);
    config.replace(at + 1, line.size(), with);
  };
  replace("handshake_timeout_ms = 10000", "handshake_timeout_ms = " + handshake_timeout_ms);
  replace("[tls]", "[tls]\ncert_file = \"" + tls.cert_file.string() + "\"\nkey_file = \"" +
                       tls.key_file.string() + "\"");
  if (!plain_http_from.empty())
    replace(R"(plain_http_from = ["127.0.0.0/8", "::1"])", "plain_http_from = " + plain_http_from);
  if (!hsts_max_age_s.empty())
    replace("hsts_max_age_s = 31536000", "hsts_max_age_s = " + hsts_max_age_s);
  const auto file = dir / "switchboard.toml";
  sb::test::write_file_atomically(file, config);
  return file;
}

// Logs an agent in over HTTPS and opens their WebSocket over WSS.
AgentSession agent_over_tls(Deployment& deployment, const std::string& agent_id) {
  auto login = sb::test::https_post_json(
      deployment.port(), "/v1/tenants/acme/auth/login",
      json::object{{"email", deployment.tenant("acme").email_of(agent_id)},
                   {"password", kAgentPassword}});
  REQUIRE(login.status == 200);
  const auto token = str(login.json().as_object(), "token");
  auto ws = sb::test::WsClient::connect_tls(deployment.port(), "/v1/ws/agent?tenant=acme",
                                            sb::test::bearer(token));
  auto welcome = ws.next_frame();
  REQUIRE(str(welcome, "type") == "welcome");
  return AgentSession{std::move(ws), std::move(welcome), agent_id, token};
}

VisitorSession visitor_over_tls(Deployment& deployment) {
  auto ws = sb::test::WsClient::connect_tls(deployment.port(), "/v1/ws/visitor?tenant=acme");
  ws.send_json(json::object{{"type", "hello"}});
  auto welcome = ws.next_frame();
  REQUIRE(str(welcome, "type") == "welcome");
  auto visitor_id = str(welcome, "visitor_id");
  auto visitor_token = str(welcome, "visitor_token");
  return VisitorSession{std::move(ws), std::move(welcome), std::move(visitor_id),
                        std::move(visitor_token)};
}

// A TCP connection from a chosen local address that sends what it is told and
// reports when the server closes it.
class RawClient {
 public:
  explicit RawClient(uint16_t port, const std::string& source = "127.0.0.1") : socket_(io_) {
    socket_.open(net::ip::tcp::v4());
    socket_.bind({net::ip::make_address(source), 0});
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }

  void send(std::string_view bytes) {
    net::write(socket_, net::buffer(bytes.data(), bytes.size()));
  }

  // Reads until the server closes the connection or the window ends; true if closed.
  bool closed_within(std::chrono::milliseconds window) {
    bool closed = false;
    std::function<void()> next = [&] {
      socket_.async_read_some(net::buffer(chunk_), [&](boost::system::error_code ec, size_t n) {
        received_.append(chunk_.data(), n);
        if (ec) {
          closed = ec != net::error::operation_aborted;
          return;
        }
        next();
      });
    };
    next();
    io_.restart();
    io_.run_for(window);
    if (!closed) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
    return closed;
  }

  const std::string& received() const { return received_; }

 private:
  net::io_context io_;
  net::ip::tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::string received_;
};

// A TLS client on the loopback address that reports how the server ends the
// session: the end of the data after the server's close_notify reads as eof,
// a connection closed without one as ssl::error::stream_truncated.
class TlsClient {
 public:
  explicit TlsClient(uint16_t port) : stream_(io_, context_) {
    context_.set_verify_mode(net::ssl::verify_none);
    stream_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    const auto ec = run(5s, [&](auto done) {
      stream_.async_handshake(net::ssl::stream_base::client, std::move(done));
    });
    REQUIRE_FALSE(ec);
  }

  void send(const std::string& bytes) {
    const auto ec = run(5s, [&](auto done) {
      net::async_write(
          stream_, net::buffer(bytes),
          [done = std::move(done)](boost::system::error_code e, size_t) mutable { done(e); });
    });
    REQUIRE_FALSE(ec);
  }

  // Reads until `received()` holds a whole response (head and Content-Length body).
  void read_response() {
    const auto deadline = Clock::now() + 5s;
    for (;;) {
      const auto head_end = received_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto at = received_.find("Content-Length: ");
        const size_t length = at == std::string::npos ? 0 : std::stoul(received_.substr(at + 16));
        if (received_.size() >= head_end + 4 + length) return;
      }
      REQUIRE(Clock::now() < deadline);
      REQUIRE_FALSE(read_some(deadline - Clock::now()));
    }
  }

  // Reads until the server ends the connection; the error that ended it (timed_out
  // if it stayed open through the window).
  boost::system::error_code read_to_end(std::chrono::milliseconds window) {
    const auto deadline = Clock::now() + window;
    for (;;) {
      if (Clock::now() >= deadline) return net::error::timed_out;
      if (const auto ec = read_some(deadline - Clock::now())) return ec;
    }
  }

  // Sends close_notify and waits for the server's: eof or nothing when it answered,
  // stream_truncated when it closed the connection without one.
  boost::system::error_code shut_down() {
    return run(5s, [&](auto done) { stream_.async_shutdown(std::move(done)); });
  }

  // Without a TLS shutdown of its own: whether the server closes the TCP
  // connection within the window (it waits only so long for our close_notify).
  bool tcp_closed_within(std::chrono::milliseconds window) {
    const auto ec = run(window, [&](auto done) {
      stream_.next_layer().async_read_some(
          net::buffer(chunk_),
          [done = std::move(done)](boost::system::error_code e, size_t) mutable { done(e); });
    });
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  const std::string& received() const { return received_; }

 private:
  template <class Start>
  boost::system::error_code run(Clock::duration window, Start start) {
    boost::system::error_code result = net::error::timed_out;
    bool finished = false;
    start([&](boost::system::error_code ec) {
      result = ec;
      finished = true;
    });
    io_.restart();
    io_.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(window));
    if (!finished) {
      boost::system::error_code ignored;
      stream_.next_layer().cancel(ignored);
      io_.restart();
      io_.run();
      return net::error::timed_out;
    }
    return result;
  }

  boost::system::error_code read_some(Clock::duration window) {
    return run(window, [&](auto done) {
      stream_.async_read_some(
          net::buffer(chunk_),
          [this, done = std::move(done)](boost::system::error_code e, size_t n) mutable {
            received_.append(chunk_.data(), n);
            done(e);
          });
    });
  }

  net::io_context io_;
  net::ssl::context context_{net::ssl::context::tls_client};
  net::ssl::stream<net::ip::tcp::socket> stream_;
  std::array<char, 4096> chunk_{};
  std::string received_;
};

bool ended_cleanly(const boost::system::error_code& ec) {
  return !ec || ec == net::error::eof;
}

// Waits until a new TLS connection is shown the certificate with this serial.
bool new_connections_see(uint16_t port, const std::string& serial,
                         std::chrono::milliseconds within = 5s) {
  const auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (sb::test::tls_certificate_seen(port).serial == serial) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Puts new files in place the way a renewal does: written aside, renamed over.
void replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  const auto aside = to.string() + ".new";
  std::filesystem::copy_file(from, aside, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(aside, to);
}

bool log_shows(sb::test::ServerProcess& server, const std::string& text,
               std::chrono::milliseconds within = 5s) {
  const auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (server.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

namespace websocket = boost::beast::websocket;
using WssStream = websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// Connects ws as a visitor of acme over wss:// (the certificate is not checked) and
// says hello; returns the server's first frame (its welcome).
std::string open_wss_visitor(WssStream& ws, uint16_t port) {
  boost::beast::get_lowest_layer(ws).expires_after(10s);
  boost::beast::get_lowest_layer(ws).connect({net::ip::make_address("127.0.0.1"), port});
  ws.next_layer().handshake(net::ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/v1/ws/visitor?tenant=acme");
  ws.write(net::buffer(std::string(R"({"type":"hello"})")));
  boost::beast::flat_buffer frame;
  ws.read(frame);
  return boost::beast::buffers_to_string(frame.data());
}

}  // namespace

TEST_CASE("over TLS a visitor and an agent chat on wss://, REST answers on https://", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  DeploymentOptions options;
  options.config = tls_config(scratch.path(), tls);
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();

  auto ready = sb::test::https_get(port, "/readyz");
  CHECK(ready.status == 200);
  // Browsers are told to keep to https:// for a year (the shipped default)...
  CHECK(ready.headers.contains("strict-transport-security"));
  CHECK(ready.headers["strict-transport-security"] == "max-age=31536000");
  // ...but never over plain HTTP: the same port still answers this machine's plain
  // health checks, without it.
  const auto plain_ready = sb::test::http_get(port, "/readyz");
  CHECK(plain_ready.status == 200);
  CHECK_FALSE(plain_ready.headers.contains("strict-transport-security"));
  CHECK(sb::test::tls_certificate_seen(port).subject == "CN=chat.test");

  auto agent = agent_over_tls(deployment, "alice");
  auto visitor = visitor_over_tls(deployment);
  const auto ack = visitor.send_message("hello over TLS");
  const auto conversation_id = str(ack, "conversation_id");
  agent_sees(agent, conversation_id);
  const auto reply = agent.send_message(conversation_id, "hello, secure visitor");
  CHECK(str(reply, "type") == "ack");
  CHECK(str(message_from(visitor.ws, "agent"), "text") == "hello, secure visitor");
  CHECK(str(visitor.send_message("thanks"), "type") == "ack");
  CHECK(str(message_from(agent.ws, "visitor"), "text") == "thanks");

  // History over HTTPS holds the three, in order.
  const auto history =
      sb::test::https_get(port, "/v1/tenants/acme/conversations/" + conversation_id + "/messages",
                          sb::test::bearer(agent.token));
  REQUIRE(history.status == 200);
  const auto body = history.json();
  std::vector<std::string> said;
  for (const auto& message : arr(body.as_object(), "messages")) {
    const auto role = str(obj(message.as_object(), "from"), "role");
    if (role == "visitor" || role == "agent") said.push_back(str(message.as_object(), "text"));
  }
  CHECK(said == std::vector<std::string>{"hello over TLS", "hello, secure visitor", "thanks"});

  SECTION("the console's session cookie is Secure over https, not over plain http") {
    const json::object credentials{{"email", deployment.tenant("acme").email_of("alice")},
                                   {"password", kAgentPassword}};
    const auto secure =
        sb::test::https_post_json(port, "/v1/tenants/acme/auth/session", credentials);
    REQUIRE(secure.status == 200);
    CHECK(secure.headers.at("set-cookie").find("; Secure") != std::string::npos);
    const auto plain = sb::test::http_post_json(port, "/v1/tenants/acme/auth/session", credentials);
    REQUIRE(plain.status == 200);
    CHECK(plain.headers.at("set-cookie").find("Secure") == std::string::npos);
  }
}

TEST_CASE("with TLS, plain HTTP from elsewhere is sent to https, silent clients are closed in time",
          "[tls][hostile]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  DeploymentOptions options;
  // Only 127.0.0.1 may speak plain HTTP: 127.0.0.2 stands for any other client.
  options.config = tls_config(scratch.path(), tls, R"(["127.0.0.1"])", "1000");
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();

  SECTION("a browser that typed http:// is redirected, an API call refused") {
    RawClient browser(port, "127.0.0.2");
    browser.send("GET /console/?x=1 HTTP/1.1\r\nHost: chat.test:" + std::to_string(port) +
                 "\r\n\r\n");
    REQUIRE(browser.closed_within(3s));
    CHECK(browser.received().starts_with("HTTP/1.1 308"));
    CHECK(browser.received().find("Strict-Transport-Security") == std::string::npos);
    CHECK(browser.received().find("Location: https://chat.test:" + std::to_string(port) +
                                  "/console/?x=1\r\n") != std::string::npos);

    RawClient api(port, "127.0.0.2");
    const std::string body = R"({"email":"a@b.c","password":"x"})";
    api.send(
        "POST /v1/tenants/acme/auth/login HTTP/1.1\r\nHost: chat.test\r\nContent-Type: "
        "application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    REQUIRE(api.closed_within(3s));
    CHECK(api.received().starts_with("HTTP/1.1 400"));
    CHECK(api.received().find("tls_required") != std::string::npos);
  }

  SECTION("a TCP connection that never sends a client hello is closed at the timeout") {
    RawClient silent(port);
    const auto opened = Clock::now();
    REQUIRE(silent.closed_within(4s));
    const auto waited = Clock::now() - opened;
    CHECK(waited >= 900ms);
    CHECK(waited < 3s);
  }

  SECTION("a client hello that stops halfway is closed at the same timeout") {
    RawClient stalled(port);
    // The start of a TLS handshake record: enough to be taken for TLS, never finished.
    stalled.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    const auto opened = Clock::now();
    REQUIRE(stalled.closed_within(4s));
    CHECK(Clock::now() - opened < 3s);
    // Everyone else is served meanwhile.
    CHECK(sb::test::https_get(port, "/readyz").status == 200);
  }
}

TEST_CASE("hsts_max_age_s sets Strict-Transport-Security's max-age, 0 sends none", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  const std::string max_age = GENERATE("600", "0");
  DeploymentOptions options;
  options.config = tls_config(scratch.path(), tls, {}, "10000", max_age);
  Deployment deployment({acme_tenant()}, options);
  // An error and a page of the console, as well as a health check.
  for (const std::string target : {"/readyz", "/v1/tenants/acme/conversations", "/console/"}) {
    auto answer = sb::test::https_get(deployment.port(), target);
    INFO(target << " answered " << answer.status);
    CHECK(answer.status != 0);
    if (max_age == "0")
      CHECK_FALSE(answer.headers.contains("strict-transport-security"));
    else
      CHECK(answer.headers["strict-transport-security"] == "max-age=600");
  }
}

TEST_CASE("a TLS connection ends with close_notify, whoever ends it", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  DeploymentOptions options;
  // Kept-alive connections wait 1 s for their next request.
  options.config = tls_config(scratch.path(), tls, {}, "1000");
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();
  const std::string request = "GET /readyz HTTP/1.1\r\nHost: chat.test\r\n";

  SECTION("the client ends a kept-alive connection: the server answers its close_notify") {
    TlsClient client(port);
    client.send(request + "\r\n");
    client.read_response();
    CHECK(client.received().starts_with("HTTP/1.1 200"));
    const auto ec = client.shut_down();
    INFO(ec.message());
    CHECK(ended_cleanly(ec));
  }

  SECTION("the server ends the connection after its answer (Connection: close)") {
    TlsClient client(port);
    client.send(request + "Connection: close\r\n\r\n");
    const auto ec = client.read_to_end(5s);
    INFO(ec.message());
    CHECK(client.received().starts_with("HTTP/1.1 200"));
    CHECK(ec == net::error::eof);
    CHECK(ended_cleanly(client.shut_down()));
  }

  SECTION("a client that never answers the close_notify does not hold the connection") {
    TlsClient client(port);
    client.send(request + "Connection: close\r\n\r\n");
    CHECK(client.read_to_end(5s) == net::error::eof);
    CHECK(client.tcp_closed_within(3s));
  }

  SECTION("an idle kept-alive connection is ended at the timeout with close_notify") {
    TlsClient client(port);
    client.send(request + "\r\n");
    client.read_response();
    const auto idle_since = Clock::now();
    const auto ec = client.read_to_end(5s);
    INFO(ec.message());
    CHECK(ec == net::error::eof);
    CHECK(Clock::now() - idle_since >= 900ms);
  }

  SECTION("a wss:// socket closed by the client ends its TLS session cleanly") {
    net::io_context io;
    net::ssl::context context(net::ssl::context::tls_client);
    context.set_verify_mode(net::ssl::verify_none);
    WssStream ws(io, context);
    CHECK(open_wss_visitor(ws, port).find("welcome") != std::string::npos);
    // Beast's close ends with the client's TLS shutdown, which fails with
    // stream_truncated unless the server answered with its close_notify.
    boost::system::error_code ec;
    ws.close(websocket::close_code::normal, ec);
    INFO(ec.message());
    CHECK_FALSE(ec);
  }

  // Nobody was kept waiting meanwhile.
  CHECK(sb::test::https_get(port, "/readyz").status == 200);
}

TEST_CASE("a stopping server ends its TLS connections cleanly", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  DeploymentOptions options;
  options.config = tls_config(scratch.path(), tls);
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();

  // A visitor on wss:// and a kept-alive HTTPS connection between two requests.
  net::io_context io;
  net::ssl::context context(net::ssl::context::tls_client);
  context.set_verify_mode(net::ssl::verify_none);
  WssStream ws(io, context);
  REQUIRE(open_wss_visitor(ws, port).find("welcome") != std::string::npos);
  TlsClient kept_alive(port);
  kept_alive.send("GET /readyz HTTP/1.1\r\nHost: chat.test\r\n\r\n");
  kept_alive.read_response();

  REQUIRE(::kill(deployment.server().pid(), SIGTERM) == 0);
  // The visitor is told the server goes away, and the TLS session under the
  // WebSocket ends with close_notify both ways (else: stream_truncated).
  boost::system::error_code ec;
  boost::beast::flat_buffer frame;
  for (int frames = 0; !ec && frames < 100; ++frames) ws.read(frame, ec);
  INFO(ec.message());
  CHECK(ec == websocket::error::closed);
  CHECK(ws.reason().code == websocket::close_code::going_away);
  // The idle HTTPS connection gets close_notify, not a cut.
  const auto ended = kept_alive.read_to_end(5s);
  INFO(ended.message());
  CHECK(ended == net::error::eof);
  // It goes on to stop by itself (a second SIGTERM would kill it).
  const auto deadline = Clock::now() + 10s;
  while (deployment.server().running() && Clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  CHECK_FALSE(deployment.server().running());
}

TEST_CASE("failed TLS handshakes are counted in /metrics, and logged without flooding the log",
          "[tls][hostile]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto tls = sb::test::make_self_signed(scratch.path(), "server", "chat.test", 1);
  DeploymentOptions options;
  options.config = tls_config(scratch.path(), tls);
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();
  const auto failures = [&] {
    const auto metrics = sb::test::http_get(port, "/metrics").body;
    const std::string name = "\nswitchboard_tls_handshake_failures_total ";
    const auto at = metrics.find(name);
    REQUIRE(at != std::string::npos);
    return std::stoi(metrics.substr(at + name.size()));
  };
  const auto failures_reach = [&](int expected) {
    const auto deadline = Clock::now() + 5s;
    while (failures() < expected && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
    return failures() == expected;
  };
  REQUIRE(failures() == 0);

  // Plain HTTP on the port is not a failed handshake.
  CHECK(sb::test::http_get(port, "/readyz").status == 200);
  // A browser that does not trust the certificate gives up in the handshake.
  {
    net::io_context io;
    net::ssl::context trusting_nothing(net::ssl::context::tls_client);
    trusting_nothing.set_verify_mode(net::ssl::verify_peer);
    net::ssl::stream<net::ip::tcp::socket> wary(io, trusting_nothing);
    wary.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    boost::system::error_code ec;
    wary.handshake(net::ssl::stream_base::client, ec);
    CHECK(ec);
  }
  CHECK(failures_reach(1));

  // A scanner: what begins like a TLS handshake record and is not one, many times.
  for (int i = 0; i < 20; ++i) {
    RawClient scanner(port);
    // A handshake record of 64 bytes holding a "client hello" of 60 bytes of garbage.
    scanner.send(std::string("\x16\x03\x01\x00\x40\x01\x00\x00\x3c", 9) + std::string(60, 'A'));
    CHECK(scanner.closed_within(3s));
  }
  CHECK(failures_reach(21));
  // The first failure is logged; those within the next 10 s are only counted.
  const auto& log = deployment.server().log();
  size_t lines = 0;
  for (auto at = log.find("TLS handshake with 127.0.0.1 failed"); at != std::string::npos;
       at = log.find("TLS handshake with 127.0.0.1 failed", at + 1))
    ++lines;
  CHECK(lines >= 1);
  CHECK(lines <= 2);  // 2 only if the test took over 10 s
  CHECK(sb::test::https_get(port, "/readyz").status == 200);
}

TEST_CASE("a renewed certificate is used for new connections without a restart", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto live = sb::test::make_self_signed(scratch.path(), "live", "first.test", 1);
  const auto second = sb::test::make_self_signed(scratch.path(), "second", "second.test", 2);
  const auto third = sb::test::make_self_signed(scratch.path(), "third", "third.test", 3);
  DeploymentOptions options;
  options.config = tls_config(scratch.path(), live);
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();
  REQUIRE(sb::test::tls_certificate_seen(port).serial == "01");

  auto agent = agent_over_tls(deployment, "alice");
  auto visitor = visitor_over_tls(deployment);
  const auto conversation_id = str(visitor.send_message("before the renewal"), "conversation_id");
  agent_sees(agent, conversation_id);

  // SIGHUP (what a renewal hook or `systemctl reload` sends) reads the files at once.
  replace_file(second.key_file, live.key_file);
  replace_file(second.cert_file, live.cert_file);
  REQUIRE(::kill(deployment.server().pid(), SIGHUP) == 0);
  CHECK(new_connections_see(port, "02"));
  CHECK(sb::test::tls_certificate_seen(port).subject == "CN=second.test");
  CHECK(log_shows(deployment.server(), "TLS certificate reloaded: subject CN=second.test"));

  // The connections opened with the old certificate carry on.
  CHECK(str(visitor.send_message("after the renewal"), "type") == "ack");
  CHECK(str(message_from(agent.ws, "visitor"), "text") == "after the renewal");
  CHECK(str(agent.send_message(conversation_id, "still here"), "type") == "ack");

  // A broken renewal is logged and changes nothing.
  sb::test::write_file_atomically(live.cert_file, "-----BEGIN CERTIFICATE-----\nbroken\n");
  REQUIRE(::kill(deployment.server().pid(), SIGHUP) == 0);
  CHECK(log_shows(deployment.server(), "TLS certificate not reloaded, the old one stays"));
  CHECK(log_shows(deployment.server(), live.cert_file.string()));
  CHECK(sb::test::tls_certificate_seen(port).serial == "02");
  CHECK(sb::test::https_get(port, "/readyz").status == 200);

  // Without a signal, files that change are noticed by the reload loop's poll.
  replace_file(third.key_file, live.key_file);
  replace_file(third.cert_file, live.cert_file);
  CHECK(new_connections_see(port, "03"));
  CHECK(str(visitor.send_message("after the second renewal"), "type") == "ack");
  CHECK(str(message_from(agent.ws, "visitor"), "text") == "after the second renewal");
}

TEST_CASE("a certificate that cannot be used stops the start with the file's name", "[tls]") {
  sb::test::TempDir scratch("switchboard-tls");
  const auto good = sb::test::make_self_signed(scratch.path(), "good", "good.test", 1);
  const auto other = sb::test::make_self_signed(scratch.path(), "other", "other.test", 2);
  std::filesystem::create_directories(scratch.path() / "data");
  std::filesystem::create_directories(scratch.path() / "tenants");
  auto run = [&](const std::string& command, const sb::test::TlsFiles& files) {
    const auto config = tls_config(scratch.path(), files);
    std::vector<std::string> argv{SWITCHBOARD_BINARY};
    if (!command.empty()) argv.push_back(command);
    for (const auto& arg :
         {std::string("--config"), config.string(), std::string("--listen"),
          std::string("127.0.0.1:0"), std::string("--data-dir"), (scratch.path() / "data").string(),
          std::string("--plugin-dir"), std::string(SWITCHBOARD_PLUGIN_DIR),
          std::string("--tenants-dir"), (scratch.path() / "tenants").string()})
      argv.push_back(arg);
    return sb::test::run_process(argv, {}, 20s);
  };

  SECTION("a missing key file") {
    const sb::test::TlsFiles missing{good.cert_file, scratch.path() / "nowhere.key"};
    const auto started = run("", missing);
    CHECK(started.exit_code == 1);
    CHECK(started.err.find("nowhere.key") != std::string::npos);
    const auto checked = run("check-config", missing);
    CHECK(checked.exit_code == 1);
    CHECK(checked.out.find("nowhere.key") != std::string::npos);
  }
  SECTION("a key that is not the certificate's") {
    const sb::test::TlsFiles mismatched{good.cert_file, other.key_file};
    const auto started = run("", mismatched);
    CHECK(started.exit_code == 1);
    CHECK(started.err.find("does not hold the key of the certificate in " +
                           good.cert_file.string()) != std::string::npos);
    CHECK(run("check-config", mismatched).exit_code == 1);
  }
  SECTION("a good pair passes check-config and names the certificate") {
    const auto checked = run("check-config", good);
    CHECK(checked.exit_code == 0);
    CHECK(checked.out.find("CN=good.test") != std::string::npos);
  }
}
