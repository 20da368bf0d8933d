// Managing agents over the admin REST API, as a team lead would: the changes are
// live at once (log in, get routed to, capacity), durable across a restart, and a
// disabled agent or a changed password ends the sessions that depended on it.
#include <catch2/catch.hpp>
#include <set>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_post_json;
using sb::test::http_request;

namespace {

struct Created {
  std::string id;
  std::string password;
};

Created create_agent(Deployment& d, const std::string& admin_token, const std::string& email,
                     int max_concurrent) {
  const std::string password = "pw-" + email;
  auto r = http_post_json(d.port(), "/v1/tenants/acme/agents",
                          json::object{{"email", email},
                                       {"name", "New " + email},
                                       {"password", password},
                                       {"max_concurrent", max_concurrent},
                                       {"groups", json::array{"sales"}}},
                          bearer(admin_token));
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto body = json::parse(r.body).as_object();
  CHECK(str(body, "email") == email);
  CHECK(body.if_contains("password_hash") == nullptr);  // never shown
  return {str(body, "id"), password};
}

std::string token_of(const sb::test::HttpResponse& login) {
  INFO(login.body);
  REQUIRE(login.status == 200);
  return str(json::parse(login.body).as_object(), "token");
}

json::object agent_listed(Deployment& d, const std::string& admin_token, const std::string& id) {
  auto r = sb::test::http_get(d.port(), "/v1/tenants/acme/agents", bearer(admin_token));
  REQUIRE(r.status == 200);
  const json::value body = json::parse(r.body);
  for (const auto& a : arr(body.as_object(), "agents"))
    if (str(a.as_object(), "id") == id) return a.as_object();
  FAIL("agent " << id << " not listed: " << r.body);
  return {};
}

}  // namespace

TEST_CASE("an agent created over the API logs in at once, is routed to, and survives a restart",
          "[agents]") {
  Deployment deployment({acme_tenant()});
  const auto admin = deployment.login("acme", "root");
  auto carol = create_agent(deployment, admin, "carol@acme.test", 1);

  const auto token = token_of(deployment.login_raw("acme", "carol@acme.test", carol.password));
  auto session = deployment.connect_agent_with_token("acme", carol.id, token);
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation = str(visitor.send_message("hello new agent"), "conversation_id");
  auto assigned = session.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == conversation);

  auto listed = agent_listed(deployment, admin, carol.id);
  CHECK(str(listed, "status") == "online");
  CHECK(num(listed, "open_conversations") == 1);
  CHECK(num(listed, "max_concurrent") == 1);

  // At capacity (1): a second visitor waits; raising the capacity lets it through.
  auto second = deployment.connect_visitor("acme");
  second.send_message("me too");
  CHECK(num(second.ws.next_of_type("conversation.queued"), "position") == 1);
  auto patched = http_request(deployment.port(), "PATCH", "/v1/tenants/acme/agents/" + carol.id,
                              R"({"max_concurrent":2})", bearer(admin));
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  CHECK(num(json::parse(patched.body).as_object(), "max_concurrent") == 2);
  session.ws.next_of_type("conversation.assigned");

  deployment.server().stop();
  deployment.server().start();
  const auto again = token_of(deployment.login_raw("acme", "carol@acme.test", carol.password));
  CHECK(num(agent_listed(deployment, deployment.login("acme", "root"), carol.id),
            "max_concurrent") == 2);
  auto back = deployment.connect_agent_with_token("acme", carol.id, again);
  CHECK(arr(back.welcome, "conversations").size() == 2);  // still hers after the restart
}

