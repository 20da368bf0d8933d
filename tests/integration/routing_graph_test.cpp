// The tenant routing graph with the real server: rules from the tenant file route
// visitors by their attributes and by business hours; the admin API reads, checks,
// writes (live) and dry-runs the graph.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "auth/signed_payload.hpp"
#include "harness/deployment.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_post_json;
using sb::test::http_request;

namespace {

// vera serves the vip group, sam the support group, root administers.
TenantSpec shop(const std::string& graph_toml, const std::string& groups_toml = {}) {
  TenantSpec tenant;
  tenant.id = "shop";
  tenant.name = "Shop";
  tenant.agents = {{"vera", "Vera", "agent", 2, {"vip"}},
                   {"sam", "Sam", "agent", 2, {"support"}},
                   {"root", "Admin", "admin", 2, {}}};
  tenant.extra_toml =
      (groups_toml.empty() ? "[groups.vip]\n[groups.support]\n" : groups_toml) + "\n" + graph_toml;
  return tenant;
}

const std::string kVipGraph = R"(
[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "vip" } ]

[routing.fallback]
actions = [ { type = "route", group = "support" } ]
)";

std::string assignee_of(AgentSession& agent) {
  return str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "assignee");
}

// A weekday name (UTC) `days` after today.
std::string weekday_from_today(int days) {
  using namespace std::chrono;
  const weekday today{floor<std::chrono::days>(system_clock::now())};
  const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return names[(today.c_encoding() + days) % 7];
}

json::value put_routing(Deployment& d, const std::string& token, const json::value& graph,
                        int& status) {
  auto r = http_request(d.port(), "PUT", "/v1/tenants/shop/routing", json::serialize(graph),
                        bearer(token));
  status = r.status;
  return r.json();
}

}  // namespace

TEST_CASE("a graph from the tenant file sends a VIP visitor to the vip group, others to support",
          "[routing_graph]") {
  Deployment deployment({shop(kVipGraph)});
  auto vera = deployment.connect_agent("shop", "vera");
  auto sam = deployment.connect_agent("shop", "sam");

  auto vip = deployment.connect_visitor("shop", {{"meta", json::object{{"vip", true}}}});
  vip.send_message("hello, I am important");
  CHECK(assignee_of(vera) == "vera");

  auto plain = deployment.connect_visitor(
      "shop", {{"meta", json::object{{"page", "https://shop.example/"}, {"lang", "en"}}}});
  plain.send_message("hello");
  CHECK(assignee_of(sam) == "sam");
  vera.ws.expect_no_frame_of_type("conversation.assigned", 300ms);
}

// What a website's backend does: sign what it knows about the visitor with the
// secret it shares with the tenant.
std::string website_identity(const std::string& secret, const json::object& attributes,
                             int64_t valid_for_s = 600) {
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const json::object payload{
      {"exp", now_s + valid_for_s}, {"name", "Ada"}, {"attributes", attributes}};
  return sb::auth::sign_payload(
      json::serialize(payload),
      {reinterpret_cast<const unsigned char*>(secret.data()), secret.size()});
}

TEST_CASE("with an identity secret only a signed vip attribute reaches the vip group",
          "[routing_graph]") {
  ::setenv("SB_IT_SHOP_IDENTITY", "shared-with-the-website", 1);
  Deployment deployment({shop(kVipGraph, R"([visitors]
identity_secret_env = "SB_IT_SHOP_IDENTITY"
[groups.vip]
[groups.support]
)")});
  auto vera = deployment.connect_agent("shop", "vera");
  auto sam = deployment.connect_agent("shop", "sam");

  // Anyone can type vip = true into the widget's meta; it no longer counts.
  auto claimer = deployment.connect_visitor("shop", {{"meta", json::object{{"vip", true}}}});
  claimer.send_message("I am very important, trust me");
  CHECK(assignee_of(sam) == "sam");
  vera.ws.expect_no_frame_of_type("conversation.assigned", 300ms);

  auto signed_vip = deployment.connect_visitor(
      "shop", {{"identity", website_identity("shared-with-the-website", {{"vip", true}})}});
  signed_vip.send_message("hello from a real VIP");
  const auto assigned = vera.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "assignee") == "vera");
  CHECK(str(obj(obj(assigned, "conversation"), "visitor"), "name") == "Ada");

  // A forged or expired identity is refused with the reason; the visitor can still
  // say hello without one on the same connection.
  for (const auto& bad : {website_identity("guessed-secret", {{"vip", true}}),
                          website_identity("shared-with-the-website", {{"vip", true}}, -5)}) {
    auto ws = sb::test::WsClient::connect(deployment.port(), "/v1/ws/visitor?tenant=shop");
    ws.send_json({{"type", "hello"}, {"identity", bad}});
    const auto refused = ws.next_frame();
    CHECK(str(refused, "type") == "error");
    CHECK(str(refused, "code") == "forbidden");
    CHECK(str(refused, "message").find("identity: ") == 0);
    ws.send_json({{"type", "hello"}});
    CHECK(str(ws.next_frame(), "type") == "welcome");
  }
}

