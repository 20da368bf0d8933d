// Sign-outs across the nodes (docs/cluster.md, "Sign-outs"): an admin's sign-out of
// an agent, and a console's own sign-out, hold on every node at once: the agent's
// sockets close on whichever node they are, the old token is refused by REST and by
// a new socket everywhere, and a node started afterwards, even with a data
// directory that never heard of it, refuses it too.
#include <catch2/catch.hpp>
#include <filesystem>

#include "cluster/scenario.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::cl;
using sb::it::obj;
using sb::it::str;
using sb::test::bearer;
using sb::test::Headers;
using sb::test::http_get;
using sb::test::http_post_json;
using sb::test::http_request;
using sb::test::WsClient;

namespace {

const std::string kAgentSocket = "/v1/ws/agent?tenant=acme";

// Whether the agent's socket was closed with code within timeout.
bool closed_with(sb::it::AgentSession& agent, uint16_t code, std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        try {
          agent.ws.collect(50ms);
        } catch (const std::exception&) {
        }
        return agent.ws.close_code() == code;
      },
      timeout);
}

// A console's cookie session, signed in on one node as its own page would.
struct ConsoleSession {
  std::string cookie;  // "sb_session=TOKEN"
  std::string csrf_token;
};

std::string own_origin(const Node& node) {
  return "http://127.0.0.1:" + std::to_string(node.port());
}

