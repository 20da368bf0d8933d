// routing-external through the real server: the tenant's endpoint (a fake the test
// runs on port 0) names the agent, and every way it can fail (slow, 500, malformed,
// an agent who cannot take the chat, nobody listening) hands the conversation to
// the next strategy of the chain, least-busy, without waiting past timeout_ms.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "harness/deployment.hpp"
#include "harness/served.hpp"
#include "support/fake_openai.hpp"

using namespace sb::it;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;

namespace {

constexpr int kTimeoutMs = 400;

// ann and ben of capacity `capacity`; the chain asks the endpoint at url first.
TenantSpec desk(const std::string& url, int capacity = 5) {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme External";
  tenant.routing_chain = {"routing-external", "routing-least-busy"};
  tenant.agents = {{"ann", "Ann", "agent", capacity}, {"ben", "Ben", "agent", capacity}};
  tenant.extra_toml = "[plugins.routing-external]\nurl = \"" + url +
                      "\"\ntimeout_ms = " + std::to_string(kTimeoutMs) +
                      "\nheaders = { \"X-Desk\" = \"eu\" }\n";
  return tenant;
}

FakeReply names(const std::string& agent_id) {
  return FakeReply::raw(200, "application/json", R"({"agent_id":")" + agent_id + R"("})");
}

// A local port nobody listens on (bound, then closed again).
uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("external routing: the endpoint's choice wins over least-busy's", "[routing][external]") {
  FakeOpenAiServer endpoint("/route");
  endpoint.set_default(names("ben"));
  Deployment deployment({desk(endpoint.url())});
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");

  auto first = visitor_served(
      deployment,
      {{"meta",
        json::object{{"page", "https://shop.test/cart"}, {"lang", "de"}, {"plan", "gold"}}}});
  CHECK(first.agent_id == "ben");
  agent_sees(ben, first.conversation_id);
  // ben has one open, ann none: least-busy would pick ann; the endpoint says ben.
  auto second = visitor_served(deployment);
  CHECK(second.agent_id == "ben");
  agent_sees(ben, second.conversation_id);

  // What the endpoint was told: who asks, about whom, and who could take it.
  REQUIRE(endpoint.wait_for_requests(2));
  const auto requests = endpoint.requests();
  CHECK(requests[0].headers.at("x-desk") == "eu");
  const json::object asked = requests[0].json().as_object();
  CHECK(str(asked, "tenant") == "acme");
  CHECK(str(asked, "conversation_id") == first.conversation_id);
  CHECK(str(asked, "visitor_id") == first.visitor.visitor_id);
  CHECK(str(asked, "page") == "https://shop.test/cart");
  CHECK(str(asked, "language") == "de");
  CHECK(str(obj(asked, "attributes"), "plan") == "gold");
  const json::array& candidates = arr(asked, "candidates");
  REQUIRE(candidates.size() == 2);
  CHECK(str(candidates[0].as_object(), "id") == "ann");
  CHECK(str(candidates[1].as_object(), "id") == "ben");
  CHECK(num(candidates[1].as_object(), "max_concurrent") == 5);
  const json::object second_asked = requests[1].json().as_object();
  CHECK(num(arr(second_asked, "candidates")[1].as_object(), "open_conversations") == 1);
}

TEST_CASE("external routing: a conversation waiting for the endpoint is not asked about twice",
          "[routing][external]") {
  FakeOpenAiServer endpoint("/route");
  endpoint.set_default(names("ann").after(std::chrono::milliseconds(800)));
  TenantSpec tenant = desk(endpoint.url());
  tenant.extra_toml = "[plugins.routing-external]\nurl = \"" + endpoint.url() + "\"\n";
  Deployment deployment({tenant});
  auto ann = deployment.connect_agent("acme", "ann");
  auto visitor = deployment.connect_visitor("acme");
  const std::string conversation_id = str(visitor.send_message("hello"), "conversation_id");
  REQUIRE(endpoint.wait_for_requests(1));
  // ben comes online while the endpoint thinks: the queue is offered around again,
  // but this conversation already has its question out.
  auto ben = deployment.connect_agent("acme", "ben");
  auto told = visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(told, "agent"), "id") == "ann");
  agent_sees(ann, conversation_id);
  CHECK(endpoint.requests().size() == 1);
}

