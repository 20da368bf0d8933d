// Who may connect and read what: unknown tenants, missing and foreign tokens.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::WsClient;

TEST_CASE("endpoints refuse unknown tenants and missing or foreign tokens before the upgrade",
          "[access]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto port = deployment.port();
  const auto acme_token = deployment.login("acme", "alice");
  const auto globex_token = deployment.login("globex", "bob");

  CHECK(WsClient::upgrade_status(port, "/v1/ws/visitor?tenant=no-such-tenant") == 404);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=no-such-tenant",
                                 sb::test::bearer(acme_token)) == 404);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/visitor") == 404);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/visitor?tenant=acme") == 101);

  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme") == 401);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme",
                                 sb::test::bearer("not-a-token")) == 401);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme&token=not-a-token") == 401);
  const int foreign =
      WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme", sb::test::bearer(globex_token));
  CHECK((foreign == 401 || foreign == 403));

  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme", sb::test::bearer(acme_token)) ==
        101);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme&token=" + acme_token) == 101);
}

TEST_CASE("history is served to the assignee and the visitor, never to another tenant",
          "[access][history]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("secret acme business"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");
  agent.send_message(conversation_id, "acme reply");

  auto as_agent = deployment.history("acme", conversation_id, agent.token);
  REQUIRE(as_agent.status == 200);
  auto body = as_agent.json().as_object();
  CHECK(str(body, "conversation_id") == conversation_id);
  const auto& messages = arr(body, "messages");
  REQUIRE(messages.size() == 2);
  CHECK(num(messages[0].as_object(), "seq") == 1);
  CHECK(str(messages[0].as_object(), "text") == "secret acme business");
  CHECK(num(messages[1].as_object(), "seq") == 2);
  CHECK(str(obj(messages[1].as_object(), "from"), "id") == "alice");
  CHECK_FALSE(str(messages[0].as_object(), "message_id").empty());
  CHECK(num(messages[0].as_object(), "ts") > 0);

  auto as_visitor = deployment.history("acme", conversation_id, visitor.visitor_token);
  CHECK(as_visitor.status == 200);
  CHECK(as_visitor.body.find("secret acme business") != std::string::npos);

  auto as_admin = deployment.history("acme", conversation_id, deployment.login("acme", "root"));
  CHECK(as_admin.status == 200);

  // Paging: the page just below seq 2.
  auto page = deployment.history("acme", conversation_id, agent.token, "before_seq=2&limit=1");
  REQUIRE(page.status == 200);
  const auto page_body = page.json().as_object();
  const auto& page_messages = arr(page_body, "messages");
  REQUIRE(page_messages.size() == 1);
  CHECK(num(page_messages[0].as_object(), "seq") == 1);

  for (const auto& agent_id : {"bob", "groot"}) {
    auto foreign =
        deployment.history("acme", conversation_id, deployment.login("globex", agent_id));
    INFO("globex " << agent_id << " got HTTP " << foreign.status << ": " << foreign.body);
    CHECK((foreign.status == 401 || foreign.status == 403));
    CHECK(foreign.body.find("secret acme business") == std::string::npos);
  }
  auto no_token = sb::test::http_get(
      deployment.port(), "/v1/tenants/acme/conversations/" + conversation_id + "/messages");
  CHECK(no_token.status == 401);
  CHECK(no_token.body.find("secret acme business") == std::string::npos);

  auto unknown = deployment.history("acme", "no-such-conversation", agent.token);
  CHECK(unknown.status == 404);
}

TEST_CASE("agents list conversations they may see, filtered by status and assignee",
          "[access][conversations]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");  // max_concurrent 2
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto visitor = deployment.connect_visitor("acme");
    ids.push_back(str(visitor.send_message("question " + std::to_string(i)), "conversation_id"));
  }
  alice.ws.next_of_type("conversation.assigned");
  alice.ws.next_of_type("conversation.assigned");
  auto list = [&](const std::string& token, const std::string& query) {
    auto r = sb::test::http_get(deployment.port(), "/v1/tenants/acme/conversations" + query,
                                sb::test::bearer(token));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body).as_object().at("conversations").as_array();
  };
  const auto admin = deployment.login("acme", "root");
  CHECK(list(admin, "").size() == 3);
  CHECK(list(admin, "?status=assigned").size() == 2);
  const auto queued = list(admin, "?status=queued");
  REQUIRE(queued.size() == 1);
  CHECK(str(queued[0].as_object(), "id") == ids[2]);
  CHECK(list(admin, "?assignee=alice").size() == 2);
  // An agent sees their own and the queue; here that is all three, with last_seq.
  const auto as_alice = list(alice.token, "");
  CHECK(as_alice.size() == 3);
  for (const auto& c : as_alice) CHECK(num(c.as_object(), "last_seq") == 1);
  // Another tenant's admin sees none of it; a bad filter names itself.
  auto foreign = sb::test::http_get(deployment.port(), "/v1/tenants/acme/conversations",
                                    sb::test::bearer(deployment.login("globex", "groot")));
  CHECK(foreign.status == 403);
  auto bad = sb::test::http_get(deployment.port(), "/v1/tenants/acme/conversations?status=lost",
                                sb::test::bearer(admin));
  CHECK(bad.status == 422);
}
