// The audit log: every successful admin write (routing graph, agents, knowledge
// base, canned replies) is recorded with who, when, what and a summary; a refused
// write records nothing; GET /v1/tenants/ID/audit is for the tenant's admins only,
// pages newest first and filters by action and actor; bad input is 422. The routing
// editor's saved versions live in the tenant's storage too, and a versions file left
// by an older server is imported once and renamed, not deleted.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

constexpr const char* kFlows = R"([flows.greeting]
start = "hi"
keywords = ["hello there"]

[flows.greeting.nodes.hi]
message = "Hi!"
)";

constexpr const char* kKnowledgeBase = R"([[entries]]
id = "hours"
questions = ["When are you open?"]
answer = { en = "9 to 5." }
)";

sb::test::HttpResponse audit(Deployment& d, const std::string& tenant, const std::string& token,
                             const std::string& query = {}) {
  return http_get(d.port(), "/v1/tenants/" + tenant + "/audit" + (query.empty() ? "" : "?" + query),
                  bearer(token));
}

// The entries once there are at least `count` (recording follows the answer, so a
// test waits for it), newest first.
json::array entries_when(Deployment& d, const std::string& token, size_t count,
                         const std::string& query = {}) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  json::array entries;
  for (;;) {
    auto r = audit(d, "acme", token, query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    entries = r.json().at("entries").as_array();
    if (entries.size() >= count || std::chrono::steady_clock::now() > deadline) return entries;
    std::this_thread::sleep_for(50ms);
  }
}

std::vector<std::string> actions(const json::array& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.emplace_back(e.at("action").as_string());
  return out;
}

json::value renamed(json::value graph, const std::string& name) {
  graph.at("rules").as_array()[0].as_object()["name"] = name;
  return graph;
}

TenantSpec acme_with_rule_and_kb() {
  auto tenant = acme_tenant();
  tenant.extra_toml = R"([groups.support]

[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "support" } ]

[plugins.autoreply-faq]
files = ["acme/faq.toml"]

[plugins.autoreply-flow]
files = ["acme/flows.toml"]
)";
  return tenant;
}

}  // namespace

