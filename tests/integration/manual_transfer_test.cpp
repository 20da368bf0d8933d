// A transfer to a group whose chain is routing-manual: the group's free agents are
// offered the conversation while the agent who has it keeps it and keeps chatting;
// the first accept takes it over in one step, the others see the offer withdrawn.
#include <catch2/catch.hpp>
#include <chrono>

#include "harness/deployment.hpp"

using namespace sb::it;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// ann in support; the rest in billing. Everything routes manually.
TenantSpec manual_desk_tenant(int billing_agents, const std::string& extra_toml = {}) {
  TenantSpec tenant;
  tenant.id = "desk";
  tenant.name = "Manual Desk";
  tenant.routing_chain = {"routing-manual"};
  tenant.agents = {{"ann", "Ann", "agent", 10, {"support"}}};
  for (int i = 0; i < billing_agents; ++i) {
    const std::string id = "bill" + std::to_string(10 + i);
    tenant.agents.push_back({id, "Billing " + id, "agent", 10, {"billing"}});
  }
  tenant.extra_toml = extra_toml;
  return tenant;
}

json::object accept_frame(const std::string& conversation_id, const std::string& ref) {
  return {{"type", "accept"}, {"conversation_id", conversation_id}, {"ref", ref}};
}

bool is_offer_of(const json::object& f, const std::string& conversation_id) {
  return str(f, "type") == "conversation.offered" &&
         str(obj(f, "conversation"), "id") == conversation_id;
}

std::vector<std::string> manual_texts_of(const json::array& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(str(m.as_object(), "text"));
  return out;
}

// The billing agents online from the start; ann takes each new visitor's
// conversation from the manual offer (the billing agents see it offered, then taken).
struct ManualDesk {
  Deployment deployment;
  AgentSession ann;
  std::vector<AgentSession> billing;

  explicit ManualDesk(int billing_agents, const std::string& extra_toml = {})
      : deployment({manual_desk_tenant(billing_agents, extra_toml)}),
        ann(deployment.connect_agent("desk", "ann")) {
    for (const auto& a : deployment.tenant("desk").agents)
      if (a.id != "ann") billing.push_back(deployment.connect_agent("desk", a.id));
  }

  // A visitor whose first message ann accepts; returns the conversation id.
  std::string served_by_ann(VisitorSession& visitor, const std::string& text) {
    const std::string id = str(visitor.send_message(text), "conversation_id");
    ann.ws.next_where([&](const json::object& f) { return is_offer_of(f, id); }, "ann's offer");
    ann.ws.send_json(accept_frame(id, "ann-takes-" + id));
    auto assigned = ann.ws.next_of_type("conversation.assigned");
    REQUIRE(str(obj(assigned, "conversation"), "id") == id);
    for (auto& b : billing) {
      b.ws.next_where([&](const json::object& f) { return is_offer_of(f, id); }, "the first offer");
      CHECK(str(b.ws.next_of_type("conversation.offer_withdrawn"), "reason") == "taken");
    }
    visitor.ws.next_of_type("conversation.assigned");
    return id;
  }

  void transfer_to_billing(const std::string& conversation_id, const std::string& ref) {
    ann.ws.send_json({{"type", "transfer"},
                      {"conversation_id", conversation_id},
                      {"to_group", "billing"},
                      {"ref", ref}});
  }
};

// The transfer's offer, as a billing agent sees it.
json::object transfer_offer(AgentSession& agent, const std::string& conversation_id) {
  auto offered =
      agent.ws.next_where([&](const json::object& f) { return is_offer_of(f, conversation_id); },
                          "the transfer's offer");
  REQUIRE(offered.contains("transfer"));
  return offered;
}

}  // namespace