TEST_CASE("disabling an agent ends their sessions and requeues their conversations", "[agents]") {
  Deployment deployment({acme_tenant()});
  const auto admin = deployment.login("acme", "root");
  auto carol = create_agent(deployment, admin, "carol@acme.test", 3);
  const auto carol_token =
      token_of(deployment.login_raw("acme", "carol@acme.test", carol.password));
  auto session = deployment.connect_agent_with_token("acme", carol.id, carol_token);
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation = str(visitor.send_message("help"), "conversation_id");
  session.ws.next_of_type("conversation.assigned");

  auto removed = http_request(deployment.port(), "DELETE", "/v1/tenants/acme/agents/" + carol.id,
                              {}, bearer(admin));
  INFO(removed.body);
  REQUIRE(removed.status == 200);
  session.ws.collect(1500ms);
  CHECK_FALSE(session.ws.is_open());
  CHECK(session.ws.close_code() == std::optional<uint16_t>(4001));  // the console signs out
  CHECK(session.ws.close_reason() == "agent_removed: agent removed");
  // A REST call that notices first gives the same code (the console names the reason from it).
  const auto late = http_request(deployment.port(), "GET", "/v1/tenants/acme/conversations", {},
                                 bearer(carol_token));
  CHECK(late.status == 401);
  CHECK(str(obj(late.json().as_object(), "error"), "problem") == "agent_removed");
  CHECK_THAT(late.body, Catch::Contains("removed"));
  CHECK(deployment.login_raw("acme", "carol@acme.test", carol.password).status == 401);
  CHECK(str(agent_listed(deployment, admin, carol.id), "status") == "disabled");

  // The conversation waits for someone else, and alice gets it with its history.
  auto alice = deployment.connect_agent("acme", "alice");
  json::object assigned;
  if (!arr(alice.welcome, "conversations").empty()) {
    CHECK(str(arr(alice.welcome, "conversations")[0].as_object(), "id") == conversation);
  } else {
    assigned = alice.ws.next_of_type("conversation.assigned");
    CHECK(str(obj(assigned, "conversation"), "id") == conversation);
  }
}

TEST_CASE("a password change ends the agent's sessions and its old tokens", "[agents]") {
  Deployment deployment({acme_tenant()});
  const auto admin = deployment.login("acme", "root");
  auto carol = create_agent(deployment, admin, "carol@acme.test", 3);
  const auto old_token = token_of(deployment.login_raw("acme", "carol@acme.test", carol.password));
  auto session = deployment.connect_agent_with_token("acme", carol.id, old_token);

  auto changed = http_request(deployment.port(), "PATCH", "/v1/tenants/acme/agents/" + carol.id,
                              R"({"password":"a-brand-new-one"})", bearer(admin));
  REQUIRE(changed.status == 200);
  session.ws.collect(1500ms);
  CHECK_FALSE(session.ws.is_open());
  CHECK(session.ws.close_code() == std::optional<uint16_t>(4001));
  CHECK(session.ws.close_reason() == "password_changed: password changed");
  const auto old = deployment.history("acme", "any", old_token);
  CHECK(old.status == 401);
  CHECK(str(obj(old.json().as_object(), "error"), "problem") == "password_changed");
  CHECK(deployment.login_raw("acme", "carol@acme.test", carol.password).status == 401);
  const auto fresh = token_of(deployment.login_raw("acme", "carol@acme.test", "a-brand-new-one"));
  auto ok = deployment.connect_agent_with_token("acme", carol.id, fresh);
  CHECK(str(ok.welcome, "type") == "welcome");
}