TEST_CASE("outside business hours the visitor gets the offline message and waits for an agent",
          "[routing_graph]") {
  // Open only on a day three days from now: closed today, whatever the time.
  const std::string groups = "[groups.vip]\n[groups.support]\ntimezone = \"UTC\"\nhours = { " +
                             weekday_from_today(3) + " = \"09:00-17:00\" }\n";
  const std::string graph = R"(
[[routing.rules]]
id = "closed"
conditions = [ { type = "business_hours", group = "support", state = "closed" } ]
actions = [ { type = "offline", group = "support", text = "We are closed. Leave a message." } ]
)";
  Deployment deployment({shop(graph, groups)});
  auto visitor = deployment.connect_visitor("shop");
  visitor.send_message("anyone there?");
  auto told = message_from(visitor.ws, "system");
  CHECK(str(told, "text") == "We are closed. Leave a message.");
  visitor.ws.next_of_type("conversation.queued");
  // The visitor may keep writing; the first support agent online gets it all.
  visitor.send_message("my order 123 is late");
  auto sam = deployment.connect_agent("shop", "sam");
  auto assigned = sam.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "assignee") == "sam");
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() == 3);
  CHECK(str(history[1].as_object(), "text") == "We are closed. Leave a message.");
  CHECK(str(history[2].as_object(), "text") == "my order 123 is late");
}

// The demo's waiting message has both languages; here a greeting rule: each visitor
// reads the text of their widget's language (hello meta.lang), else the English.
TEST_CASE("a routing message in two languages reaches each visitor in the widget's language",
          "[routing_graph]") {
  const std::string graph = R"(
[[routing.rules]]
id = "greet"
conditions = []
actions = [ { type = "message", text = { en = "Welcome! Someone from support will be with you shortly.", zh = "欢迎！客服人员马上为您服务。" } },
            { type = "queue", group = "support" } ]
)";
  const std::string en = "Welcome! Someone from support will be with you shortly.";
  const std::string zh = "欢迎！客服人员马上为您服务。";
  Deployment deployment({shop(graph)});
  // Nobody online: each waits in support's queue after the greeting.
  const std::vector<std::pair<std::string, std::string>> visitors = {
      {"zh", zh}, {"zh-TW", zh}, {"en", en}, {"de", en}, {"", en}};
  std::vector<VisitorSession> sessions;
  for (const auto& [lang, expected] : visitors) {
    json::object meta;
    if (!lang.empty()) meta["lang"] = lang;
    auto& visitor = sessions.emplace_back(deployment.connect_visitor("shop", {{"meta", meta}}));
    visitor.send_message("hello (" + lang + ")");
    INFO("meta.lang = '" << lang << "'");
    CHECK(str(message_from(visitor.ws, "system"), "text") == expected);
    visitor.ws.next_of_type("conversation.queued");
  }
  // The agent who takes the Chinese visitor's conversation sees what they were told.
  auto sam = deployment.connect_agent("shop", "sam");
  const auto assigned = sam.ws.next_of_type("conversation.assigned");
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() == 2);
  CHECK(str(history[0].as_object(), "text") == "hello (zh)");
  CHECK(str(history[1].as_object(), "text") == zh);
}