TEST_CASE("every successful admin write is in the audit log with who, what and a summary",
          "[audit]") {
  Deployment deployment({acme_with_rule_and_kb(), globex_tenant()},
                        DeploymentOptions{.start = false});
  std::filesystem::create_directories(deployment.tenants_dir() / "acme");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", kKnowledgeBase);
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "flows.toml", kFlows);
  deployment.server().start();
  const auto root = deployment.login("acme", "root");
  const auto admin = bearer(root);
  const auto port = deployment.port();
  CHECK(entries_when(deployment, root, 0).empty());

  // Routing: a rule renamed.
  const auto graph = http_get(port, "/v1/tenants/acme/routing", admin).json();
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/routing",
                       json::serialize(renamed(graph, "VIP customers")), admin)
              .status == 200);
  // Agents: created, promoted, password reset, disabled.
  auto created =
      http_request(port, "POST", "/v1/tenants/acme/agents",
                   R"({"email":"dana@acme.test","name":"Dana 张","password":"s3cret-pass",
                                  "groups":["support"]})",
                   admin);
  REQUIRE(created.status == 201);
  const std::string dana = std::string(created.json().at("id").as_string());
  REQUIRE(
      http_request(port, "PATCH", "/v1/tenants/acme/agents/" + dana, R"({"role":"admin"})", admin)
          .status == 200);
  REQUIRE(http_request(port, "PATCH", "/v1/tenants/acme/agents/" + dana,
                       R"({"password":"another-pass"})", admin)
              .status == 200);
  REQUIRE(http_request(port, "DELETE", "/v1/tenants/acme/agents/" + dana, {}, admin).status == 200);
  // Knowledge base and flows replaced.
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/kb", kKnowledgeBase, admin).status == 200);
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/flows", kFlows, admin).status == 200);
  // Canned replies: created, edited, deleted.
  auto reply = http_request(port, "POST", "/v1/tenants/acme/canned-replies",
                            R"({"shortcut":"/hi","text":"Hello!"})", admin);
  REQUIRE(reply.status == 201);
  const std::string reply_id = std::string(reply.json().at("id").as_string());
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/canned-replies/" + reply_id,
                       R"({"shortcut":"/hello","text":"Hello!"})", admin)
              .status == 200);
  REQUIRE(http_request(port, "DELETE", "/v1/tenants/acme/canned-replies/" + reply_id, {}, admin)
              .status == 204);

  // Refused writes record nothing: a bad agent, a knowledge base the plugin rejects,
  // an agent's attempt, a shortcut taken twice.
  CHECK(http_request(port, "POST", "/v1/tenants/acme/agents", R"({"email":"x"})", admin).status ==
        422);
  CHECK(http_request(port, "PUT", "/v1/tenants/acme/kb", "[[entries]]\nnot toml", admin).status ==
        422);
  CHECK(http_request(port, "PUT", "/v1/tenants/acme/routing", json::serialize(graph),
                     bearer(deployment.login("acme", "alice")))
            .status == 403);
  CHECK(http_request(port, "DELETE", "/v1/tenants/acme/canned-replies/" + reply_id, {}, admin)
            .status == 204);

  const auto entries = entries_when(deployment, root, 10);
  CHECK(actions(entries) == std::vector<std::string>{"canned_reply.deleted", "canned_reply.updated",
                                                     "canned_reply.created", "flows.saved",
                                                     "kb.saved", "agent.disabled",
                                                     "agent.password_reset", "agent.updated",
                                                     "agent.created", "routing.saved"});
  for (const auto& e : entries) {
    INFO(json::serialize(e));
    CHECK(e.at("actor") == json::parse(R"({"id":"root","name":"Acme Admin","role":"admin"})"));
    CHECK(e.at("at").as_int64() > 1'700'000'000'000);
  }
  // Newest first, each with its own number.
  CHECK(entries.front().at("seq").as_int64() > entries.back().at("seq").as_int64());
  const auto& routing = entries.back().as_object();
  CHECK(routing.at("target") == "routing graph");
  CHECK(routing.at("summary") == "1 rule: changed VIP customers");
  const auto& agent_created = entries.at(8).as_object();
  CHECK(agent_created.at("target") == "Dana 张 <dana@acme.test>");
  CHECK(agent_created.at("summary") == "role agent; groups support; capacity 5");
  CHECK(entries.at(7).at("summary") == "role: agent \u2192 admin");
  CHECK(entries.at(6).at("summary") == "password reset");
  CHECK(entries.at(4).at("target") == "acme/faq.toml");
  CHECK(entries.at(3).at("target") == "acme/flows.toml");
  CHECK(entries.at(3).at("summary") == "dialog flows replaced: 6 lines, 100 bytes");
  CHECK(entries.at(1).at("target") == "/hello");
  CHECK(entries.at(1).at("summary") == "shortcut /hi \u2192 /hello");
  CHECK(entries.at(0).at("target") == "/hello");

  // The same as codes and values, for pages that word them in their reader's language.
  CHECK(routing.at("object") == json::parse(R"({"kind":"routing_graph"})"));
  CHECK(routing.at("detail") ==
        json::parse(R"({"code":"routing.rules","rules":1,"changed":["VIP customers"]})"));
  CHECK(agent_created.at("object") ==
        json::parse(R"({"kind":"agent","name":"Dana 张","email":"dana@acme.test"})"));
  CHECK(agent_created.at("detail") ==
        json::parse(R"({"code":"agent.new","role":"agent","groups":["support"],"capacity":5})"));
  CHECK(entries.at(7).at("detail") == json::parse(R"({"code":"agent.changes",
                        "changes":[{"field":"role","from":"agent","to":"admin"}]})"));
  CHECK(entries.at(6).at("detail") ==
        json::parse(R"({"code":"agent.changes","changes":[],"password_reset":true})"));
  CHECK(entries.at(5).at("detail") == json::parse(R"({"code":"agent.cannot_sign_in"})"));
  CHECK(entries.at(4).at("object") == json::parse(R"({"kind":"bot_file","file":"acme/faq.toml"})"));
  CHECK(entries.at(3).at("detail") ==
        json::parse(R"({"code":"file.replaced","lines":6,"bytes":100})"));
  // Canned replies: the reply by its shortcut; what was written, changed, deleted.
  CHECK(entries.at(2).at("object") == json::parse(R"({"kind":"canned_reply","shortcut":"/hi"})"));
  CHECK(entries.at(2).at("detail") ==
        json::parse(R"({"code":"canned_reply.new","text":"Hello!"})"));
  CHECK(entries.at(1).at("object") ==
        json::parse(R"({"kind":"canned_reply","shortcut":"/hello"})"));
  CHECK(entries.at(1).at("detail") == json::parse(R"({"code":"canned_reply.changes",
                        "changes":[{"field":"shortcut","from":"/hi","to":"/hello"}]})"));
  CHECK(entries.at(0).at("object") ==
        json::parse(R"({"kind":"canned_reply","shortcut":"/hello"})"));
  CHECK(entries.at(0).at("detail") == json::parse(R"({"code":"canned_reply.deleted"})"));

  // The other tenant's log knows nothing of it.
  CHECK(audit(deployment, "globex", deployment.login("globex", "groot"))
            .json()
            .at("entries")
            .as_array()
            .empty());
  // Counted for the operator.
  const auto metrics = http_get(port, "/metrics").body;
  CHECK(metrics.find("switchboard_audit_entries_total{tenant=\"acme\"} 10") != std::string::npos);
  CHECK(metrics.find("switchboard_audit_failures_total{tenant=\"acme\"} 0") != std::string::npos);
}

