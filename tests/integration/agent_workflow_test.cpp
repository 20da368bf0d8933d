// The agent's day under the tenant's [conversation] policy: a chat whose agent does
// not answer moves on, a disconnected agent gets a grace period, and a transfer in
// the middle of a busy chat loses and misdelivers nothing.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"

using namespace sb::it;

namespace {

TenantSpec two_agents(const std::string& conversation_policy) {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme Workflow";
  tenant.agents = {{"ann", "Ann", "agent", 3}, {"ben", "Ben", "agent", 3}};
  tenant.extra_toml = "[conversation]\n" + conversation_policy;
  return tenant;
}

double metric(uint16_t port, const std::string& name) {
  auto response = sb::test::http_get(port, "/metrics");
  REQUIRE(response.status == 200);
  std::istringstream lines(response.body);
  double total = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name, 0) == 0 && line.find("tenant=\"acme\"") != std::string::npos)
      total += std::stod(line.substr(line.rfind(' ') + 1));
  return total;
}

// Who got the conversation first, as the two agents see it.
std::pair<AgentSession*, AgentSession*> first_and_other(AgentSession& ann, AgentSession& ben,
                                                        const std::string& agent_id) {
  return agent_id == "ann" ? std::pair{&ann, &ben} : std::pair{&ben, &ann};
}

}  // namespace

TEST_CASE("a chat its agent does not answer in time goes to another agent, and is counted",
          "[workflow][reroute]") {
  Deployment deployment({two_agents("reroute_unanswered_s = 1\n")});
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");

  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("is anybody reading this?"), "conversation_id");
  const auto first_agent =
      str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id");
  auto [silent, other] = first_and_other(ann, ben, first_agent);
  silent->ws.next_of_type("conversation.assigned");

  // Nobody answers: after about a second the other agent has it, with the history.
  auto moved = other->ws.next_of_type("conversation.assigned", 5000ms);
  CHECK(str(obj(moved, "conversation"), "id") == id);
  CHECK(arr(moved, "history").size() == 1);
  auto gone = silent->ws.next_of_type("conversation.unassigned");
  CHECK(str(gone, "conversation_id") == id);
  CHECK(str(gone, "reason") == "unanswered");
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") != first_agent);
  CHECK(metric(deployment.port(), "switchboard_conversations_rerouted_total") == 1);

  // The new agent answers in time: the chat stays with them.
  other->send_message(id, "sorry for the wait, how can I help?");
  visitor.ws.next_of_type("message");
  silent->ws.expect_no_frame_of_type("conversation.assigned", 2500ms);
  other->ws.expect_no_frame_of_type("conversation.unassigned", 0ms);
  CHECK(metric(deployment.port(), "switchboard_conversations_rerouted_total") == 1);
}

TEST_CASE("an agent who drops off keeps their chats through the grace period, then they requeue",
          "[workflow][presence]") {
  Deployment deployment(
      {two_agents("agent_offline_grace_s = 2\non_agent_offline = \"requeue\"\n")});
  auto ann = deployment.connect_agent("acme", "ann");
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("help with my order"), "conversation_id");
  ann.ws.next_of_type("conversation.assigned");
  visitor.ws.next_of_type("conversation.assigned");

  // A network blip: back within the grace period, nothing moved. The console comes
  // back with the token it holds, as a reconnecting tab does; signing in again would
  // put a password check (run at idle priority) inside the grace period.
  ann.ws.close();
  std::this_thread::sleep_for(500ms);
  auto ann_again = deployment.connect_agent_with_token("acme", "ann", ann.token);
  std::set<std::string> kept;
  for (const auto& c : arr(ann_again.welcome, "conversations"))
    kept.insert(str(c.as_object(), "id"));
  CHECK(kept.count(id) == 1);
  ann_again.send_message(id, "still here");
  visitor.ws.next_of_type("message");

  // Gone for good: once the grace period is over, ben gets the chat.
  auto ben = deployment.connect_agent("acme", "ben");
  ann_again.ws.close();
  auto moved = ben.ws.next_of_type("conversation.assigned", 6000ms);
  CHECK(str(obj(moved, "conversation"), "id") == id);
  CHECK(arr(moved, "history").size() == 2);
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == "ben");
}

