// Client frame checks without sockets: every bad input gets its error code (and
// its ref back), and the connection survives it until abuse is sustained.
#include "hub/client_frames.hpp"

#include <array>
#include <catch2/catch.hpp>

#include "../engine/fakes.hpp"
#include "auth/token_signer.hpp"

using namespace sb;
using namespace sb::hub;
using sb::engine::test::FakePeer;
using sb::engine::test::FakeStore;

namespace {

struct Fixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<metrics::TenantMetrics> metrics = std::make_shared<metrics::TenantMetrics>();
  std::shared_ptr<engine::TenantEngine> engine = std::make_shared<engine::TenantEngine>(
      "t1", strand, std::make_shared<FakeStore>(strand), metrics);
  auth::TokenSigner signer{std::array<unsigned char, 32>{1, 2, 3}};
  std::shared_ptr<TenantGate> gate;
  ConnectionState state;
  std::shared_ptr<FakePeer> peer = std::make_shared<FakePeer>(1);
  int64_t now_us = 1'000'000'000;

  explicit Fixture(TenantLimits limits = {}) {
    gate = std::make_shared<TenantGate>("t1", engine, metrics, limits);
    engine->start([](bool, std::string) {});
    settle();
    state.who.role = engine::Role::visitor;
    state.gate = gate;
    state.signer = &signer;
  }
  FrameVerdict frame(std::string_view text) {
    auto v = handle_text_frame(state, peer, text, now_us);
    settle();
    return v;
  }
  void settle() {
    ioc.restart();
    ioc.run();
  }
  std::string last_error_code() const {
    auto errors = peer->of_type("error");
    return errors.empty() ? "" : std::string(errors.back().at("code").as_string());
  }
};

}  // namespace

TEST_CASE("hello issues a visitor token that resumes the same visitor") {
  Fixture f;
  f.frame(R"({"type":"hello","name":"Ada"})");
  auto welcome = f.peer->of_type("welcome").at(0);
  const std::string token(welcome.at("visitor_token").as_string());
  const std::string id(welcome.at("visitor_id").as_string());

  Fixture g;  // another connection, same signing key
  g.frame(R"({"type":"hello","visitor_token":")" + token + R"("})");
  CHECK(std::string(g.peer->of_type("welcome").at(0).at("visitor_id").as_string()) == id);

  Fixture h;  // a forged token starts a new visitor instead
  h.frame(R"({"type":"hello","visitor_token":")" + token.substr(0, token.size() - 2) + R"(xx"})");
  CHECK(std::string(h.peer->of_type("welcome").at(0).at("visitor_id").as_string()) != id);
}

TEST_CASE("each bad frame gets its error code, with the client's ref") {
  Fixture f;
  f.frame(R"({"type":"hello"})");
  f.frame("{not json");
  CHECK(f.last_error_code() == "bad_json");
  f.frame("[1,2]");
  CHECK(f.last_error_code() == "bad_json");
  f.frame(R"({"type":"dance","ref":"r1"})");
  CHECK(f.last_error_code() == "unknown_type");
  CHECK(f.peer->of_type("error").back().at("ref") == "r1");
  f.frame(R"({"type":"message","client_msg_id":"m1","text":5,"ref":"r2"})");
  CHECK(f.last_error_code() == "bad_field");
  CHECK(f.peer->of_type("error").back().at("ref") == "r2");
  f.frame(R"({"type":"message","text":"no id"})");
  CHECK(f.last_error_code() == "bad_field");
  f.frame(R"({"type":"status","status":"online"})");
  CHECK(f.last_error_code() == "forbidden");  // visitors have no status
  f.frame(R"({"type":"read","conversation_id":"c1","seq":-1})");
  CHECK(f.last_error_code() == "bad_field");
  f.frame(R"({"type":"ping"})");
  CHECK(f.peer->of_type("pong").size() == 1);
  // And a good message still goes through after all that.
  f.frame(R"({"type":"message","client_msg_id":"m1","text":"hello"})");
  CHECK(f.peer->of_type("ack").size() == 1);
}

TEST_CASE("a message may carry up to 10 attachment ids, and then needs no text") {
  Fixture f;
  f.frame(R"({"type":"hello"})");
  f.frame(R"({"type":"message","client_msg_id":"m1","ref":"r1"})");
  CHECK(f.last_error_code() == "bad_field");  // neither text nor files
  f.frame(R"({"type":"message","client_msg_id":"m2","attachments":"att_1"})");
  CHECK(f.last_error_code() == "bad_field");
  std::string eleven = R"({"type":"message","client_msg_id":"m3","attachments":[)";
  for (int i = 0; i < 11; ++i) eleven += (i ? ",\"att_" : "\"att_") + std::to_string(i) + "\"";
  f.frame(eleven + "]}");
  CHECK(f.last_error_code() == "bad_field");
  CHECK(f.peer->of_type("error").back().at("message") ==
        "a message carries at most 10 attachments");
  // Past the frame checks, the engine looks the file up: this store has none.
  f.frame(R"({"type":"message","client_msg_id":"m4","attachments":["att_1"],"ref":"r4"})");
  CHECK(f.last_error_code() == "not_found");
  CHECK(f.peer->of_type("error").back().at("ref") == "r4");
  CHECK(f.peer->of_type("ack").empty());
}

TEST_CASE("messages before hello are refused") {
  Fixture f;
  f.frame(R"({"type":"message","client_msg_id":"m1","text":"hi"})");
  CHECK(f.last_error_code() == "forbidden");
  CHECK(f.peer->of_type("ack").empty());
}