TEST_CASE("agent changes are refused clearly: bad fields, duplicates, file agents, non-admins",
          "[agents]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto admin = deployment.login("acme", "root");
  const auto path = std::string("/v1/tenants/acme/agents");
  auto field_of = [](const sb::test::HttpResponse& r) {
    const json::value body = json::parse(r.body);
    return str(obj(body.as_object(), "error"), "field");
  };
  auto r = http_post_json(deployment.port(), path,
                          json::object{{"name", "No Email"}, {"password", "long-enough"}},
                          bearer(admin));
  CHECK(r.status == 422);
  CHECK(field_of(r) == "email");
  r = http_post_json(deployment.port(), path,
                     json::object{{"email", "d@acme.test"},
                                  {"name", "D"},
                                  {"password", "long-enough"},
                                  {"max_concurrent", 0}},
                     bearer(admin));
  CHECK(r.status == 422);
  CHECK(field_of(r) == "max_concurrent");
  r = http_post_json(
      deployment.port(), path,
      json::object{
          {"email", "d@acme.test"}, {"name", "D"}, {"password", "long-enough"}, {"colour", "red"}},
      bearer(admin));
  CHECK(r.status == 422);
  CHECK(field_of(r) == "colour");
  // Every mistake of one form is named at once, so the admin fixes them in one go.
  r = http_post_json(deployment.port(), path,
                     json::object{{"name", "D"},
                                  {"password", "short"},
                                  {"skills", json::object{{"french", 11}}},
                                  {"colour", "red"}},
                     bearer(admin));
  CHECK(r.status == 422);
  {
    const json::value body = json::parse(r.body);
    std::set<std::string> fields;
    for (const auto& e : body.at("errors").as_array())
      fields.insert(std::string(e.at("field").as_string()));
    CHECK(fields == std::set<std::string>{"email", "password", "skills", "colour"});
  }
  r = http_post_json(
      deployment.port(), path,
      json::object{{"email", "ALICE@acme.test"}, {"name", "Dup"}, {"password", "long-enough"}},
      bearer(admin));
  CHECK(r.status == 409);  // alice is in the tenant file; emails compare case-insensitively

  CHECK(http_request(deployment.port(), "PATCH", path + "/alice", R"({"max_concurrent":9})",
                     bearer(admin))
            .status == 409);
  CHECK(http_request(deployment.port(), "DELETE", path + "/nobody", {}, bearer(admin)).status ==
        404);
  CHECK(sb::test::http_get(deployment.port(), path, bearer(deployment.login("acme", "alice")))
            .status == 403);
  CHECK(sb::test::http_get(deployment.port(), path, bearer(deployment.login("globex", "groot")))
            .status == 403);
  CHECK(sb::test::http_get(deployment.port(), path).status == 401);
}

TEST_CASE("an admin signs an agent out everywhere: consoles close at once, old tokens stop",
          "[agents]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto admin = deployment.login("acme", "root");
  const auto alice_token = deployment.login("acme", "alice");  // alice is in the tenant file
  auto console = deployment.connect_agent_with_token("acme", "alice", alice_token);
  auto second_tab = deployment.connect_agent_with_token("acme", "alice", alice_token);
  const std::string path = "/v1/tenants/acme/agents/alice/sign-out";

  // Admins of the tenant only, an agent that exists, POST.
  CHECK(http_request(deployment.port(), "POST", path, {}, bearer(alice_token)).status == 403);
  CHECK(
      http_request(deployment.port(), "POST", path, {}, bearer(deployment.login("globex", "groot")))
          .status == 403);
  CHECK(http_request(deployment.port(), "POST", path, {}).status == 401);
  CHECK(http_request(deployment.port(), "POST", "/v1/tenants/acme/agents/nobody/sign-out", {},
                     bearer(admin))
            .status == 404);
  CHECK(sb::test::http_get(deployment.port(), path, bearer(admin)).status == 405);
  CHECK(console.ws.is_open());

  auto signed_out = http_request(deployment.port(), "POST", path, {}, bearer(admin));
  INFO(signed_out.body);
  REQUIRE(signed_out.status == 200);
  CHECK(str(json::parse(signed_out.body).as_object(), "agent") == "alice");
  for (auto* session : {&console, &second_tab}) {
    session->ws.collect(1500ms);
    CHECK_FALSE(session->ws.is_open());
    CHECK(session->ws.close_code() == std::optional<uint16_t>(4001));
    CHECK(session->ws.close_reason() == "signed_out_by_admin: signed out by an admin");
  }
  const auto refused = deployment.history("acme", "any", alice_token);
  CHECK(refused.status == 401);
  CHECK(str(obj(refused.json().as_object(), "error"), "problem") == "signed_out_by_admin");
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/agent?tenant=acme",
                                           bearer(alice_token)) == 401);

  // She signs in again at once; the admin who did it is still signed in.
  auto again =
      deployment.connect_agent_with_token("acme", "alice", deployment.login("acme", "alice"));
  CHECK(str(again.welcome, "type") == "welcome");
  CHECK(sb::test::http_get(deployment.port(), "/v1/tenants/acme/agents", bearer(admin)).status ==
        200);
}