TEST_CASE("external routing: an endpoint slower than timeout_ms defers to the next strategy",
          "[routing][external]") {
  FakeOpenAiServer endpoint("/route");
  endpoint.set_default(names("ben").after(std::chrono::seconds(4)));
  Deployment deployment({desk(endpoint.url())});
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");
  auto served = visitor_served(deployment);
  // least-busy's tie-break, not the endpoint's late ben; and no later than the limit.
  CHECK(served.agent_id == "ann");
  CHECK(served.waited >= std::chrono::milliseconds(kTimeoutMs - 50));
  CHECK(served.waited < std::chrono::milliseconds(kTimeoutMs + 1500));
  agent_sees(ann, served.conversation_id);
  CHECK_THAT(deployment.server().log(), Catch::Contains("within 400 ms (timeout)"));
}

TEST_CASE("external routing: errors and ineligible agents defer to the next strategy",
          "[routing][external]") {
  FakeOpenAiServer endpoint("/route");
  // ben takes one chat at a time.
  Deployment deployment({desk(endpoint.url(), 1)});
  auto ann = deployment.connect_agent("acme", "ann");

  SECTION("an agent who is offline") {
    endpoint.set_default(names("ben"));
    auto served = visitor_served(deployment);
    CHECK(served.agent_id == "ann");
    CHECK_THAT(deployment.server().log(), Catch::Contains("named agent \"ben\", who cannot take"));
  }
  SECTION("an agent who is full") {
    auto ben = deployment.connect_agent("acme", "ben");
    endpoint.enqueue(names("ben"));
    auto first = visitor_served(deployment);
    REQUIRE(first.agent_id == "ben");
    endpoint.enqueue(names("ben"));  // ben is at his max_concurrent of 1
    auto second = visitor_served(deployment);
    CHECK(second.agent_id == "ann");
  }
  SECTION("an agent the tenant does not have") {
    endpoint.set_default(names("zed"));
    CHECK(visitor_served(deployment).agent_id == "ann");
  }
  SECTION("HTTP 500") {
    endpoint.set_default(FakeReply::raw(500, "text/plain", "router crashed"));
    CHECK(visitor_served(deployment).agent_id == "ann");
    CHECK_THAT(deployment.server().log(),
               Catch::Contains("the endpoint answered HTTP 500: router crashed"));
  }
  SECTION("malformed JSON") {
    endpoint.set_default(FakeReply::raw(200, "application/json", "{\"agent_id\": "));
    CHECK(visitor_served(deployment).agent_id == "ann");
    CHECK_THAT(deployment.server().log(), Catch::Contains("malformed answer"));
  }
  SECTION("agent_id of the wrong type") {
    endpoint.set_default(FakeReply::raw(200, "application/json", R"({"agent_id": 7})"));
    CHECK(visitor_served(deployment).agent_id == "ann");
  }
  // Every failure is answered promptly: nothing waits for the timeout.
  CHECK(endpoint.requests().size() >= 1);
}

TEST_CASE("external routing: nobody listening at the url defers at once", "[routing][external]") {
  Deployment deployment({desk("http://127.0.0.1:" + std::to_string(closed_port()) + "/route")});
  auto ann = deployment.connect_agent("acme", "ann");
  auto served = visitor_served(deployment);
  CHECK(served.agent_id == "ann");
  CHECK(served.waited < std::chrono::milliseconds(kTimeoutMs + 1500));
  CHECK_THAT(deployment.server().log(), Catch::Contains("the request failed: "));
}

TEST_CASE("external routing: a tenant without url is not served, and the log names the key",
          "[routing][external]") {
  TenantSpec tenant = desk("http://127.0.0.1:1/route");
  tenant.extra_toml = "[plugins.routing-external]\ntimeout_ms = 100\n";
  Deployment deployment({tenant});
  CHECK_THAT(deployment.server().log(), Catch::Contains("tenant acme is not served"));
  CHECK_THAT(deployment.server().log(), Catch::Contains("routing-external: url is required"));
}
