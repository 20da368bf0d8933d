// Both sides writing at once: one sequence per conversation, no gaps, no repeats,
// and each side receives the other's messages in seq order.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("concurrent senders share one gapless sequence, delivered in order", "[chat][order]") {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;  // a fast typist is not abuse here
  Deployment deployment({tenant});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("start"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");

  const int per_side = 60;
  for (int i = 0; i < per_side; ++i) {
    const auto v = "v-" + std::to_string(i), a = "a-" + std::to_string(i);
    visitor.ws.send_json({{"type", "message"}, {"client_msg_id", v}, {"text", v}, {"ref", v}});
    agent.ws.send_json({{"type", "message"},
                        {"conversation_id", conversation_id},
                        {"client_msg_id", a},
                        {"text", a},
                        {"ref", a}});
  }

  std::set<int64_t> all_seqs = {1};
  std::vector<int64_t> visitor_acks, agent_acks;
  for (int i = 0; i < per_side; ++i) {
    auto v = reply_to(visitor.ws, "v-" + std::to_string(i));
    auto a = reply_to(agent.ws, "a-" + std::to_string(i));
    REQUIRE(str(v, "type") == "ack");
    REQUIRE(str(a, "type") == "ack");
    visitor_acks.push_back(num(v, "seq"));
    agent_acks.push_back(num(a, "seq"));
    all_seqs.insert(num(v, "seq"));
    all_seqs.insert(num(a, "seq"));
  }
  // 1 + 2 * per_side distinct seqs, exactly 1..N.
  REQUIRE(all_seqs.size() == static_cast<size_t>(1 + 2 * per_side));
  CHECK(*all_seqs.begin() == 1);
  CHECK(*all_seqs.rbegin() == 1 + 2 * per_side);
  // One connection's messages keep the order they were sent in.
  CHECK(std::is_sorted(visitor_acks.begin(), visitor_acks.end()));
  CHECK(std::is_sorted(agent_acks.begin(), agent_acks.end()));

  // Each side gets the other's messages, in seq order, each exactly once.
  auto received_seqs = [&](sb::test::WsClient& ws, const std::vector<int64_t>& expected) {
    std::vector<int64_t> seqs;
    for (size_t i = 0; i < expected.size(); ++i)
      seqs.push_back(num(ws.next_of_type("message"), "seq"));
    CHECK(seqs == expected);
    ws.expect_no_frame_of_type("message", 300ms);
  };
  received_seqs(visitor.ws, agent_acks);
  received_seqs(agent.ws, visitor_acks);
}
