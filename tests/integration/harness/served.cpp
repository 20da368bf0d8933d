#include "harness/served.hpp"

#include <catch2/catch.hpp>

namespace sb::it {

Served visitor_served(Deployment& deployment, json::object hello, const std::string& text) {
  Served served{deployment.connect_visitor("acme", std::move(hello)), {}, {}, {}};
  const auto sent = std::chrono::steady_clock::now();
  served.conversation_id = str(served.visitor.send_message(text), "conversation_id");
  auto told = served.visitor.ws.next_of_type("conversation.assigned");
  served.waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - sent);
  CHECK(str(told, "conversation_id") == served.conversation_id);
  served.agent_id = str(obj(told, "agent"), "id");
  return served;
}

void agent_sees(AgentSession& agent, const std::string& conversation_id) {
  auto assigned = agent.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == conversation_id);
}

}  // namespace sb::it
