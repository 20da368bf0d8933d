// What the browser widget and the agent console rely on, over the wire: a reloaded
// widget learns where its conversation is, agents see who the visitor is, a closed
// conversation can be rated (and the rating is kept), and an agent's tabs agree on
// their status.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;

namespace {

// The conversations of the tenant as the admin's REST list shows them, by id.
std::map<std::string, json::object> listed(Deployment& deployment, const std::string& admin) {
  auto r = http_get(deployment.port(), "/v1/tenants/acme/conversations", bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  std::map<std::string, json::object> out;
  const auto body = r.json();
  for (const auto& c : body.at("conversations").as_array())
    out[std::string(c.at("id").as_string())] = c.as_object();
  return out;
}

json::object rate(VisitorSession& visitor, const std::string& conversation_id, int score,
                  const std::string& comment, const std::string& ref) {
  visitor.ws.send_json({{"type", "rate"},
                        {"conversation_id", conversation_id},
                        {"score", score},
                        {"comment", comment},
                        {"ref", ref}});
  // `rated` or `error`, carrying the frame's ref.
  return visitor.ws.next_where(
      [&](const json::object& frame) {
        const auto* r = frame.if_contains("ref");
        return r && r->is_string() && r->as_string() == ref;
      },
      "the answer to rate " + ref);
}

}  // namespace

TEST_CASE("a reloaded widget is told who serves its conversation, or its place in line",
          "[chat][widget]") {
  Deployment deployment({acme_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto served = deployment.connect_visitor("acme");
  const auto c1 = str(served.send_message("hello"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");

  auto reloaded = deployment.connect_visitor("acme", {{"visitor_token", served.visitor_token}});
  CHECK(str(reloaded.welcome, "conversation_id") == c1);
  const auto& open = obj(reloaded.welcome, "conversation");
  CHECK(str(open, "id") == c1);
  CHECK(str(open, "status") == "assigned");
  CHECK(str(obj(open, "agent"), "id") == "alice");
  CHECK(str(obj(open, "agent"), "name") == "Alice");
  CHECK(is_null_or_absent(open, "position"));

  // Nobody free: the next visitor waits, and a reload says where.
  alice.ws.send_json({{"type", "status"}, {"status", "away"}});
  alice.ws.next_of_type("status");
  auto waiting = deployment.connect_visitor("acme");
  const auto c2 = str(waiting.send_message("anyone?"), "conversation_id");
  waiting.ws.next_of_type("conversation.queued");
  auto back = deployment.connect_visitor("acme", {{"visitor_token", waiting.visitor_token}});
  const auto& queued = obj(back.welcome, "conversation");
  CHECK(str(queued, "id") == c2);
  CHECK(str(queued, "status") == "queued");
  CHECK(queued.at("agent").is_null());
  CHECK(num(queued, "position") == 1);
  // alice, acme's only agent, is away: no minutes are promised.
  CHECK(queued.at("eta_s").is_null());
  CHECK(queued.at("nobody_online") == true);

  // A visitor with nothing open: null.
  auto fresh = deployment.connect_visitor("acme");
  CHECK(fresh.welcome.at("conversation").is_null());
}

TEST_CASE("agents see the visitor's name, email and page, a bad email is refused",
          "[chat][widget]") {
  Deployment deployment({acme_tenant()});
  const auto admin = deployment.login("acme", "root");
  auto alice = deployment.connect_agent("acme", "alice");

  auto refused = sb::test::WsClient::connect(deployment.port(), "/v1/ws/visitor?tenant=acme");
  refused.send_json({{"type", "hello"}, {"email", "not an address"}, {"ref", "h1"}});
  CHECK(str(reply_to(refused, "h1"), "code") == "bad_field");

  auto visitor = deployment.connect_visitor(
      "acme",
      {{"name", "Ada Lovelace"},
       {"email", "ada@example.com"},
       {"meta", {{"page", "https://shop.example/cart"}, {"lang", "en-GB"}, {"plan", "pro"}}}});
  const auto cid = str(visitor.send_message("where is my order?"), "conversation_id");
  auto assigned = alice.ws.next_of_type("conversation.assigned");
  const auto& who = obj(obj(assigned, "conversation"), "visitor");
  CHECK(str(who, "id") == visitor.visitor_id);
  CHECK(str(who, "name") == "Ada Lovelace");
  CHECK(str(who, "email") == "ada@example.com");
  CHECK(str(obj(who, "meta"), "page") == "https://shop.example/cart");
  CHECK(str(obj(who, "meta"), "lang") == "en-GB");
  CHECK(str(obj(who, "meta"), "plan") == "pro");

  const auto list = listed(deployment, admin);
  REQUIRE(list.count(cid));
  const auto& stored = obj(list.at(cid), "visitor");
  CHECK(str(stored, "name") == "Ada Lovelace");
  CHECK(str(stored, "email") == "ada@example.com");
  CHECK(str(obj(stored, "meta"), "plan") == "pro");
}

TEST_CASE("a closed conversation is rated by its visitor, the rating is kept and reaches the agent",
          "[chat][widget][csat]") {
  Deployment deployment({acme_tenant()});
  const auto admin = deployment.login("acme", "root");
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto cid = str(visitor.send_message("hi"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");

  // Still open: refused, saying why.
  auto early = rate(visitor, cid, 5, "", "rate-early");
  CHECK(str(early, "code") == "forbidden");
  CHECK(str(early, "message").find("closed") != std::string::npos);

  alice.ws.send_json({{"type", "close"}, {"conversation_id", cid}});
  visitor.ws.next_of_type("conversation.closed");

  auto stranger = deployment.connect_visitor("acme");
  CHECK(str(rate(stranger, cid, 1, "", "rate-stranger"), "code") == "not_found");
  CHECK(str(rate(visitor, cid, 9, "", "rate-bad"), "code") == "bad_field");

  auto rated = rate(visitor, cid, 4, "helpful, thanks", "rate-1");
  CHECK(str(rated, "type") == "rated");
  CHECK(str(rated, "conversation_id") == cid);
  CHECK(num(rated, "score") == 4);
  auto told = alice.ws.next_of_type("conversation.rated");
  CHECK(str(told, "conversation_id") == cid);
  CHECK(num(told, "score") == 4);
  CHECK(str(told, "comment") == "helpful, thanks");
  CHECK(num(obj(listed(deployment, admin).at(cid), "csat"), "score") == 4);
  // The agent who closed it finds it (and its rating) among their closed ones.
  auto mine = http_get(deployment.port(), "/v1/tenants/acme/conversations?status=closed",
                       bearer(alice.token));
  INFO(mine.body);
  REQUIRE(mine.status == 200);
  REQUIRE(mine.json().at("conversations").as_array().size() == 1);
  CHECK(mine.json().at("conversations").as_array()[0].at("csat").at("score").as_int64() == 4);

  // Kept across a restart; a second rating (after it) replaces the first.
  CHECK(deployment.server().stop() == 0);
  deployment.server().start();
  const auto csat = obj(listed(deployment, admin).at(cid), "csat");
  CHECK(num(csat, "score") == 4);
  CHECK(str(csat, "comment") == "helpful, thanks");
  auto alice_again = deployment.connect_agent("acme", "alice");
  auto returning = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  CHECK(str(rate(returning, cid, 5, "", "rate-2"), "type") == "rated");
  CHECK(num(alice_again.ws.next_of_type("conversation.rated"), "score") == 5);
  const auto replaced = obj(listed(deployment, admin).at(cid), "csat");
  CHECK(num(replaced, "score") == 5);
  CHECK(str(replaced, "comment").empty());
}

TEST_CASE("an agent's tabs all follow a status change made in one of them", "[chat][widget]") {
  Deployment deployment({acme_tenant()});
  auto tab1 = deployment.connect_agent("acme", "alice");
  auto tab2 = deployment.connect_agent_with_token("acme", "alice", tab1.token);
  tab1.ws.send_json({{"type", "status"}, {"status", "away"}});
  CHECK(str(tab1.ws.next_of_type("status"), "status") == "away");
  CHECK(str(tab1.ws.next_of_type("agent.status"), "status") == "away");
  CHECK(str(tab2.ws.next_of_type("agent.status"), "status") == "away");
  tab2.ws.send_json({{"type", "status"}, {"status", "online"}});
  CHECK(str(tab1.ws.next_of_type("agent.status"), "status") == "online");
  CHECK(str(tab2.ws.next_of_type("agent.status"), "status") == "online");
}

TEST_CASE("the widget's chat: the agent's name, read receipts, the close, and a new conversation",
          "[chat][widget]") {
  Deployment deployment({acme_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto c1 = str(visitor.send_message("hello"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");
  auto joined = visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(joined, "agent"), "name") == "Alice");

  auto answer = alice.send_message(c1, "hi, how can I help?");
  auto message = visitor.ws.next_of_type("message");
  CHECK(str(obj(message, "from"), "name") == "Alice");
  // Both sides' read receipts reach the other.
  visitor.ws.send_json({{"type", "read"}, {"conversation_id", c1}, {"seq", num(answer, "seq")}});
  CHECK(num(alice.ws.next_of_type("read"), "seq") == num(answer, "seq"));
  alice.ws.send_json({{"type", "read"}, {"conversation_id", c1}, {"seq", 1}});
  auto read = visitor.ws.next_of_type("read");
  CHECK(num(read, "seq") == 1);
  CHECK(str(obj(read, "from"), "role") == "agent");

  alice.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  auto closed = visitor.ws.next_of_type("conversation.closed");
  CHECK(str(closed, "conversation_id") == c1);
  CHECK(str(closed, "by") == "alice");
  // Writing again starts a new conversation (no reopen window here).
  const auto c2 = str(visitor.send_message("one more question"), "conversation_id");
  CHECK(c2 != c1);
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == "alice");
}
