// Slow, half-open and greedy clients, as an attacker (or a bad network) makes them:
// a head trickled a byte at a time, oversize headers, an upload that stalls, a
// WebSocket that never says hello, a flood of connections from one address, and a
// forged X-Forwarded-For, and a server out of file descriptors. Each is cut off or
// refused while everyone else is served.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/polling.hpp"

using namespace sb::it;
using sb::test::count_of;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// One TCP connection written and read byte for byte, from a chosen local address
// (127.0.0.2 is another client than 127.0.0.1 to the server).
class RawClient {
 public:
  explicit RawClient(uint16_t port, const std::string& source = "127.0.0.1") : socket_(io_) {
    socket_.open(net::ip::tcp::v4());
    socket_.bind({net::ip::make_address(source), 0});
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }

  // False when the server has closed (or reset) the connection.
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // Reads until the server closes the connection, `until` shows up in what was read,
  // this call has read `max_bytes` (or up to a chunk more), or the window ends.
  // Returns true when the connection was closed.
  bool read(std::chrono::milliseconds window, std::string_view until = {},
            size_t max_bytes = SIZE_MAX) {
    if (closed_) return true;
    bool done = false;
    const size_t before = received_.size();
    std::function<void()> next = [&] {
      socket_.async_read_some(net::buffer(chunk_), [&](boost::system::error_code ec, size_t n) {
        received_.append(chunk_.data(), n);
        if (ec) {
          closed_ = ec != net::error::operation_aborted;
          done = true;
          return;
        }
        if ((!until.empty() && received_.find(until) != std::string::npos) ||
            received_.size() - before >= max_bytes) {
          done = true;
          return;
        }
        next();
      });
    };
    next();
    io_.restart();
    io_.run_for(window);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
    return closed_;
  }

  const std::string& received() const { return received_; }
  int status() const {
    if (!received_.starts_with("HTTP/1.1 ")) return 0;
    return std::stoi(received_.substr(9, 3));
  }

 private:
  net::io_context io_;
  net::ip::tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::string received_;
  bool closed_ = false;
};

// A whole request on its own connection (Connection: close): the answer's status and
// text, as the given client address.
struct RawAnswer {
  int status;
  std::string text;
};
RawAnswer raw_request(uint16_t port, const std::string& source, const std::string& method,
                      const std::string& target, const std::string& headers = {},
                      const std::string& body = {}) {
  RawClient client(port, source);
  client.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
              headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  client.read(5s);
  return {client.status(), client.received()};
}

