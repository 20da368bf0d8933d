// A transfer to a group under routing-external: the server waits for the tenant's
// endpoint (a fake the test runs on port 0) while the conversation stays with the
// agent who asked, then moves it to the member the endpoint names, or to the next
// strategy's choice, or tells the agent nobody can take it.
#include <catch2/catch.hpp>
#include <chrono>

#include "harness/deployment.hpp"
#include "support/fake_openai.hpp"

using namespace sb::it;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr int kTransferTimeoutMs = 400;

// ann in support; ben and cara in billing. least-busy's tie-break picks ben, so
// the endpoint names cara whenever the test must tell whose choice won.
TenantSpec transfer_desk_tenant(const std::string& url) {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme External";
  tenant.routing_chain = {"routing-external", "routing-least-busy"};
  tenant.agents = {{"ann", "Ann", "agent", 5, {"support"}},
                   {"ben", "Ben", "agent", 5, {"billing"}},
                   {"cara", "Cara", "agent", 5, {"billing"}}};
  tenant.extra_toml = "[plugins.routing-external]\nurl = \"" + url +
                      "\"\ntimeout_ms = " + std::to_string(kTransferTimeoutMs) + "\n";
  return tenant;
}

FakeReply transfer_names(const std::string& agent_id) {
  return FakeReply::raw(200, "application/json", R"({"agent_id":")" + agent_id + R"("})");
}

// ann (the only one online then) has the visitor's conversation; then ben and cara
// come online.
struct Desk {
  FakeOpenAiServer endpoint{"/route"};
  Deployment deployment{std::vector<TenantSpec>{transfer_desk_tenant(endpoint.url())}};
  AgentSession ann = deployment.connect_agent("acme", "ann");
  VisitorSession visitor = deployment.connect_visitor("acme");
  std::string conversation_id = served_by_ann();
  AgentSession ben = deployment.connect_agent("acme", "ben");
  AgentSession cara = deployment.connect_agent("acme", "cara");

  std::string served_by_ann() {
    endpoint.enqueue(transfer_names("ann"));
    const std::string id =
        str(visitor.send_message("I have a billing question"), "conversation_id");
    auto assigned = ann.ws.next_of_type("conversation.assigned");
    REQUIRE(str(obj(assigned, "conversation"), "id") == id);
    visitor.ws.next_of_type("conversation.assigned");
    return id;
  }

  void transfer_to_billing(const std::string& ref) {
    ann.ws.send_json({{"type", "transfer"},
                      {"conversation_id", conversation_id},
                      {"to_group", "billing"},
                      {"ref", ref}});
  }
};

std::vector<std::string> texts_of(const json::array& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(str(m.as_object(), "text"));
  return out;
}

}  // namespace

TEST_CASE("external transfer: the endpoint's later answer moves the conversation, no message lost",
          "[routing][external][transfer]") {
  Desk desk;
  desk.endpoint.enqueue(transfer_names("cara").after(milliseconds(300)));
  const auto asked = Clock::now();
  desk.transfer_to_billing("t-1");
  REQUIRE(desk.endpoint.wait_for_requests(2));

  // While the endpoint thinks, the visitor's messages still reach ann, and a second
  // transfer is refused rather than raced against the first.
  for (const std::string text : {"during 1", "during 2", "during 3"})
    desk.visitor.send_message(text);
  desk.transfer_to_billing("t-2");
  auto refused = reply_to(desk.ann.ws, "t-2");
  CHECK(str(refused, "type") == "error");
  CHECK(str(refused, "code") == "forbidden");
  CHECK_THAT(str(refused, "message"), Catch::Contains("already waiting"));

  std::vector<std::string> ann_saw;
  json::object transferred;
  while (transferred.empty()) {
    auto frame = desk.ann.ws.next_where(
        [](const json::object& f) {
          return str(f, "type") == "message" || str(f, "type") == "conversation.transferred";
        },
        "a message or conversation.transferred");
    if (str(frame, "type") == "message")
      ann_saw.push_back(str(frame, "text"));
    else
      transferred = frame;
  }
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - asked);
  CHECK(waited >= milliseconds(250));  // the endpoint's answer, not least-busy's at once
  CHECK(ann_saw == std::vector<std::string>{"during 1", "during 2", "during 3"});
  CHECK(str(transferred, "to_agent") == "cara");

  // cara takes over with the whole history; ben was never given it.
  auto taken = desk.cara.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(taken, "conversation"), "id") == desk.conversation_id);
  CHECK(texts_of(arr(taken, "history")) ==
        std::vector<std::string>{"I have a billing question", "during 1", "during 2", "during 3"});
  auto told = desk.visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(told, "agent"), "id") == "cara");
  desk.ben.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(100));

  // The endpoint was asked about billing's free members, not ann.
  const json::object question = desk.endpoint.requests()[1].json().as_object();
  CHECK(str(question, "conversation_id") == desk.conversation_id);
  CHECK(str(question, "group") == "billing");
  const json::array& candidates = arr(question, "candidates");
  REQUIRE(candidates.size() == 2);
  CHECK(str(candidates[0].as_object(), "id") == "ben");
  CHECK(str(candidates[1].as_object(), "id") == "cara");

  // From now on the visitor's messages reach cara, gapless, and ann no more.
  for (const std::string text : {"after 1", "after 2"}) desk.visitor.send_message(text);
  auto first = desk.cara.ws.next_of_type("message");
  auto second = desk.cara.ws.next_of_type("message");
  CHECK(str(first, "text") == "after 1");
  CHECK(num(first, "seq") == 5);
  CHECK(num(second, "seq") == 6);
  desk.ann.ws.expect_no_frame_of_type("message", milliseconds(200));
  CHECK(desk.endpoint.requests().size() == 2);  // t-2 asked no one
}