TEST_CASE("an agent who chose away and drops off briefly comes back away, not routable",
          "[workflow][presence]") {
  Deployment deployment(
      {two_agents("agent_offline_grace_s = 2\non_agent_offline = \"requeue\"\n")});
  auto ann = deployment.connect_agent("acme", "ann");
  ann.ws.send_json({{"type", "status"}, {"status", "away"}});
  CHECK(str(ann.ws.next_of_type("status"), "status") == "away");
  // A reload or a network blip while a visitor waits.
  ann.ws.close();
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("anyone there?"), "conversation_id");
  visitor.ws.next_of_type("conversation.queued");
  std::this_thread::sleep_for(300ms);
  auto ann_again = deployment.connect_agent_with_token("acme", "ann", ann.token);
  INFO("the welcome was " << sb::test::describe(ann_again.welcome));
  CHECK(str(ann_again.welcome, "status") == "away");
  // Not even for a moment: the waiting visitor is not given to her.
  ann_again.ws.expect_no_frame_of_type("conversation.assigned", 500ms);
  visitor.ws.expect_no_frame_of_type("conversation.assigned", 0ms);
  // Her colleagues see her away.
  auto colleagues = sb::test::http_get(deployment.port(), "/v1/tenants/acme/colleagues",
                                       sb::test::bearer(ann.token));
  REQUIRE(colleagues.status == 200);
  const json::value listed = json::parse(colleagues.body);
  for (const auto& a : listed.as_object().at("agents").as_array())
    if (str(a.as_object(), "id") == "ann") CHECK(str(a.as_object(), "status") == "away");
  // Online again when she says so, and the visitor is hers.
  ann_again.ws.send_json({{"type", "status"}, {"status", "online"}});
  auto assigned = ann_again.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == id);

  // Back only after the grace period: a new connection is online, as always.
  ann_again.ws.send_json({{"type", "status"}, {"status", "away"}});
  ann_again.ws.next_where([](const json::object& f) { return str(f, "type") == "status"; },
                          "status");
  ann_again.ws.close();
  std::this_thread::sleep_for(2500ms);
  auto ann_later = deployment.connect_agent_with_token("acme", "ann", ann.token);
  CHECK(str(ann_later.welcome, "status") == "online");
}

TEST_CASE("with on_agent_offline = keep, a departed agent's chats wait for them",
          "[workflow][presence]") {
  Deployment deployment({two_agents("agent_offline_grace_s = 1\non_agent_offline = \"keep\"\n")});
  auto ann = deployment.connect_agent("acme", "ann");
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("a question for ann"), "conversation_id");
  ann.ws.next_of_type("conversation.assigned");
  auto ben = deployment.connect_agent("acme", "ben");
  ann.ws.close();
  ben.ws.expect_no_frame_of_type("conversation.assigned", 2500ms);

  auto ann_again = deployment.connect_agent("acme", "ann");
  std::set<std::string> kept;
  for (const auto& c : arr(ann_again.welcome, "conversations"))
    kept.insert(str(c.as_object(), "id"));
  CHECK(kept.count(id) == 1);
}

TEST_CASE("a transfer while both sides keep writing loses and misdelivers nothing",
          "[workflow][transfer]") {
  Deployment deployment({two_agents("")});
  auto ann = deployment.connect_agent("acme", "ann");
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("message 0"), "conversation_id");
  ann.ws.next_of_type("conversation.assigned");
  visitor.ws.next_of_type("conversation.assigned");
  auto ben = deployment.connect_agent("acme", "ben");

  // The visitor fires 40 messages without waiting; the transfer lands among them.
  constexpr int kBurst = 40;
  for (int i = 1; i <= kBurst; ++i) {
    visitor.ws.send_json({{"type", "message"},
                          {"client_msg_id", "burst-" + std::to_string(i)},
                          {"text", "message " + std::to_string(i)}});
    if (i == kBurst / 2)
      ann.ws.send_json({{"type", "transfer"}, {"conversation_id", id}, {"to_agent", "ben"}});
  }
  std::set<int64_t> acked;
  while (acked.size() < kBurst) {
    auto frame = visitor.ws.next_where(
        [](const json::object& f) {
          auto type = f.at("type").as_string();
          return type == "ack" || type == "error";
        },
        "an ack or error for the burst");
    REQUIRE(str(frame, "type") == "ack");
    acked.insert(num(frame, "seq"));
  }
  CHECK(*acked.begin() == 2);
  CHECK(*acked.rbegin() == kBurst + 1);

  // Ben owns it now: he has every message exactly once, either in the assignment's
  // history or live after it, in seq order and without gaps.
  auto taken = ben.ws.next_of_type("conversation.assigned");
  std::vector<int64_t> seen;
  for (const auto& m : arr(taken, "history")) seen.push_back(num(m.as_object(), "seq"));
  while (seen.empty() || seen.back() < kBurst + 1)
    seen.push_back(num(ben.ws.next_of_type("message"), "seq"));
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<int64_t>(i + 1));

  // Ann saw a prefix of them live, and nothing after she lost the chat.
  auto released = ann.ws.collect(500ms);
  int64_t last_live = 1;
  bool lost_it = false;
  for (const auto& frame : released) {
    const auto type = str(frame, "type");
    if (type == "message") {
      CHECK_FALSE(lost_it);
      CHECK(num(frame, "seq") == last_live + 1);
      last_live = num(frame, "seq");
    } else if (type == "conversation.transferred" || type == "conversation.unassigned") {
      lost_it = true;
    }
  }
  // And the stored history is the whole burst, once each.
  auto history = deployment.full_history("acme", id, ben.token);
  REQUIRE(history.size() == kBurst + 1);
  for (size_t i = 0; i < history.size(); ++i)
    CHECK(str(history[i].as_object(), "text") == "message " + std::to_string(i));
}