TEST_CASE("a frame over the tenant's size limit is too_large") {
  TenantLimits limits;
  limits.max_message_bytes = 100;
  Fixture f(limits);
  f.frame(R"({"type":"hello"})");
  f.frame(R"({"type":"message","client_msg_id":"m1","text":")" + std::string(200, 'x') + R"("})");
  CHECK(f.last_error_code() == "too_large");
  CHECK(f.peer->of_type("ack").empty());
}

TEST_CASE("a burst over the connection's rate is rate_limited, and the rate recovers") {
  TenantLimits limits;
  limits.connection_messages_per_second = 5;
  Fixture f(limits);
  f.frame(R"({"type":"hello"})");
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    f.frame(R"({"type":"message","client_msg_id":"m)" + std::to_string(i) + R"(","text":"x"})");
    if (f.last_error_code() == "rate_limited") ++limited;
  }
  CHECK(limited > 0);
  const auto acked = f.peer->of_type("ack").size();
  CHECK(acked >= 5);
  CHECK(acked < 30);
  f.now_us += 2'000'000;  // two seconds later
  f.frame(R"({"type":"message","client_msg_id":"later","text":"x"})");
  CHECK(f.peer->of_type("ack").size() == acked + 1);
}

TEST_CASE("sustained abuse asks for the connection to be closed") {
  Fixture f;
  FrameVerdict verdict = FrameVerdict::ok;
  int frames = 0;
  while (verdict == FrameVerdict::ok && frames < 100) {
    verdict = f.frame("garbage");
    ++frames;
  }
  CHECK(verdict == FrameVerdict::close_policy);
  CHECK(frames == 20);
}

TEST_CASE("the tenant-wide rate limit is shared by all connections") {
  RateLimiter tenant;
  int64_t now = 5'000'000;
  int taken = 0;
  for (int i = 0; i < 1000; ++i) taken += tenant.try_take(now, 100) ? 1 : 0;
  CHECK(taken >= 100);
  CHECK(taken <= 102);  // one second's burst, no more
}

TEST_CASE("hello's email must look like an address, none given is fine") {
  for (const char* good : {"ada@example.com", "a.b+tag@mail.example.co.uk", "用户@例子.中国"}) {
    Fixture f;
    f.frame(std::string(R"({"type":"hello","email":")") + good + R"("})");
    INFO(good);
    CHECK(f.peer->of_type("welcome").size() == 1);
  }
  for (const char* none : {R"({"type":"hello","email":null})", R"({"type":"hello","email":""})"}) {
    Fixture f;
    f.frame(none);
    CHECK(f.peer->of_type("welcome").size() == 1);
  }
  const std::string long_local(250, 'a');
  for (const std::string& bad : std::vector<std::string>{
           "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "a da@example.com",
           "ada@exa mple.com", "<ada@example.com>", "ada@-example.com", "ada@example..com",
           ".ada@example.com", "ada..b@example.com", long_local + "@example.com"}) {
    Fixture f;
    f.frame(R"({"type":"hello","email":")" + bad + R"("})");
    INFO(bad);
    CHECK(f.last_error_code() == "bad_field");
    CHECK(f.peer->of_type("welcome").empty());
  }
  Fixture f;
  f.frame(R"({"type":"hello","email":42})");
  CHECK(f.last_error_code() == "bad_field");
}

TEST_CASE("rate: a visitor's frame is checked before the engine sees it") {
  Fixture f;
  f.frame(R"({"type":"hello"})");
  for (const char* bad :
       {R"({"type":"rate","conversation_id":"c1","score":0})",
        R"({"type":"rate","conversation_id":"c1","score":6})",
        R"({"type":"rate","conversation_id":"c1","score":4.5})",
        R"({"type":"rate","conversation_id":"c1","score":"5"})",
        R"({"type":"rate","conversation_id":"c1"})", R"({"type":"rate","score":5})",
        R"({"type":"rate","conversation_id":"c1","score":5,"comment":7})"}) {
    f.frame(bad);
    INFO(bad);
    CHECK(f.last_error_code() == "bad_field");
  }
  f.frame(R"({"type":"rate","conversation_id":"c1","score":5,"comment":")" +
          std::string(1001, 'x') + R"("})");
  CHECK(f.last_error_code() == "bad_field");
  // Well formed: the engine answers (no such conversation here).
  f.frame(R"({"type":"rate","conversation_id":"c1","score":5,"comment":"thanks","ref":"r9"})");
  CHECK(f.last_error_code() == "not_found");
  CHECK(f.peer->of_type("error").back().at("ref") == "r9");

  Fixture agent;
  agent.state.who = engine::Identity{engine::Role::agent, "ann", "Ann", "agent"};
  agent.state.registered = true;
  agent.frame(R"({"type":"rate","conversation_id":"c1","score":5})");
  CHECK(agent.last_error_code() == "forbidden");
}

TEST_CASE("rate frames are paced like messages") {
  TenantLimits limits;
  limits.connection_messages_per_second = 5;
  Fixture f(limits);
  f.frame(R"({"type":"hello"})");
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    f.frame(R"({"type":"rate","conversation_id":"c1","score":5})");
    if (f.last_error_code() == "rate_limited") ++limited;
  }
  CHECK(limited > 0);
  CHECK(limited < 30);
}

TEST_CASE(
    "a connection that arrives after its tenant's connections were closed gets their reason") {
  Fixture f;
  f.gate->track_connections();
  auto first = std::make_shared<FakePeer>(2);
  f.gate->attach(first);
  const std::string why = "the tenant is no longer served here; reconnect";
  f.gate->close_all(1012, why);
  CHECK(first->closed_with == 1012);
  CHECK(first->closed_reason == why);

  // A socket that was mid-handshake when the file went is told the same, not that
  // the tenant moved to another node.
  auto late = std::make_shared<FakePeer>(3);
  f.gate->attach(late);
  CHECK(late->closed_with == 1012);
  CHECK(late->closed_reason == why);
}