TEST_CASE("external transfer: an endpoint past timeout_ms leaves the choice to the next strategy",
          "[routing][external][transfer]") {
  Desk desk;
  desk.endpoint.enqueue(transfer_names("cara").after(std::chrono::seconds(4)));
  const auto asked = Clock::now();
  desk.transfer_to_billing("t-1");
  auto transferred = desk.ann.ws.next_of_type("conversation.transferred");
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - asked);
  // least-busy's tie-break, once the endpoint had its time, and not much later.
  CHECK(str(transferred, "to_agent") == "ben");
  CHECK(waited >= milliseconds(kTransferTimeoutMs - 50));
  CHECK(waited < milliseconds(kTransferTimeoutMs + 1500));
  auto taken = desk.ben.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(taken, "conversation"), "id") == desk.conversation_id);
  CHECK_THAT(desk.deployment.server().log(), Catch::Contains("within 400 ms (timeout)"));
  desk.cara.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(200));
}

TEST_CASE("external transfer: nobody usable leaves the conversation with the agent who asked",
          "[routing][external][transfer]") {
  Desk desk;
  desk.endpoint.enqueue(transfer_names("ann").after(milliseconds(300)));  // not in billing
  desk.transfer_to_billing("t-1");
  REQUIRE(desk.endpoint.wait_for_requests(2));
  // billing steps away while the endpoint thinks: least-busy has no one either.
  desk.ben.ws.send_json({{"type", "status"}, {"status", "away"}});
  desk.cara.ws.send_json({{"type", "status"}, {"status", "away"}});

  auto refused = reply_to(desk.ann.ws, "t-1");
  CHECK(str(refused, "type") == "error");
  CHECK(str(refused, "code") == "unavailable");
  CHECK_THAT(str(refused, "message"), Catch::Contains("billing"));
  CHECK_THAT(desk.deployment.server().log(),
             Catch::Contains("named agent \"ann\", who cannot take"));

  // Still ann's, both ways.
  desk.visitor.send_message("are you still there?");
  CHECK(str(desk.ann.ws.next_of_type("message"), "text") == "are you still there?");
  desk.ann.send_message(desk.conversation_id, "yes, still me");
  CHECK(str(desk.visitor.ws.next_of_type("message"), "text") == "yes, still me");
  desk.ann.ws.expect_no_frame_of_type("conversation.transferred", milliseconds(100));
  desk.ben.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(100));
  desk.cara.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(50));
}

TEST_CASE("external transfer: a close while the endpoint thinks makes its answer a no-op",
          "[routing][external][transfer]") {
  Desk desk;
  desk.endpoint.enqueue(transfer_names("cara").after(milliseconds(300)));
  desk.transfer_to_billing("t-1");
  REQUIRE(desk.endpoint.wait_for_requests(2));
  desk.ann.ws.send_json(
      {{"type", "close"}, {"conversation_id", desk.conversation_id}, {"ref", "c-1"}});
  CHECK(str(desk.ann.ws.next_of_type("conversation.closed"), "conversation_id") ==
        desk.conversation_id);
  desk.visitor.ws.next_of_type("conversation.closed");

  // Past the endpoint's answer: nobody got the conversation, nobody an error.
  desk.cara.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(700));
  desk.ben.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(50));
  desk.ann.ws.expect_no_frame_of_type("error", milliseconds(50));
  desk.ann.ws.expect_no_frame_of_type("conversation.transferred", milliseconds(50));
  desk.visitor.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(50));
  CHECK_THAT(desk.deployment.server().log(), Catch::Contains("the answer is ignored"));
}