TEST_CASE("the audit log pages newest first, filters by action and person, survives a crash",
          "[audit]") {
  Deployment deployment({acme_tenant()});
  const auto root = deployment.login("acme", "root");
  const auto port = deployment.port();
  for (int i = 0; i < 5; ++i)
    REQUIRE(http_request(port, "POST", "/v1/tenants/acme/canned-replies",
                         R"({"shortcut":"/r)" + std::to_string(i) + R"(","text":"t"})",
                         bearer(root))
                .status == 201);
  REQUIRE(http_request(port, "POST", "/v1/tenants/acme/agents",
                       R"({"email":"eve@acme.test","name":"Eve","password":"s3cret-pass",
                           "role":"admin"})",
                       bearer(root))
              .status == 201);
  REQUIRE(entries_when(deployment, root, 6).size() == 6);
  const auto eve = deployment.login_raw("acme", "eve@acme.test", "s3cret-pass");
  REQUIRE(eve.status == 200);
  const std::string eve_token = std::string(eve.json().at("token").as_string());
  REQUIRE(http_request(port, "POST", "/v1/tenants/acme/canned-replies",
                       R"({"shortcut":"/eve","text":"t"})", bearer(eve_token))
              .status == 201);
  REQUIRE(entries_when(deployment, root, 7).size() == 7);

  // Pages of 3: 3, 3, 1, every entry once.
  std::vector<int64_t> seqs;
  std::string cursor;
  std::vector<size_t> sizes;
  for (int page = 0; page < 5; ++page) {
    auto r =
        audit(deployment, "acme", root, "limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    const auto body = r.json().as_object();
    sizes.push_back(body.at("entries").as_array().size());
    for (const auto& e : body.at("entries").as_array()) seqs.push_back(e.at("seq").as_int64());
    if (!body.contains("next_cursor")) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  CHECK(sizes == std::vector<size_t>{3, 3, 1});
  CHECK(seqs == std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1});

  const auto by_eve = audit(deployment, "acme", root,
                            "actor=" + std::string(eve.json().at("agent").at("id").as_string()))
                          .json();
  REQUIRE(by_eve.at("entries").as_array().size() == 1);
  CHECK(by_eve.at("entries").at(0).at("actor").at("name") == "Eve");
  CHECK(by_eve.at("entries").at(0).at("target") == "/eve");
  CHECK(actions(audit(deployment, "acme", root, "action=agent.created")
                    .json()
                    .at("entries")
                    .as_array()) == std::vector<std::string>{"agent.created"});
  CHECK(audit(deployment, "acme", root, "action=canned_reply.created&actor=root&limit=2")
            .json()
            .at("entries")
            .as_array()
            .size() == 2);

  // Listed means durable: a kill -9 and a restart keep every entry, and numbering
  // goes on after them.
  deployment.server().kill_hard();
  deployment.server().start();
  const auto again = deployment.login("acme", "root");
  const auto kept = entries_when(deployment, again, 7);
  REQUIRE(kept.size() == 7);
  CHECK(kept.front().at("target") == "/eve");
  REQUIRE(http_request(deployment.port(), "POST", "/v1/tenants/acme/canned-replies",
                       R"({"shortcut":"/after","text":"t"})", bearer(again))
              .status == 201);
  const auto after = entries_when(deployment, again, 8);
  REQUIRE(after.size() == 8);
  CHECK(after.front().at("seq") == 8);
}