TEST_CASE("manual transfer: billing is offered it, ann keeps chatting, the first accept takes it",
          "[routing][manual][transfer]") {
  ManualDesk desk(2);
  auto& ben = desk.billing[0];
  auto& cara = desk.billing[1];
  auto visitor = desk.deployment.connect_visitor("desk");
  const auto id = desk.served_by_ann(visitor, "my invoice is wrong");

  desk.transfer_to_billing(id, "t-1");
  for (auto* agent : {&ben, &cara}) {
    auto offered = transfer_offer(*agent, id);
    CHECK(str(obj(offered, "transfer"), "group") == "billing");
    CHECK(str(obj(obj(offered, "transfer"), "from"), "id") == "ann");
    CHECK(str(obj(obj(offered, "transfer"), "from"), "name") == "Ann");
    CHECK(str(obj(offered, "conversation"), "assignee") == "ann");
  }
  // Meanwhile the chat goes on between ann and the visitor, and nobody else sees it.
  visitor.send_message("are you still there?");
  CHECK(str(desk.ann.ws.next_of_type("message"), "text") == "are you still there?");
  desk.ann.send_message(id, "yes, asking billing for you");
  CHECK(str(visitor.ws.next_of_type("message"), "text") == "yes, asking billing for you");
  desk.ann.ws.expect_no_frame_of_type("conversation.transferred", milliseconds(100));
  desk.ann.ws.expect_no_frame_of_type("error", milliseconds(0));
  ben.ws.expect_no_frame_of_type("message", milliseconds(0));

  cara.ws.send_json(accept_frame(id, "cara-takes"));
  auto taken = cara.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(taken, "conversation"), "id") == id);
  CHECK(str(obj(taken, "conversation"), "assignee") == cara.agent_id);
  CHECK(manual_texts_of(arr(taken, "history")) ==
        std::vector<std::string>{"my invoice is wrong", "are you still there?",
                                 "yes, asking billing for you"});
  CHECK(str(desk.ann.ws.next_of_type("conversation.transferred"), "to_agent") == cara.agent_id);
  auto withdrawn = ben.ws.next_of_type("conversation.offer_withdrawn");
  CHECK(str(withdrawn, "conversation_id") == id);
  CHECK(str(withdrawn, "reason") == "taken");
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == cara.agent_id);

  // From now on the visitor reaches cara only; ben's late accept is refused.
  visitor.send_message("hello billing");
  CHECK(str(cara.ws.next_of_type("message"), "text") == "hello billing");
  desk.ann.ws.expect_no_frame_of_type("message", milliseconds(200));
  ben.ws.expect_no_frame_of_type("message", milliseconds(0));
  ben.ws.send_json(accept_frame(id, "ben-late"));
  auto late = reply_to(ben.ws, "ben-late");
  CHECK(str(late, "code") == "forbidden");
  CHECK(str(late, "message") == "this conversation was already taken by another agent");
  cara.ws.expect_no_frame_of_type("conversation.offer_withdrawn", milliseconds(0));
}

TEST_CASE("manual transfer: ann closes during the offer and nobody gets the conversation",
          "[routing][manual][transfer]") {
  ManualDesk desk(2);
  auto visitor = desk.deployment.connect_visitor("desk");
  const auto id = desk.served_by_ann(visitor, "never mind");
  desk.transfer_to_billing(id, "t-1");
  for (auto& agent : desk.billing) transfer_offer(agent, id);
  // A second transfer while the offer stands is refused, as while a strategy thinks.
  desk.transfer_to_billing(id, "t-2");
  auto refused = reply_to(desk.ann.ws, "t-2");
  CHECK(str(refused, "code") == "forbidden");
  CHECK_THAT(str(refused, "message"), Catch::Contains("already offered to group billing"));

  desk.ann.ws.send_json({{"type", "close"}, {"conversation_id", id}});
  desk.ann.ws.next_of_type("conversation.closed");
  for (auto& agent : desk.billing) {
    auto withdrawn = agent.ws.next_of_type("conversation.offer_withdrawn");
    CHECK(str(withdrawn, "conversation_id") == id);
    CHECK(str(withdrawn, "reason") == "closed");
  }
  desk.billing[0].ws.send_json(accept_frame(id, "too-late"));
  CHECK(str(reply_to(desk.billing[0].ws, "too-late"), "code") == "not_found");
  for (auto& agent : desk.billing)
    agent.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(200));
  desk.ann.ws.expect_no_frame_of_type("conversation.transferred", milliseconds(0));
}