// A WebSocket client written byte for byte, so that it can fall silent as a
// vanished peer does: no pong, no close, the TCP connection left open.
class RawWebSocket {
 public:
  RawWebSocket(uint16_t port, const std::string& target) : tcp_(port) {
    tcp_.send("GET " + target +
              " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    tcp_.read(5s, "\r\n\r\n");
    REQUIRE(tcp_.status() == 101);
    parsed_ = tcp_.received().find("\r\n\r\n") + 4;
  }

  void send_text(std::string_view text) { send_frame(0x1, text); }

  // Reads for `window` or until the server closes the connection (true then),
  // answering each ping with a pong if `answer_pings`.
  bool pump(std::chrono::milliseconds window, bool answer_pings) {
    const auto until = Clock::now() + window;
    while (Clock::now() < until) {
      const bool closed = tcp_.read(20ms);
      take_frames(answer_pings);
      if (closed) {
        if (!closed_at_) closed_at_ = Clock::now();
        return true;
      }
    }
    return false;
  }

  int pings() const { return pings_; }
  int texts() const { return texts_; }
  int closes() const { return closes_; }  // close frames from the server
  std::optional<Clock::time_point> closed_at() const { return closed_at_; }

 private:
  // A client's frame is masked (RFC 6455, 5.3); payloads here are short.
  void send_frame(uint8_t opcode, std::string_view payload) {
    REQUIRE(payload.size() < 126);
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    std::string frame{static_cast<char>(0x80 | opcode), static_cast<char>(0x80 | payload.size())};
    frame.append(mask, 4);
    for (size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
    tcp_.send(frame);
  }

  void take_frames(bool answer_pings) {
    const std::string& in = tcp_.received();
    for (;;) {
      if (in.size() < parsed_ + 2) return;
      const auto byte = [&](size_t i) { return static_cast<uint8_t>(in[parsed_ + i]); };
      uint64_t length = byte(1) & 0x7f;
      size_t header = 2;
      if (length == 126) {
        header = 4;
        if (in.size() < parsed_ + header) return;
        length = (uint64_t{byte(2)} << 8) | byte(3);
      } else if (length == 127) {
        header = 10;
        if (in.size() < parsed_ + header) return;
        length = 0;
        for (size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
      }
      if (in.size() < parsed_ + header + length) return;
      const uint8_t opcode = byte(0) & 0x0f;
      const std::string payload = in.substr(parsed_ + header, length);
      parsed_ += header + length;
      if (opcode == 0x1) ++texts_;
      if (opcode == 0x8) ++closes_;
      if (opcode == 0x9) {
        ++pings_;
        if (answer_pings) send_frame(0xA, payload);
      }
    }
  }

  RawClient tcp_;
  size_t parsed_ = 0;
  int pings_ = 0;
  int texts_ = 0;
  int closes_ = 0;
  std::optional<Clock::time_point> closed_at_;
};

std::string login_body(const std::string& email, const std::string& password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

// The repository's server config with some [limits]/[server] lines replaced.
std::filesystem::path config_with(const std::filesystem::path& dir,
                                  std::vector<std::pair<std::string, std::string>> edits) {
  std::ifstream in(std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "conf" / "switchboard.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  for (const auto& [from, to] : edits) {
    const auto at = config.find(from + "\n");
    REQUIRE(at != std::string::npos);
    config.replace(at, from.size(), to);
  }
  std::filesystem::create_directories(dir);
  const auto file = dir / "switchboard.toml";
  sb::test::write_file_atomically(file, config);
  return file;
}

bool metrics_line(uint16_t port, const std::string& line, const std::string& source = "127.0.0.1") {
  const auto metrics = raw_request(port, source, "GET", "/metrics");
  return metrics.text.find(line + "\n") != std::string::npos;
}

// CPU seconds (user + system) the process has used so far.
double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The numbers of the process's open file descriptors.
std::set<int> open_descriptors(int pid) {
  std::set<int> numbers;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    numbers.insert(std::stoi(entry.path().filename().string()));
  return numbers;
}

}  // namespace

TEST_CASE("a head trickled a byte at a time is cut off at its deadline, others are served",
          "[hostile][slow]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config = config_with(scratch.path(),
                               {{"handshake_timeout_ms = 10000", "handshake_timeout_ms = 1500"}});
  Deployment deployment({acme_tenant()}, options);

  RawClient slowloris(deployment.port());
  const auto started = Clock::now();
  REQUIRE(slowloris.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  bool cut_off = false;
  while (!cut_off && Clock::now() - started < 6s) {
    // A byte every 250 ms: each read sees progress, only the head's deadline stops it.
    cut_off = !slowloris.send("a") || slowloris.read(250ms);
    // Meanwhile a normal client is served at once.
    if (!cut_off) CHECK(sb::test::http_get(deployment.port(), "/healthz").status == 200);
  }
  const auto lasted = Clock::now() - started;
  CHECK(cut_off);
  CHECK(slowloris.received().empty());  // no answer: just closed
  CHECK(lasted >= 1400ms);
  CHECK(lasted < 4s);
  CHECK(
      metrics_line(deployment.port(), R"(switchboard_slow_clients_closed_total{phase="head"} 1)"));

  // A connection that never sends anything is closed after the same time.
  RawClient silent(deployment.port());
  CHECK(silent.read(4s));
}

TEST_CASE("headers over max_header_bytes are answered 431, large but allowed ones are served",
          "[hostile][slow]") {
  Deployment deployment({acme_tenant()});
  const auto big = raw_request(deployment.port(), "127.0.0.1", "GET", "/healthz",
                               "X-Big: " + std::string(20 * 1024, 'b') + "\r\n");
  CHECK(big.status == 431);
  CHECK(big.text.find(R"({"error":{"code":"too_large")") != std::string::npos);
  const auto fine = raw_request(deployment.port(), "127.0.0.1", "GET", "/healthz",
                                "X-Fine: " + std::string(8 * 1024, 'f') + "\r\n");
  CHECK(fine.status == 200);
  CHECK(metrics_line(deployment.port(), "switchboard_header_limit_refusals_total 1"));

  // A declared body over the limit is refused from its head, before it is sent: 1 MiB
  // for most requests, 32 MiB for uploads.
  auto declared = [&](const std::string& target, std::size_t length) {
    RawClient client(deployment.port());
    client.send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                std::to_string(length) + "\r\n\r\n");
    client.read(3s, "\r\n\r\n{");
    return client.status();
  };
  CHECK(declared("/v1/tenants/acme/auth/login", (1 << 20) + 1) == 413);
  CHECK(declared("/v1/tenants/acme/attachments", (32 << 20) + 1) == 413);
}

TEST_CASE("a slow upload that keeps moving succeeds, a stalled or trickling one is cut off",
          "[hostile][slow]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config = config_with(
      scratch.path(),
      {{"handshake_timeout_ms = 10000", "handshake_timeout_ms = 1000"},
       {"transfer_idle_timeout_ms = 30000", "transfer_idle_timeout_ms = 1500"},
       {"min_transfer_bytes_per_second = 500", "min_transfer_bytes_per_second = 4096"}});
  auto tenant = acme_tenant();
  tenant.extra_toml += "\n[attachments]\nenabled = true\n";
  Deployment deployment({tenant}, options);
  const auto token = deployment.login("acme", "alice");
  const std::size_t size = 64 * 1024;
  const std::string head =
      "POST /v1/tenants/acme/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      token +
      "\r\nX-File-Name: slow.bin\r\nContent-Type: application/octet-stream\r\n"
      "Content-Length: " +
      std::to_string(size) + "\r\n\r\n";

  // 64 KiB in 8 pieces, 400 ms apart: 3 s in all, well past the head's deadline.
  RawClient slow(deployment.port());
  const auto started = Clock::now();
  REQUIRE(slow.send(head));
  for (int piece = 0; piece < 8; ++piece) {
    std::this_thread::sleep_for(400ms);
    REQUIRE(slow.send(std::string(size / 8, static_cast<char>('a' + piece))));
  }
  slow.read(5s, "\r\n\r\n{");
  CHECK(Clock::now() - started > 1s);
  INFO(slow.received());
  CHECK(slow.status() == 201);

  // Half a body, then nothing: cut off after the idle time, without an answer.
  RawClient stalled(deployment.port());
  REQUIRE(stalled.send(head + std::string(size / 2, 'x')));
  const auto stalled_at = Clock::now();
  CHECK(stalled.read(5s));
  CHECK(stalled.received().empty());
  CHECK(Clock::now() - stalled_at >= 1400ms);
  CHECK(metrics_line(deployment.port(),
                     R"(switchboard_slow_clients_closed_total{phase="transfer"} 1)"));

  // 100 bytes every 250 ms never idles, but at 400 B/s it is far below the minimum
  // rate: cut off soon after the first idle period, long before its body is in.
  RawClient trickle(deployment.port());
  REQUIRE(trickle.send(head));
  const auto trickle_at = Clock::now();
  bool cut_off = false;
  while (!cut_off && Clock::now() - trickle_at < 8s)
    cut_off = !trickle.send(std::string(100, 't')) || trickle.read(250ms);
  CHECK(cut_off);
  CHECK(trickle.received().empty());
  CHECK(Clock::now() - trickle_at >= 1400ms);
  CHECK(Clock::now() - trickle_at < 4s);
  CHECK(metrics_line(deployment.port(),
                     R"(switchboard_slow_clients_closed_total{phase="transfer"} 2)"));
}

TEST_CASE("with the shipped limits, a 32 MiB attachment sent over 13 s is accepted",
          "[hostile][slow]") {
  // The head has 10 s; the body only has to keep moving. 2.5 MiB/s is a slow office
  // uplink's pace: the whole file takes longer than the head's deadline.
  auto tenant = acme_tenant();
  tenant.extra_toml += "\n[attachments]\nenabled = true\nmax_bytes = 33554432\n";
  Deployment deployment({tenant});
  const auto token = deployment.login("acme", "alice");
  const std::size_t size = 32 << 20, piece = 256 << 10;
  RawClient upload(deployment.port());
  REQUIRE(
      upload.send("POST /v1/tenants/acme/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Authorization: Bearer " +
                  token +
                  "\r\nX-File-Name: big.bin\r\nContent-Type: application/octet-stream\r\n"
                  "Content-Length: " +
                  std::to_string(size) + "\r\n\r\n"));
  const auto started = Clock::now();
  const std::string bytes(piece, 'z');
  for (std::size_t sent = 0; sent < size; sent += piece) {
    if (!upload.send(bytes)) {
      upload.read(1s);
      FAIL("closed after " << sent << " bytes: " << upload.received());
    }
    // 256 KiB every 100 ms.
    std::this_thread::sleep_until(started + std::chrono::milliseconds(100 * (sent / piece + 1)));
  }
  upload.read(30s, "\r\n\r\n{");
  CHECK(Clock::now() - started > 11s);
  INFO(upload.received().substr(0, 300));
  CHECK(upload.status() == 201);
}

TEST_CASE("a download the client stops reading is cut off, one it reads slowly completes",
          "[hostile][slow]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config = config_with(
      scratch.path(), {{"transfer_idle_timeout_ms = 30000", "transfer_idle_timeout_ms = 1000"}});
  auto tenant = acme_tenant();
  tenant.extra_toml += "\n[attachments]\nenabled = true\nmax_bytes = 33554432\n";
  Deployment deployment({tenant}, options);
  const auto token = deployment.login("acme", "alice");
  // Larger than what the kernel buffers between the two ends of a loopback socket.
  const std::string file(32 << 20, 'd');
  auto stored = sb::test::http_request(
      deployment.port(), "POST", "/v1/tenants/acme/attachments", file,
      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/octet-stream"}}, 30s);
  REQUIRE(stored.status == 201);
  const auto id = str(json::parse(stored.body).as_object(), "id");
  const std::string get = "GET /v1/tenants/acme/attachments/" + id +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                          "\r\n\r\n";

  // Asks, then reads nothing: the server gives up on it instead of waiting forever.
  RawClient stuck(deployment.port());
  REQUIRE(stuck.send(get));
  bool cut_off = false;
  for (auto until = Clock::now() + 6s; !cut_off && Clock::now() < until;) {
    std::this_thread::sleep_for(250ms);
    cut_off = metrics_line(deployment.port(),
                           R"(switchboard_slow_clients_closed_total{phase="transfer"} 1)");
  }
  CHECK(cut_off);

  // Reading in bursts, with pauses shorter than the idle time, gets all of it, though
  // it takes longer than the idle time. The bursts are bounded in bytes, not only in
  // time: the kernel's loopback buffers grow with a fast reader, and bursts bounded
  // by time alone once drained the 32 MiB in 0.4 s, shorter than the idle time,
  // which then proved nothing about it.
  RawClient patient(deployment.port());
  REQUIRE(patient.send(get));
  const auto started = Clock::now();
  const auto body_bytes = [&]() -> size_t {
    const auto head_end = patient.received().find("\r\n\r\n");
    return head_end == std::string::npos ? 0 : patient.received().size() - head_end - 4;
  };
  while (body_bytes() < file.size() && Clock::now() - started < 40s) {
    if (patient.read(1s, {}, 1 << 20)) break;  // closed
    std::this_thread::sleep_for(100ms);
  }
  CHECK(patient.status() == 200);
  CHECK(body_bytes() == file.size());
  CHECK(Clock::now() - started > 1s);
}

TEST_CASE("a visitor socket that never says hello is closed, one that did stays",
          "[hostile][slow]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config =
      config_with(scratch.path(), {{"hello_timeout_ms = 30000", "hello_timeout_ms = 1000"}});
  Deployment deployment({acme_tenant()}, options);

  auto talker = deployment.connect_visitor("acme");
  auto silent = sb::test::WsClient::connect(deployment.port(), "/v1/ws/visitor?tenant=acme");
  // A widget that is slow to say hello (still within the time) is welcome.
  auto late = sb::test::WsClient::connect(deployment.port(), "/v1/ws/visitor?tenant=acme");
  std::this_thread::sleep_for(500ms);
  late.send_json({{"type", "hello"}});
  CHECK(str(late.next_frame(), "type") == "welcome");

  silent.collect(2500ms);
  CHECK_FALSE(silent.is_open());
  CHECK(silent.close_code() == std::optional<uint16_t>(1008));
  // The ones that said hello are still there and chat.
  CHECK(talker.ws.is_open());
  CHECK(num(talker.send_message("still here"), "seq") == 1);
  CHECK(late.is_open());
  CHECK(
      metrics_line(deployment.port(), R"(switchboard_slow_clients_closed_total{phase="hello"} 1)"));
}

TEST_CASE("a quiet WebSocket is pinged and kept while it answers, a silent one is closed",
          "[hostile][keepalive]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config =
      config_with(scratch.path(), {{"websocket_ping_ms = 30000", "websocket_ping_ms = 300"}});
  Deployment deployment({acme_tenant()}, options);

  // A widget (its Beast client answers pings while it runs), and two byte-level
  // clients that said hello: one answers every ping, the other reads but answers
  // nothing, as a peer whose network vanished.
  auto talker = deployment.connect_visitor("acme");
  RawWebSocket answering(deployment.port(), "/v1/ws/visitor?tenant=acme");
  RawWebSocket gone(deployment.port(), "/v1/ws/visitor?tenant=acme");
  // (Taken before: the server may read the hello before send returns.)
  const auto hello_sent = Clock::now();
  answering.send_text(R"({"type":"hello"})");
  gone.send_text(R"({"type":"hello"})");

  // Both read side by side, 3 s at least: several ping intervals.
  const auto started = Clock::now();
  bool answering_closed = false;
  std::size_t talker_frames = 0;
  while (Clock::now() - started < 3s || !gone.closed_at()) {
    REQUIRE(Clock::now() - started < 20s);
    answering_closed = answering.pump(50ms, true) || answering_closed;
    gone.pump(50ms, false);
    talker_frames += talker.ws.collect(10ms).size();  // runs its client, which answers pings
  }
  // The silent one was pinged, then closed (no close frame: the peer is taken for
  // gone), and not before it had been silent for twice the interval.
  CHECK(gone.texts() == 1);  // welcome
  CHECK(gone.pings() == 1);
  CHECK(gone.closes() == 0);
  CHECK(*gone.closed_at() - hello_sent >= 600ms);
  // The answering one was pinged again and again, and stays.
  CHECK(answering.texts() == 1);
  CHECK(answering.pings() >= 3);
  CHECK_FALSE(answering_closed);
  CHECK_FALSE(answering.pump(100ms, true));
  CHECK(talker_frames == 0);
  CHECK(talker.ws.is_open());
  CHECK(num(talker.send_message("still here"), "seq") == 1);
}

TEST_CASE("a client that never answers the server's close is cut off at the handshake limit",
          "[hostile][keepalive]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  // The keep-alive would take it for dead only after 6 s.
  options.config =
      config_with(scratch.path(), {{"hello_timeout_ms = 30000", "hello_timeout_ms = 300"},
                                   {"handshake_timeout_ms = 10000", "handshake_timeout_ms = 500"},
                                   {"websocket_ping_ms = 30000", "websocket_ping_ms = 3000"}});
  Deployment deployment({acme_tenant()}, options);

  // No hello: the server closes with 1008 after 300 ms and waits for the answer.
  const auto connected = Clock::now();
  RawWebSocket silent(deployment.port(), "/v1/ws/visitor?tenant=acme");
  const bool closed = silent.pump(5s, false);
  REQUIRE(closed);
  CHECK(silent.closes() == 1);
  CHECK(*silent.closed_at() - connected >= 800ms);
  CHECK(*silent.closed_at() - connected < 4s);
}

TEST_CASE("one address is refused past its connection limit while another is served",
          "[hostile][address]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config = config_with(
      scratch.path(),
      {{"max_connections_per_address = 1000", "max_connections_per_address = 3"},
       // This test's clients are all on this machine: count them too.
       {R"(unlimited_addresses = ["127.0.0.0/8", "::1"])", "unlimited_addresses = []"}});
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();

  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawClient>(port));
  for (int i = 0; i < 5; ++i) {
    auto refused = raw_request(port, "127.0.0.1", "GET", "/healthz");
    CHECK(refused.status == 429);
    CHECK(refused.text.find(R"({"error":{"code":"rate_limited")") != std::string::npos);
  }
  // A WebSocket from the flooding address is refused before its upgrade.
  CHECK(sb::test::WsClient::upgrade_status(port, "/v1/ws/visitor?tenant=acme") == 429);
  // Another address is served as usual.
  CHECK(raw_request(port, "127.0.0.2", "GET", "/healthz").status == 200);
  CHECK(metrics_line(port, "switchboard_address_limit_refusals_total 6", "127.0.0.2"));
  // One line in the log for the whole flood, not one per connection.
  CHECK(count_of(deployment.server().log(), "refusing connections from 127.0.0.1") == 1);

  // One of the three goes away: its address may connect again.
  held.pop_back();
  int status = 0;
  for (auto until = Clock::now() + 3s; status != 200 && Clock::now() < until;) {
    status = raw_request(port, "127.0.0.1", "GET", "/healthz").status;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  CHECK(status == 200);
}