TEST_CASE("the audit log is for the tenant's admins only, and bad queries are 422", "[audit]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto root = deployment.login("acme", "root");
  const auto port = deployment.port();
  CHECK(audit(deployment, "acme", deployment.login("acme", "alice")).status == 403);
  CHECK(audit(deployment, "acme", deployment.login("globex", "groot")).status == 403);
  CHECK(http_get(port, "/v1/tenants/acme/audit").status == 401);
  CHECK(http_request(port, "POST", "/v1/tenants/acme/audit", "{}", bearer(root)).status == 405);
  for (const char* bad : {"limit=0", "limit=101", "limit=x", "cursor=abc", "cursor=0", "cursor=-1",
                          "action=", "actor=", "typo=1"}) {
    INFO(bad);
    auto r = audit(deployment, "acme", root, bad);
    CHECK(r.status == 422);
    CHECK(r.json().at("error").at("code") == "bad_field");
  }
  // A query that is not UTF-8 is refused before any plugin sees it, and the answer
  // stays JSON (its name was once echoed byte for byte; found by fuzz_rest_bodies).
  auto odd = audit(deployment, "acme", root, "%FFtypo=1");
  CHECK(odd.status == 400);
  CHECK(odd.json().at("error").at("code") == "bad_request");
  CHECK(audit(deployment, "acme", root, "limit=100").status == 200);
}

TEST_CASE(
    "routing versions live in the tenant's storage, and an old versions file is imported once",
    "[audit][routing_graph]") {
  Deployment deployment({acme_with_rule_and_kb()}, DeploymentOptions{.start = false});
  std::filesystem::create_directories(deployment.tenants_dir() / "acme");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", kKnowledgeBase);
  // What an older server kept beside the tenant file: two versions, numbered 7 and 8.
  const auto legacy = deployment.tenants_dir() / ".acme.routing-versions.jsonl";
  {
    std::ofstream out(legacy);
    out << R"({"seq":7,"at":1700000000000,"by":{"id":null,"name":"tenant file"},"etag":"\"a\"","graph":{"rules":[],"fallback":{"id":"fallback","actions":[]}}})"
        << "\n"
        << R"({"seq":8,"at":1700000001000,"by":{"id":"root","name":"Acme Admin"},"etag":"\"b\"","graph":{"rules":[{"id":"old","name":"Old rule"}],"fallback":{"id":"fallback","actions":[]}}})"
        << "\nnot json\n";
  }
  deployment.server().start();
  const auto admin = bearer(deployment.login("acme", "root"));
  const auto port = deployment.port();
  const std::string path = "/v1/tenants/acme/routing/versions";

  auto listed = http_get(port, path, admin);
  INFO(listed.body);
  REQUIRE(listed.status == 200);
  auto versions = listed.json().at("versions").as_array();
  REQUIRE(versions.size() == 2);
  CHECK(versions[0].at("seq") == 2);
  CHECK(versions[0].at("at") == 1700000001000);
  CHECK(versions[0].at("by").at("name") == "Acme Admin");
  CHECK(versions[0].at("rules") == 1);
  CHECK(versions[1].at("by").at("name") == "tenant file");
  CHECK(http_get(port, path + "?seq=2", admin).json().at("graph").at("rules").at(0).at("name") ==
        "Old rule");
  // Renamed, not deleted; a second look imports nothing again.
  CHECK(!std::filesystem::exists(legacy));
  auto imported = legacy;
  imported += ".imported";
  CHECK(std::filesystem::exists(imported));
  CHECK(http_get(port, path, admin).json().at("versions").as_array().size() == 2);

  // Saves go on after them: first the graph the file had, then the save.
  const auto graph = http_get(port, "/v1/tenants/acme/routing", admin).json();
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/routing",
                       json::serialize(renamed(graph, "Saved")), admin)
              .status == 200);
  versions = http_get(port, path, admin).json().at("versions").as_array();
  REQUIRE(versions.size() == 4);
  CHECK(versions[0].at("seq") == 4);
  CHECK(versions[0].at("by").at("id") == "root");
  CHECK(versions[1].at("by").at("name") == "tenant file");
  // Restoring the tenant file's version is recorded as a restore.
  REQUIRE(
      http_request(port, "PUT", "/v1/tenants/acme/routing", json::serialize(graph), admin).status ==
      200);
  const auto root = deployment.login("acme", "root");
  const auto entries = entries_when(deployment, root, 1, "action=routing.restored");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].at("summary") == "version #3: 1 rule: changed vip");
  // Saving what is live again restores nothing.
  REQUIRE(
      http_request(port, "PUT", "/v1/tenants/acme/routing", json::serialize(graph), admin).status ==
      200);
  const auto newest = entries_when(deployment, root, 2, "action=routing.saved");
  REQUIRE(newest.size() == 2);
  CHECK(newest[0].at("summary") == "1 rule: no change");
}