TEST_CASE("manual transfer: many billing agents accept at once and exactly one wins",
          "[routing][manual][transfer]") {
  constexpr int kAgents = 12;
  constexpr int kRounds = 5;
  ManualDesk desk(kAgents);
  for (int round = 0; round < kRounds; ++round) {
    auto visitor = desk.deployment.connect_visitor("desk");
    const auto id = desk.served_by_ann(visitor, "round " + std::to_string(round));
    desk.transfer_to_billing(id, "t-" + std::to_string(round));
    for (auto& agent : desk.billing) transfer_offer(agent, id);

    // Everyone accepts before reading anything back.
    const std::string ref = "race-" + std::to_string(round);
    for (auto& agent : desk.billing) agent.ws.send_json(accept_frame(id, ref));
    std::string winner;
    for (auto& agent : desk.billing) {
      auto answer = agent.ws.next_where(
          [&](const json::object& f) {
            return (str(f, "type") == "conversation.assigned" &&
                    str(obj(f, "conversation"), "id") == id) ||
                   (str(f, "type") == "error" && f.contains("ref") && str(f, "ref") == ref);
          },
          "the assignment or the error answering the accept");
      if (str(answer, "type") == "conversation.assigned") {
        CHECK(winner.empty());  // exactly one winner
        winner = agent.agent_id;
        CHECK(arr(answer, "history").size() == 1);
      } else {
        CHECK(str(answer, "code") == "forbidden");
        CHECK(str(agent.ws.next_of_type("conversation.offer_withdrawn"), "reason") == "taken");
      }
    }
    REQUIRE(!winner.empty());
    CHECK(str(desk.ann.ws.next_of_type("conversation.transferred"), "to_agent") == winner);
    CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == winner);
  }
  desk.ann.ws.expect_no_frame_of_type("conversation.transferred", milliseconds(200));
  for (auto& agent : desk.billing)
    agent.ws.expect_no_frame_of_type("conversation.assigned", milliseconds(0));
}

TEST_CASE("manual transfer: unaccepted within transfer_offer_s, withdrawn, and ann keeps it",
          "[routing][manual][transfer]") {
  ManualDesk desk(2, "[conversation]\ntransfer_offer_s = 1\n");
  auto visitor = desk.deployment.connect_visitor("desk");
  const auto id = desk.served_by_ann(visitor, "anyone in billing?");
  const auto asked = Clock::now();
  desk.transfer_to_billing(id, "t-1");
  for (auto& agent : desk.billing) transfer_offer(agent, id);

  auto unavailable = reply_to(desk.ann.ws, "t-1", milliseconds(3000));
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - asked);
  CHECK(str(unavailable, "type") == "error");
  CHECK(str(unavailable, "code") == "unavailable");
  CHECK(waited >= milliseconds(900));
  CHECK(waited < milliseconds(2500));
  for (auto& agent : desk.billing) {
    auto withdrawn = agent.ws.next_of_type("conversation.offer_withdrawn");
    CHECK(str(withdrawn, "conversation_id") == id);
    CHECK(str(withdrawn, "reason") == "expired");
  }
  // Still ann's: the visitor reaches her, a late accept is refused, and she may ask again.
  visitor.send_message("hello?");
  CHECK(str(desk.ann.ws.next_of_type("message"), "text") == "hello?");
  desk.billing[0].ws.send_json(accept_frame(id, "too-late"));
  CHECK(str(reply_to(desk.billing[0].ws, "too-late"), "code") == "forbidden");
  desk.transfer_to_billing(id, "t-2");
  transfer_offer(desk.billing[1], id);
  desk.billing[1].ws.send_json(accept_frame(id, "second-try"));
  CHECK(str(obj(desk.billing[1].ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        id);
  CHECK(str(desk.ann.ws.next_of_type("conversation.transferred"), "to_agent") ==
        desk.billing[1].agent_id);
}
