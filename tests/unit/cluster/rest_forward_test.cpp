// REST forwarded to a tenant's owner (cluster/rest_forward.hpp): which requests
// go, the mark that only the cluster's nodes can make and that vouches for one
// request to one node, and what the client gets: the owner's answer as it was, or
// 503 with Retry-After when the owner does not answer (never anything else).
#include "cluster/rest_forward.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/clock.hpp"
#include "support/fake_openai.hpp"

using namespace sb::cluster;
using sb::hub::HttpRequest;
using sb::hub::HttpResponse;
using namespace std::chrono_literals;

namespace {

sb::auth::TokenSigner signer_with(unsigned char fill) {
  sb::auth::Key key;
  key.fill(fill);
  return sb::auth::TokenSigner(key);
}

HttpRequest request(std::string method, std::string target) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.path = r.target.substr(0, r.target.find('?'));
  r.remote_address = "203.0.113.7";
  r.scheme = "https";
  r.host = "chat.example.com";
  return r;
}

ForwardMark mark_for(const HttpRequest& r, std::string to) {
  return ForwardMark{"node-b", std::move(to), "acme",
                     r.method, r.target,      r.remote_address,
                     r.scheme, r.host,        sb::wall_clock_ms() + 60'000};
}

// A forwarder on its own event loop, as a node runs it.
struct Loop {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~Loop() {
    work.reset();
    io.stop();
    thread.join();
  }
};

HttpResponse forward_and_wait(RestForwarder& forwarder, const std::string& url, HttpRequest r) {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<HttpResponse> answer;
  int answers = 0;
  forwarder.forward("acme", "node-a", url, std::move(r), [&](HttpResponse response) {
    std::lock_guard lock(mutex);
    ++answers;
    answer = std::move(response);
    cv.notify_all();
  });
  std::unique_lock lock(mutex);
  REQUIRE(cv.wait_for(lock, 10s, [&] { return answer.has_value(); }));
  CHECK(answers == 1);
  return *answer;
}

std::string header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

std::string error_code(const HttpResponse& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();  // closed again when this returns
}

}  // namespace

TEST_CASE("rest forward: what only the owner answers, what every node answers itself") {
  CHECK(tenant_to_forward(request("GET", "/v1/tenants/acme/widget")) == "acme");
  CHECK(tenant_to_forward(request("GET", "/v1/tenants/acme/stats/live")) == "acme");
  CHECK(tenant_to_forward(request("GET", "/v1/tenants/acme/agents")) == "acme");
  CHECK(tenant_to_forward(request("PATCH", "/v1/tenants/acme/conversations/c1")) == "acme");
  CHECK(tenant_to_forward(request("GET", "/v1/tenants/acme/bot/unanswered")) == "acme");
  // Sign-in stays with the node the client reached (its throttle sees the client).
  CHECK_FALSE(tenant_to_forward(request("POST", "/v1/tenants/acme/auth/login")));
  CHECK_FALSE(tenant_to_forward(request("POST", "/v1/tenants/acme/auth/session")));
  for (const char* local : {"/healthz", "/readyz", "/metrics", "/v1/session", "/v1/tenants/acme",
                            "/console/index.html", "/v1/other/acme/widget"})
    CHECK_FALSE(tenant_to_forward(request("GET", local)));
}

