// Skills routing end to end: the website says what the visitor needs in the hello
// meta ("skill.NAME": minimum level), and the chain sticky -> skills -> least-busy
// gives the conversation to a returning visitor's last agent, else to the
// best-skilled free agent, else (nobody has the skill) to the least busy.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/served.hpp"

using namespace sb::it;

namespace {

// ann speaks some German and good English, ben the best German but takes one chat
// at a time, cat English only. With no skills asked, least-busy's tie-break
// would pick ann.
TenantSpec desk() {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme Skills";
  tenant.routing_chain = {"routing-sticky", "routing-skills", "routing-least-busy"};
  tenant.agents = {{"ann", "Ann", "agent", 3, {}, {{"german", 2}, {"english", 5}}},
                   {"ben", "Ben", "agent", 1, {}, {{"german", 5}}},
                   {"cat", "Cat", "agent", 3, {}, {{"english", 3}}}};
  return tenant;
}

json::object needs(json::object meta) {
  return {{"meta", std::move(meta)}};
}

}  // namespace

TEST_CASE("skills from the hello meta pick the best-skilled free agent, then the next best",
          "[routing][strategy][chain][skills]") {
  Deployment deployment({desk()});
  auto ann = deployment.connect_agent("acme", "ann");
  auto ben = deployment.connect_agent("acme", "ben");
  auto cat = deployment.connect_agent("acme", "cat");

  // German needed: ben's 5 beats ann's 2 (cat has none).
  auto first = visitor_served(deployment, needs({{"skill.german", 1}}));
  CHECK(first.agent_id == "ben");
  agent_sees(ben, first.conversation_id);

  // ben is full now: the next best German speaker. A last_agent_id sent by the
  // website is not the server's memory: sticky does not send this one to cat.
  auto second = visitor_served(deployment, needs({{"skill.german", 1}, {"last_agent_id", "cat"}}));
  CHECK(second.agent_id == "ann");
  agent_sees(ann, second.conversation_id);

  // A level nobody free has: skills defers and least-busy decides (cat has none open).
  auto third = visitor_served(deployment, needs({{"skill.german", 3}}));
  CHECK(third.agent_id == "cat");
  agent_sees(cat, third.conversation_id);

  // Sticky comes first: the first visitor returns, needing English, and goes back to
  // ben (free again) although skills would pick ann.
  ben.ws.send_json({{"type", "close"}, {"conversation_id", first.conversation_id}});
  ben.ws.next_of_type("conversation.closed");
  const std::string token = first.visitor.visitor_token;
  first.visitor.ws.close();
  auto again =
      visitor_served(deployment, {{"visitor_token", token}, {"meta", {{"skill.english", 1}}}});
  CHECK(again.agent_id == "ben");
  agent_sees(ben, again.conversation_id);

  // A new visitor needing English: ann's 5 beats cat's 3, although ann has more open.
  auto fourth = visitor_served(deployment, needs({{"skill.english", 1}}));
  CHECK(fourth.agent_id == "ann");
}

TEST_CASE("a malformed skill need is logged and the chain goes on",
          "[routing][strategy][chain][skills]") {
  Deployment deployment({desk()});
  auto ann = deployment.connect_agent("acme", "ann");
  auto served = visitor_served(deployment, needs({{"skill.german", "fluent"}}));
  CHECK(served.agent_id == "ann");
  CHECK_THAT(deployment.server().log(),
             Catch::Contains("\"skill.german\" must be a non-negative number"));
}
