// A visitor who writes a first message and waits to be told who serves them, and
// the agent's side of that assignment: the steps every routing test starts from.
#pragma once

#include <chrono>
#include <string>

#include "harness/deployment.hpp"

namespace sb::it {

struct Served {
  VisitorSession visitor;
  std::string conversation_id;
  std::string agent_id;
  std::chrono::milliseconds waited{};  // from the first message to conversation.assigned
};

// Connects a visitor of tenant "acme" (hello plus `hello`), sends `text` and reads
// the conversation.assigned that answers it.
Served visitor_served(Deployment& deployment, json::object hello = {},
                      const std::string& text = "hello, anyone there?");

// The agent sees the assignment (and drains the frame, so later waits see the next one).
void agent_sees(AgentSession& agent, const std::string& conversation_id);

}  // namespace sb::it