TEST_CASE("the routing API: GET, an invalid PUT changes nothing, a valid PUT applies live, dry-run",
          "[routing_graph]") {
  Deployment deployment({shop(kVipGraph)});
  const auto admin = deployment.login("shop", "root");
  const std::string path = "/v1/tenants/shop/routing";

  auto before = http_get(deployment.port(), path, bearer(admin));
  REQUIRE(before.status == 200);
  const json::value live = before.json();
  CHECK(live.at("rules").as_array().size() == 1);
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("shop", "sam"))).status == 403);

  // Invalid: a rule routes to a group the tenant does not have.
  json::value broken = live;
  broken.at("actions").as_array()[0].as_object()["group"] = "gold";
  int status = 0;
  auto refused = put_routing(deployment, admin, broken, status);
  INFO(json::serialize(refused));
  CHECK(status == 422);
  CHECK(refused.at("error").at("code") == "unknown_group");
  CHECK(refused.at("error").at("field") == "actions[0].group");
  CHECK(std::string(refused.at("error").at("message").as_string()).find("rule 'vip'") !=
        std::string::npos);
  CHECK(http_get(deployment.port(), path, bearer(admin)).json() == live);

  // Valid: everybody goes to the vip group now, with a greeting first.
  const json::value everyone_vip = json::parse(R"({
    "rules": [{"id": "all", "name": "Everyone is a VIP", "match": "all", "conditions": [],
               "position": {"x": 10, "y": 20.5}}],
    "actions": [
      {"id": "hi", "type": "message", "text": "Welcome!", "position": {"x": 200, "y": 20}},
      {"id": "go", "type": "route", "group": "vip", "chain": ["routing-round-robin"]}],
    "fallback": {"id": "fallback"},
    "edges": [{"from": "all", "to": "hi"}, {"from": "hi", "to": "go"}]})");
  auto applied = put_routing(deployment, admin, everyone_vip, status);
  INFO(json::serialize(applied));
  REQUIRE(status == 200);
  CHECK(applied == everyone_vip);
  CHECK(http_get(deployment.port(), path, bearer(admin)).json() == everyone_vip);

  auto vera = deployment.connect_agent("shop", "vera");
  auto sam = deployment.connect_agent("shop", "sam");
  auto visitor = deployment.connect_visitor("shop");
  visitor.send_message("plain visitor");
  CHECK(assignee_of(vera) == "vera");
  auto greeting = visitor.ws.next_where(
      [](const json::object& f) {
        return str(f, "type") == "message" && str(f, "text") == "Welcome!";
      },
      "the greeting");
  CHECK(str(obj(greeting, "from"), "role") == "system");
  sam.ws.expect_no_frame_of_type("conversation.assigned", 300ms);

  // The file holds the graph in its marked section, and the rest of it is intact.
  std::ifstream in(deployment.tenants_dir() / "shop.toml");
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(file.find("# --- routing graph") != std::string::npos);
  CHECK(file.find("[[agents]]") != std::string::npos);
  CHECK(file.find("\"Everyone is a VIP\"") != std::string::npos);

  // Dry run: which rule and which agent, without assigning anything.
  auto dry = http_post_json(
      deployment.port(), path + "/dry-run",
      json::object{{"attributes", json::object{{"vip", true}}}, {"message", "hi"}}, bearer(admin));
  INFO(dry.body);
  REQUIRE(dry.status == 200);
  const auto answer = dry.json().as_object();
  CHECK(str(answer, "rule") == "all");
  CHECK(arr(answer, "actions").size() == 2);
  REQUIRE(answer.at("agent").is_object());
  CHECK(str(answer.at("agent").as_object(), "id") == "vera");
  vera.ws.expect_no_frame_of_type("conversation.assigned", 300ms);
  CHECK(
      http_post_json(deployment.port(), path + "/dry-run", json::object{{"mood", 1}}, bearer(admin))
          .status == 422);
}

TEST_CASE("a visitor's assignment says the seq it came after: the greeting shows first",
          "[routing_graph]") {
  // With sam free, the rule greets and routes at once: the greeting is still being
  // stored when the assignment is sent, so its message frame comes after.
  const std::string graph = R"(
[[routing.rules]]
id = "greet-then-route"
conditions = []
actions = [ { type = "message", text = "Connecting you to a person." },
            { type = "route", group = "support" } ]
)";
  Deployment deployment({shop(graph)});
  auto sam = deployment.connect_agent("shop", "sam");
  auto visitor = deployment.connect_visitor("shop");
  visitor.send_message("hello");  // seq 1
  const auto assigned = visitor.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "agent"), "name") == "Sam");
  const auto greeting = message_from(visitor.ws, "system");
  CHECK(str(greeting, "text") == "Connecting you to a person.");
  // The greeting (seq 2) was posted before sam joined: the frame says so.
  CHECK(num(assigned, "last_seq") == num(greeting, "seq"));
  CHECK(num(greeting, "seq") == 2);
}