TEST_CASE("a plain agent lists the colleagues of their own tenant, and only what a transfer needs",
          "[agents]") {
  TenantSpec acme = acme_tenant();
  acme.agents.push_back({"carol", "Carol", "agent", 1, {"sales"}});
  acme.extra_toml = "[groups.sales]\nname = \"Sales team\"\n";
  Deployment deployment({acme, globex_tenant()});
  const auto alice = deployment.login("acme", "alice");
  auto carol = deployment.connect_agent("acme", "carol");

  auto r = sb::test::http_get(deployment.port(), "/v1/tenants/acme/colleagues", bearer(alice));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto body = json::parse(r.body).as_object();
  std::map<std::string, json::object> listed;
  for (const auto& a : arr(body, "agents")) listed[str(a.as_object(), "id")] = a.as_object();
  CHECK(listed.size() == 3);  // alice, carol, root: nobody of globex
  REQUIRE(listed.count("carol") == 1);
  CHECK(str(listed["carol"], "name") == "Carol");
  CHECK(str(listed["carol"], "status") == "online");
  CHECK(listed["carol"].at("available").as_bool());
  CHECK(str(listed["root"], "status") == "offline");
  CHECK_FALSE(listed["root"].at("available").as_bool());
  // Names and presence only: nothing the admin list shows besides.
  for (const auto& [id, agent] : listed) {
    std::set<std::string> keys;
    for (const auto& kv : agent) keys.insert(std::string(kv.key()));
    CHECK(keys == std::set<std::string>{"id", "name", "status", "available"});
  }
  CHECK(r.body.find("@acme.test") == std::string::npos);
  CHECK(r.body.find("admin") == std::string::npos);  // no role (root is "Acme Admin" by name)
  const auto& groups = arr(body, "groups");
  REQUIRE(groups.size() == 1);
  CHECK(str(groups[0].as_object(), "id") == "sales");
  CHECK(str(groups[0].as_object(), "name") == "Sales team");

  // Carol at capacity (1) is online but not available.
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("hello");
  carol.ws.next_of_type("conversation.assigned");
  const auto busy = json::parse(
      sb::test::http_get(deployment.port(), "/v1/tenants/acme/colleagues", bearer(alice)).body);
  for (const auto& a : arr(busy.as_object(), "agents"))
    if (str(a.as_object(), "id") == "carol") CHECK_FALSE(a.as_object().at("available").as_bool());

  // A disabled agent is nobody's colleague any more.
  const auto admin = deployment.login("acme", "root");
  auto gone = create_agent(deployment, admin, "gone@acme.test", 1);
  REQUIRE(http_request(deployment.port(), "DELETE", "/v1/tenants/acme/agents/" + gone.id, {},
                       bearer(admin))
              .status == 200);
  const auto after_disable =
      sb::test::http_get(deployment.port(), "/v1/tenants/acme/colleagues", bearer(alice));
  CHECK(after_disable.body.find(gone.id) == std::string::npos);
  CHECK(arr(json::parse(after_disable.body).as_object(), "agents").size() == 3);

  // Another tenant's colleagues are not theirs to see, and the admin list stays admins'.
  const auto other =
      sb::test::http_get(deployment.port(), "/v1/tenants/globex/colleagues", bearer(alice));
  CHECK(other.status == 403);
  CHECK(other.body.find("Bob") == std::string::npos);
  CHECK(sb::test::http_get(deployment.port(), "/v1/tenants/acme/agents", bearer(alice)).status ==
        403);
  CHECK(sb::test::http_get(deployment.port(), "/v1/tenants/acme/colleagues").status == 401);
  CHECK(http_request(deployment.port(), "POST", "/v1/tenants/acme/colleagues", "{}", bearer(alice))
            .status == 405);
}