ConsoleSession sign_in(Cluster& cluster, Node& node, const std::string& agent_id) {
  const auto r = http_post_json(node.port(), "/v1/tenants/acme/auth/session",
                                json::object{{"email", cluster.tenant("acme").email_of(agent_id)},
                                             {"password", sb::it::kAgentPassword}},
                                {{"Origin", own_origin(node)}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  const std::string set_cookie = r.headers.at("set-cookie");
  return {set_cookie.substr(0, set_cookie.find(';')), str(r.json().as_object(), "csrf_token")};
}

// The console page's own headers on node: its cookie and Origin.
Headers console_headers(const ConsoleSession& session, const Node& node, Headers more = {}) {
  more.emplace_back("Cookie", session.cookie);
  more.emplace_back("Origin", own_origin(node));
  return more;
}

}  // namespace

TEST_CASE(
    "a sign-out holds on every node: an admin's closes the agent's sockets on each node and "
    "its token is refused everywhere, also by a node started afterwards, and a console's own "
    "sign-out on one node ends its session on the others",
    "[cluster][signout]") {
  ClusterOptions options;
  auto acme = sb::it::acme_tenant();
  acme.agents.push_back({"bob", "Bob", "agent", 2});
  options.tenants = {acme};
  Cluster cluster(options);
  auto& owner = cluster.await_owner("acme");
  const auto others = cluster.other_nodes(owner);
  REQUIRE(others.size() == 2);
  auto& relayed = *others[0];  // one of alice's tabs is here
  auto& admin_node = *others[1];
  INFO("owner " << owner.id() << ", alice also on " << relayed.id() << ", admin on "
                << admin_node.id());
  const std::string base = "/v1/tenants/acme";

  // Alice with one token and a tab on the owner and on another node.
  const auto token = cluster.login(relayed, "acme", "alice");
  auto on_owner = cluster.connect_agent(owner, "acme", "alice", token);
  auto on_relayed = cluster.connect_agent(relayed, "acme", "alice", token);
  for (auto* node : {&owner, &relayed, &admin_node})
    REQUIRE(WsClient::upgrade_status(node->port(), kAgentSocket, bearer(token)) == 101);

  // The admin signs her out on the third node.
  const auto admin = cluster.login(admin_node, "acme", "root");
  const auto signed_out = http_request(admin_node.port(), "POST", base + "/agents/alice/sign-out",
                                       "", {{"Authorization", "Bearer " + admin}});
  INFO(signed_out.body);
  REQUIRE(signed_out.status == 200);

  // Both tabs close at once with the sign-out's code...
  CHECK(closed_with(on_owner, 4001, 2s));
  CHECK(closed_with(on_relayed, 4001, 2s));
  // ...and no node takes her old token again, for REST or a socket.
  for (auto* node : {&owner, &relayed, &admin_node}) {
    INFO("asked " << node->id());
    CHECK(eventually(
        [&] { return WsClient::upgrade_status(node->port(), kAgentSocket, bearer(token)) == 401; },
        2s));
    CHECK(http_get(node->port(), base + "/conversations", bearer(token)).status == 401);
  }
  // She may sign in again at once, on any node, and her new tab stays open.
  const auto fresh = cluster.login(admin_node, "acme", "alice");
  auto again = cluster.connect_agent(admin_node, "acme", "alice", fresh);
  CHECK(http_get(owner.port(), base + "/conversations", bearer(fresh)).status == 200);

  // A node restarted with a data directory that never heard of the sign-out (its
  // own list of signed-out tokens gone) refuses the old token from its first answer.
  relayed.stop();
  std::filesystem::remove(cluster.root() / relayed.id() / "data" / "signed_out_sessions");
  cluster.restart(relayed);
  CHECK(WsClient::upgrade_status(relayed.port(), kAgentSocket, bearer(token)) == 401);
  CHECK(http_get(relayed.port(), base + "/conversations", bearer(token)).status == 401);
  CHECK(WsClient::upgrade_status(relayed.port(), kAgentSocket, bearer(fresh)) == 101);

  // A console signs in on one node, has a tab on another, and signs out on a third
  // that does not own the tenant: the session ends on every node.
  auto console = sign_in(cluster, relayed, "bob");
  auto console_tab =
      WsClient::connect(admin_node.port(), kAgentSocket, console_headers(console, admin_node));
  REQUIRE(str(console_tab.next_frame(), "type") == "welcome");
  sb::it::AgentSession bob_tab{std::move(console_tab), {}, "bob", ""};
  REQUIRE(http_get(owner.port(), "/v1/session", console_headers(console, owner)).status == 200);
  const auto ended =
      http_request(admin_node.port(), "DELETE", "/v1/session", "",
                   console_headers(console, admin_node, {{"X-CSRF-Token", console.csrf_token}}));
  INFO(ended.body);
  REQUIRE(ended.status == 204);
  // The browser is told to forget the cookie, as on one node.
  const auto clearing = ended.headers.find("set-cookie");
  REQUIRE(clearing != ended.headers.end());
  CHECK_THAT(clearing->second, Catch::Contains("sb_session=;"));
  CHECK_THAT(clearing->second, Catch::Contains("Max-Age=0"));
  CHECK(closed_with(bob_tab, 4001, 2s));
  for (auto* node : {&owner, &relayed, &admin_node}) {
    INFO("asked " << node->id());
    CHECK(eventually(
        [&] {
          return http_get(node->port(), "/v1/session", console_headers(console, *node)).status ==
                 401;
        },
        2s));
    CHECK(WsClient::upgrade_status(node->port(), kAgentSocket, console_headers(console, *node)) ==
          401);
    CHECK(http_get(node->port(), base + "/conversations", console_headers(console, *node)).status ==
          401);
  }
  // Alice's new tab was never touched by any of it.
  try {
    again.ws.collect(300ms);
  } catch (const std::exception& e) {
    FAIL("alice's new tab: " << e.what());
  }
  CHECK(!again.ws.close_code());

  // A sign-out made while Redis is down is not heard by the other nodes; each reads
  // it from storage once its link is back.
  cluster.redis().stop();
  const auto unheard = http_request(admin_node.port(), "POST", base + "/agents/alice/sign-out", "",
                                    {{"Authorization", "Bearer " + admin}});
  INFO(unheard.body);
  REQUIRE(unheard.status == 200);
  CHECK(WsClient::upgrade_status(owner.port(), kAgentSocket, bearer(fresh)) == 401);
  cluster.redis().start();
  for (auto* node : {&relayed, &admin_node}) {
    INFO("asked " << node->id());
    CHECK(eventually(
        [&] { return WsClient::upgrade_status(node->port(), kAgentSocket, bearer(fresh)) == 401; },
        15s));
  }
}

TEST_CASE(
    "agents changed over REST are known to every node's sign-in: a new agent signs in on "
    "another node, and after a password change the old password and the old session are "
    "refused there",
    "[cluster][signout]") {
  ClusterOptions options;
  options.nodes = 2;
  options.tenants = {sb::it::acme_tenant()};
  Cluster cluster(options);
  auto& owner = cluster.await_owner("acme");
  auto& other = *cluster.other_nodes(owner).at(0);
  INFO("owner " << owner.id() << ", asked " << other.id());
  const std::string base = "/v1/tenants/acme";
  const auto admin = cluster.login(other, "acme", "root");
  const auto sign_in = [&](const std::string& password) {
    return http_post_json(other.port(), base + "/auth/session",
                          json::object{{"email", "carol@acme.test"}, {"password", password}},
                          {{"Origin", own_origin(other)}});
  };

  // Created on the other node (the owner stores it): she signs in there at once.
  const auto created = http_post_json(
      other.port(), base + "/agents",
      json::object{{"email", "carol@acme.test"}, {"name", "Carol"}, {"password", "first-pass-1"}},
      bearer(admin));
  INFO(created.body);
  REQUIRE(created.status == 201);
  const auto carol_id = str(created.json().as_object(), "id");
  // Polled a few times only: each failure counts against this address's sign-ins.
  const auto signs_in = [&](const std::string& password) {
    sb::test::HttpResponse r;
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(300ms);
      r = sign_in(password);
      if (r.status == 200) break;
    }
    return r;
  };
  const auto first = signs_in("first-pass-1");
  INFO(first.body);
  REQUIRE(first.status == 200);
  const std::string set_cookie = first.headers.at("set-cookie");
  const ConsoleSession session{set_cookie.substr(0, set_cookie.find(';')),
                               str(first.json().as_object(), "csrf_token")};
  REQUIRE(http_get(other.port(), "/v1/session", console_headers(session, other)).status == 200);

  // Her password is changed: the new one signs in on the other node, the old one and
  // her old session no longer do.
  const auto changed = http_request(
      other.port(), "PATCH", base + "/agents/" + carol_id, R"({"password":"second-pass-2"})",
      {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  CHECK(signs_in("second-pass-2").status == 200);
  CHECK(sign_in("first-pass-1").status == 401);
  CHECK(http_get(other.port(), "/v1/session", console_headers(session, other)).status == 401);

  // A new owner removes the ended sessions whose tokens have all expired from
  // storage, and keeps the others.
  const auto stored_session = [&](const std::string& id, int64_t until_s) {
    return "('acme', 'sign_outs', 'session/" + id +
           R"(', '{"tenant":"acme","agent":"carol","session":")" + id +
           R"(","cutoff_ms":0,"until_s":)" + std::to_string(until_s) + "}')";
  };
  cluster.postgres().psql("INSERT INTO kv (tenant_id, ns, key, value) VALUES " +
                          stored_session("s_over", 1) + ", " +
                          stored_session("s_live", 4'000'000'000));
  const auto kept = [&] {
    return cluster.postgres().psql(
        "SELECT string_agg(key, ' ' ORDER BY key) FROM kv WHERE ns = 'sign_outs'");
  };
  REQUIRE(kept() == "session/s_live session/s_over\n");
  owner.kill_hard();
  CHECK(eventually([&] { return cluster.lease_owners()["acme"] == other.id(); }, 15s));
  CHECK(eventually([&] { return kept() == "session/s_live\n"; }, 5s));
}