TEST_CASE("X-Forwarded-For is believed from a trusted proxy only", "[hostile][proxy]") {
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config = config_with(
      scratch.path(), {{"max_connections_per_address = 1000", "max_connections_per_address = 2"},
                       {"trusted_proxies = []", R"(trusted_proxies = ["127.0.0.2"])"}});
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();
  const std::string login = "/v1/tenants/acme/auth/login";
  const std::string json_type = "Content-Type: application/json\r\n";

  SECTION("the sign-in throttle counts the client a trusted proxy names") {
    // A stranger cannot dodge the throttle by naming a new address every time.
    for (int i = 0; i < 5; ++i) {
      auto wrong =
          raw_request(port, "127.0.0.1", "POST", login,
                      json_type + "X-Forwarded-For: 198.51.100." + std::to_string(i) + "\r\n",
                      login_body("alice@acme.test", "guess"));
      REQUIRE(wrong.status == 401);
    }
    CHECK(raw_request(port, "127.0.0.1", "POST", login,
                      json_type + "X-Forwarded-For: 198.51.100.99\r\n",
                      login_body("alice@acme.test", kAgentPassword))
              .status == 429);

    // Through the proxy, the guesser behind it is locked, not the proxy's other clients.
    for (int i = 0; i < 5; ++i) {
      auto wrong = raw_request(port, "127.0.0.2", "POST", login,
                               json_type + "X-Forwarded-For: 203.0.113.50\r\n",
                               login_body("root@acme.test", "guess"));
      REQUIRE(wrong.status == 401);
    }
    CHECK(raw_request(port, "127.0.0.2", "POST", login,
                      json_type + "X-Forwarded-For: 203.0.113.50\r\n",
                      login_body("root@acme.test", kAgentPassword))
              .status == 429);
    CHECK(raw_request(port, "127.0.0.2", "POST", login,
                      json_type + "X-Forwarded-For: 203.0.113.51\r\n",
                      login_body("root@acme.test", kAgentPassword))
              .status == 200);
  }

  SECTION("the console's cookie is Secure when a trusted proxy says the client used TLS") {
    const std::string session = "/v1/tenants/acme/auth/session";
    const auto body = login_body("alice@acme.test", kAgentPassword);
    const std::string over_tls = json_type + "X-Forwarded-Proto: https\r\n";
    auto proxied = raw_request(port, "127.0.0.2", "POST", session, over_tls, body);
    REQUIRE(proxied.status == 200);
    CHECK(proxied.text.find("; Secure\r\n") != std::string::npos);
    auto forged = raw_request(port, "127.0.0.1", "POST", session, over_tls, body);
    REQUIRE(forged.status == 200);
    CHECK(forged.text.find("Secure") == std::string::npos);
  }

  SECTION("the connection limit counts the clients behind the proxy, not the proxy") {
    const std::string upgrade =
        "GET /v1/ws/visitor?tenant=acme HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n";
    auto open_socket = [&](const std::string& client) {
      auto proxy = std::make_unique<RawClient>(port, "127.0.0.2");
      proxy->send(upgrade + "X-Forwarded-For: " + client + "\r\n\r\n");
      proxy->read(3s, "\r\n\r\n");
      return proxy;
    };
    std::vector<std::unique_ptr<RawClient>> sockets;
    for (int i = 0; i < 2; ++i) {
      sockets.push_back(open_socket("203.0.113.60"));
      CHECK(sockets.back()->status() == 101);
    }
    auto third = open_socket("203.0.113.60");
    CHECK(third->status() == 429);
    auto neighbour = open_socket("203.0.113.61");
    CHECK(neighbour->status() == 101);
    // The proxy's own connections (any number) carry everyone's requests.
    CHECK(raw_request(port, "127.0.0.2", "GET", "/healthz").status == 200);
    CHECK(metrics_line(port, "switchboard_address_limit_refusals_total 1"));
  }
}

