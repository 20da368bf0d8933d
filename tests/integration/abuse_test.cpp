// Garbage from one client never takes the server down, and never costs anyone else
// an acknowledged message.
#include <catch2/catch.hpp>
#include <random>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

TEST_CASE("a stream of garbage frames does not crash the server or disturb other chats",
          "[errors][abuse]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto bystander = deployment.connect_visitor("acme");
  const auto conversation_id = str(bystander.send_message("before the storm"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");

  std::mt19937 random(20261123);
  const std::vector<std::string> templates = {
      "{",
      "[]",
      "null",
      "\"text\"",
      "{\"type\":5}",
      "{\"type\":\"message\"}",
      "{\"type\":\"hello\",\"last_seq\":7}",
      "{\"type\":\"read\",\"conversation_id\":\"x\",\"seq\":-1}",
      "{\"type\":\"typing\",\"on\":\"yes\"}",
      "{\"type\":\"message\",\"client_msg_id\":[],\"text\":{}}",
      "{\"type\":\"close\",\"conversation_id\":null}"};
  {
    auto attacker = deployment.connect_visitor("acme");
    for (int i = 0; i < 200 && attacker.ws.is_open(); ++i) {
      try {
        switch (random() % 3) {
          case 0:
            attacker.ws.send_raw_text(templates[random() % templates.size()]);
            break;
          case 1: {
            std::string bytes(random() % 300, '\0');
            for (auto& b : bytes) b = static_cast<char>(random() % 256);
            attacker.ws.send_binary(bytes);
            break;
          }
          default:
            attacker.ws.send_raw_text(std::string(random() % 5000, '{'));
            break;
        }
      } catch (const std::exception&) {
        break;  // the server may close an abusive connection (1008/1009): allowed
      }
    }
    attacker.ws.collect(300ms);
    if (auto code = attacker.ws.close_code()) CHECK((*code == 1008 || *code == 1009));
  }

  REQUIRE(deployment.server().running());
  auto ack = bystander.send_message("after the storm");
  CHECK(num(ack, "seq") == 2);
  CHECK(str(agent.ws.next_of_type("message"), "text") == "after the storm");
  auto history = deployment.full_history("acme", conversation_id, agent.token);
  CHECK(history.size() == 2);
  auto newcomer = deployment.connect_visitor("acme");
  CHECK(num(newcomer.send_message("hi"), "seq") == 1);
}