TEST_CASE("rest forward: a mark vouches for one request to one node, made with the cluster's key") {
  const auto signer = signer_with(7);
  auto r = request("POST", "/v1/tenants/acme/conversations/c1?x=1");
  r.forwarded_mark = seal_mark(mark_for(r, "node-a"), signer);
  const int64_t now = sb::wall_clock_ms();
  std::string why;

  auto opened = open_mark(r, "acme", "node-a", signer, now, why);
  REQUIRE(opened);
  CHECK(opened->from == "node-b");
  CHECK(opened->client_address == "203.0.113.7");
  CHECK(opened->scheme == "https");
  CHECK(opened->host == "chat.example.com");

  // Sent to another node: that node does not take it as its own.
  CHECK_FALSE(open_mark(r, "acme", "node-c", signer, now, why));
  CHECK(why.find("node-a") != std::string::npos);
  // Not for another tenant, target or method.
  CHECK_FALSE(open_mark(r, "other", "node-a", signer, now, why));
  auto other_target = r;
  other_target.target = "/v1/tenants/acme/conversations/c2?x=1";
  CHECK_FALSE(open_mark(other_target, "acme", "node-a", signer, now, why));
  auto other_method = r;
  other_method.method = "DELETE";
  CHECK_FALSE(open_mark(other_method, "acme", "node-a", signer, now, why));
  // Not after it expired.
  CHECK_FALSE(open_mark(r, "acme", "node-a", signer, now + 61'000, why));
  CHECK(why.find("expired") != std::string::npos);
  // Not when made with another key (a node of another install, a client's guess).
  CHECK_FALSE(open_mark(r, "acme", "node-a", signer_with(8), now, why));
  CHECK(why.find("secret.key") != std::string::npos);
  auto forged = r;
  forged.forwarded_mark = "e30.AAAA";
  CHECK_FALSE(open_mark(forged, "acme", "node-a", signer, now, why));

  // A mark is no token, and a token no mark.
  CHECK_FALSE(signer.verify(r.forwarded_mark, now / 1000));
  sb::auth::Claims claims{"agent", "acme", "alice", "admin", now / 1000 + 600, 0};
  auto with_token = r;
  with_token.forwarded_mark = signer.issue(claims);
  CHECK_FALSE(open_mark(with_token, "acme", "node-a", signer, now, why));
}

TEST_CASE("rest forward: the owner's answer comes back as it was, the client named in a mark") {
  const auto signer = signer_with(7);
  sb::test::FakeOpenAiServer owner("/v1/tenants/acme/conversations/c1");
  owner.set_default(sb::test::FakeReply::raw(409, "application/json",
                                             R"({"error":{"code":"closed","message":"x"}})"));
  Loop loop;
  RestForwarder forwarder(loop.io.get_executor(), signer, {.node_id = "node-b"});

  auto r = request("POST", "/v1/tenants/acme/conversations/c1");
  r.authorization = "Bearer t0k";
  r.content_type = "application/json";
  r.body = R"({"status":"closed"})";
  const auto answer =
      forward_and_wait(forwarder, "http://127.0.0.1:" + std::to_string(owner.port()), r);
  CHECK(answer.status == 409);
  CHECK(answer.content_type == "application/json");
  CHECK(answer.body == R"({"error":{"code":"closed","message":"x"}})");
  // The hub writes its own connection headers.
  CHECK(header(answer, "Content-Length").empty());
  CHECK(header(answer, "Connection").empty());

  REQUIRE(owner.wait_for_requests(1));
  const auto got = owner.requests().front();
  CHECK(got.method == "POST");
  CHECK(got.target == "/v1/tenants/acme/conversations/c1");
  CHECK(got.body == R"({"status":"closed"})");
  CHECK(got.headers.at("authorization") == "Bearer t0k");
  CHECK(got.headers.at("x-forwarded-for") == "203.0.113.7");
  // The owner opens the mark and finds the client as node-b saw it.
  HttpRequest arrived = request(got.method, got.target);
  arrived.remote_address = "127.0.0.1";
  arrived.forwarded_mark = got.headers.at("x-switchboard-forwarded");
  std::string why;
  const auto mark = open_mark(arrived, "acme", "node-a", signer, sb::wall_clock_ms(), why);
  INFO(why);
  REQUIRE(mark);
  CHECK(mark->from == "node-b");
  CHECK(mark->client_address == "203.0.113.7");
}

TEST_CASE("rest forward: an owner that does not answer, or is not known, gets the client a 503") {
  const auto signer = signer_with(7);
  Loop loop;
  RestForwarder forwarder(loop.io.get_executor(), signer, {.node_id = "node-b"});
  const auto r = request("GET", "/v1/tenants/acme/widget");

  for (const auto& url : {"http://127.0.0.1:" + std::to_string(closed_port()), std::string()}) {
    INFO("owner at '" << url << "'");
    const auto answer = forward_and_wait(forwarder, url, r);
    CHECK(answer.status == 503);
    CHECK(header(answer, "Retry-After") == "1");
    CHECK(error_code(answer) == "unavailable");
  }
}