TEST_CASE("out of file descriptors, the server waits instead of spinning, then accepts again",
          "[hostile][emfile]") {
  // Connections are the only files this server opens while the test runs: the tenant
  // and plugin directories are polled hourly, not every second. A poll holds a
  // descriptor or two for a moment (longer on a loaded machine); one that holds the
  // last when a connection arrives makes a real, brief, first run of accept failures,
  // and the server rightly logs two runs where this test counts one.
  sb::test::TempDir scratch("switchboard-slow");
  DeploymentOptions options;
  options.config =
      config_with(scratch.path(),
                  {{"tenant_reload_interval_ms = 1000", "tenant_reload_interval_ms = 3600000"}});
  Deployment deployment({acme_tenant()}, options);
  const auto port = deployment.port();
  const int pid = deployment.server().pid();
  // The server (only) may open four more files than it has open now: the limit is
  // just past the fourth descriptor number it does not use.
  const auto in_use = open_descriptors(pid);
  int free_numbers = 0;
  int fd = 0;
  for (; free_numbers < 4; ++fd)
    if (!in_use.contains(fd)) ++free_numbers;
  rlimit limit{};
  REQUIRE(prlimit(pid, RLIMIT_NOFILE, nullptr, &limit) == 0);
  limit.rlim_cur = static_cast<rlim_t>(fd);
  REQUIRE(prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0);

  // Keep-alive clients, each served once, until the server has no descriptor left
  // for the next: that one waits in the listen backlog, unanswered, and the server
  // says it cannot accept. Neither is decided by a deadline (a loaded machine may take
  // long to answer); the give-up time only ends a test that would hang.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<std::unique_ptr<RawClient>> held;
  std::unique_ptr<RawClient> waiting;
  for (int i = 0; i < 20 && !waiting; ++i) {
    auto client = std::make_unique<RawClient>(port);
    client->send(request);
    const auto give_up = Clock::now() + 30s;
    bool refused = false;
    const auto answered = [&] { return client->received().find("\r\n\r\n") != std::string::npos; };
    while (!answered() && !refused && Clock::now() < give_up) {
      client->read(100ms, "\r\n\r\n");
      refused = count_of(deployment.server().log(), "cannot accept connections") > 0;
    }
    if (client->status() == 200)
      held.push_back(std::move(client));
    else
      waiting = std::move(client);
  }
  REQUIRE(waiting);
  REQUIRE_FALSE(held.empty());
  // Every descriptor the server may have is open: it is out of them, not slow.
  const auto at_limit = open_descriptors(pid);
  std::vector<int> unused;
  for (int number = 0; number < static_cast<int>(limit.rlim_cur); ++number)
    if (!at_limit.contains(number)) unused.push_back(number);
  REQUIRE(unused.empty());

  // At the limit, with a connection pending, the server idles: it retries now and
  // then instead of spinning on accept (which would burn a core: ~3 s of CPU here).
  const double cpu_before = cpu_seconds(pid);
  std::this_thread::sleep_for(3s);
  CHECK(cpu_seconds(pid) - cpu_before < 0.3);
  // Served connections keep working meanwhile.
  held.front()->send(request);
  const auto give_up = Clock::now() + 30s;
  while (count_of(held.front()->received(), "HTTP/1.1 200") < 2 && Clock::now() < give_up &&
         !held.front()->read(100ms, {}, 1)) {
  }
  CHECK(count_of(held.front()->received(), "HTTP/1.1 200") == 2);
  CHECK(count_of(deployment.server().log(), "cannot accept connections") == 1);

  // Connections close: the waiting client is taken in and answered, and new ones too
  // once the server has closed its side of them (at once on a quiet machine; on a
  // loaded one a new client could come first, find no descriptor yet and make a
  // second, real run of failures).
  const std::size_t closing = held.size();
  held.clear();
  waiting->read(5s, "\r\n\r\n");
  CHECK(waiting->status() == 200);
  auto free_below_limit = [&] {
    const auto open = open_descriptors(pid);
    const auto below = std::count_if(open.begin(), open.end(), [&](int number) {
      return number < static_cast<int>(limit.rlim_cur);
    });
    return static_cast<long>(limit.rlim_cur) - below;
  };
  const auto closed_by = Clock::now() + 30s;
  while (free_below_limit() < static_cast<long>(closing) - 1 && Clock::now() < closed_by)
    std::this_thread::sleep_for(10ms);
  CHECK(raw_request(port, "127.0.0.1", "GET", "/healthz").status == 200);
  CHECK(count_of(deployment.server().log(), "accepting connections again") == 1);
}