TEST_CASE("with a storage plugin older than ABI 1.4 the audit log says so and writes still work",
          "[audit]") {
  // The server's own plugins plus storage-sqlite behind a 1.3 descriptor.
  const PluginDirWith plugins(SB_TEST_STORAGE_WITHOUT_LOGS);
  auto tenant = acme_tenant();
  tenant.extra_toml = R"([storage]
plugin = "storage-1.3"

[groups.support]

[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "support" } ]
)";
  Deployment deployment({tenant}, plugins.options());
  const auto root = deployment.login("acme", "root");
  const auto admin = bearer(root);
  const auto port = deployment.port();

  auto refused = audit(deployment, "acme", root);
  INFO(refused.body);
  CHECK(refused.status == 501);
  CHECK(refused.json().at("error").at("code") == "not_supported");
  CHECK(std::string(refused.json().at("error").at("message").as_string())
            .find("keeps no audit log") != std::string::npos);

  // Writes work; what was not recorded is counted.
  REQUIRE(http_request(port, "POST", "/v1/tenants/acme/canned-replies",
                       R"({"shortcut":"/hi","text":"Hello!"})", admin)
              .status == 201);
  const auto graph = http_get(port, "/v1/tenants/acme/routing", admin).json();
  REQUIRE(http_request(port, "PUT", "/v1/tenants/acme/routing",
                       json::serialize(renamed(graph, "Kept in the file")), admin)
              .status == 200);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::string metrics;
  do {
    std::this_thread::sleep_for(50ms);
    metrics = http_get(port, "/metrics").body;
  } while (metrics.find("switchboard_audit_failures_total{tenant=\"acme\"} 2") ==
               std::string::npos &&
           std::chrono::steady_clock::now() < deadline);
  CHECK(metrics.find("switchboard_audit_failures_total{tenant=\"acme\"} 2") != std::string::npos);
  CHECK(metrics.find("switchboard_audit_entries_total{tenant=\"acme\"} 0") != std::string::npos);

  // The editor's versions stay in the file beside the tenant file, as before.
  auto versions = http_get(port, "/v1/tenants/acme/routing/versions", admin);
  INFO(versions.body);
  REQUIRE(versions.status == 200);
  REQUIRE(versions.json().at("versions").as_array().size() == 2);
  CHECK(versions.json().at("versions").at(0).at("by").at("name") == "Acme Admin");
  CHECK(std::filesystem::exists(deployment.tenants_dir() / ".acme.routing-versions.jsonl"));
  CHECK(http_get(port, "/v1/tenants/acme/routing/versions?seq=2", admin)
            .json()
            .at("graph")
            .at("rules")
            .at(0)
            .at("name") == "Kept in the file");
}
