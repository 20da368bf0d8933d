// GET /v1/tenants/ID/stats/live and /stats/report: what an admin's dashboard shows
// follows a real chat (opened, waiting, answered, closed, rated); the range report
// counts it by day, agent and group, as JSON and as a CSV download; agents and
// other tenants' admins are refused; bad dates, ranges and parameters are 422
// naming the field.
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;

namespace {

sb::test::HttpResponse stats(Deployment& d, const std::string& tenant, const std::string& token,
                             const std::string& what) {
  return http_get(d.port(), "/v1/tenants/" + tenant + "/stats/" + what, bearer(token));
}

json::object live(Deployment& d, const std::string& token, const std::string& query = {}) {
  auto r = stats(d, "acme", token, "live" + query);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json().as_object();
}

// Polls the live numbers until check(today or the whole answer) holds: storage
// answers reads before it has applied the latest writes.
json::object live_until(Deployment& d, const std::string& token,
                        const std::function<bool(const json::object&)>& check) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    json::object body = live(d, token);
    if (check(body)) return body;
    if (std::chrono::steady_clock::now() > deadline) {
      INFO(json::serialize(body));
      FAIL("the live numbers never showed what was expected");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string utc_today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

const json::object& agent_in(const json::object& body, const std::string& id) {
  for (const auto& a : arr(obj(body, "agents"), "list"))
    if (str(a.as_object(), "id") == id) return a.as_object();
  FAIL("no agent " << id << " in the live numbers");
  throw;
}

const json::object& default_queue(const json::object& body) {
  for (const auto& q : arr(body, "queues"))
    if (str(q.as_object(), "group").empty()) return q.as_object();
  FAIL("no default queue in the live numbers");
  throw;
}

}  // namespace

TEST_CASE("the live numbers follow a chat from waiting to rated", "[stats]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto root = deployment.login("acme", "root");

  auto before = live(deployment, root);
  CHECK(num(obj(before, "agents"), "online") == 0);
  CHECK(num(obj(before, "today"), "opened") == 0);
  CHECK(num(obj(obj(before, "today"), "first_response"), "count") == 0);
  CHECK(obj(obj(before, "today"), "first_response").at("p50_ms").is_null());
  CHECK(num(default_queue(before), "length") == 0);
  CHECK(default_queue(before).at("longest_wait_ms").is_null());
  CHECK(arr(before, "messages_per_minute").size() == 15);

  // Nobody online: the visitor waits in the default queue.
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("where is my parcel?"), "conversation_id");
  visitor.ws.next_of_type("conversation.queued");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto waiting = live(deployment, root);
  CHECK(num(obj(waiting, "conversations"), "queued") == 1);
  CHECK(num(default_queue(waiting), "length") == 1);
  CHECK(num(default_queue(waiting), "longest_wait_ms") >= 300);

  // Alice comes online, gets it, answers; the visitor's and her message count.
  auto alice = deployment.connect_agent("acme", "alice");
  alice.ws.next_of_type("conversation.assigned");
  alice.send_message(id, "Let me check that for you.");
  auto served = live_until(deployment, root, [](const json::object& b) {
    return num(obj(obj(b, "today"), "first_response"), "count") == 1;
  });
  CHECK(num(obj(served, "agents"), "online") == 1);
  CHECK(num(obj(served, "agents"), "open_conversations") == 1);
  CHECK(num(obj(served, "agents"), "capacity") == 2);
  CHECK(num(agent_in(served, "alice"), "open_conversations") == 1);
  CHECK(str(agent_in(served, "alice"), "status") == "online");
  CHECK(num(obj(served, "conversations"), "assigned") == 1);
  CHECK(num(obj(served, "conversations"), "queued") == 0);
  CHECK(num(default_queue(served), "length") == 0);
  const auto& today = obj(served, "today");
  CHECK(num(today, "opened") == 1);
  CHECK(str(today, "timezone") == "UTC");
  CHECK(str(today, "date") == utc_today());
  // She came online after it had waited at least 300 ms.
  CHECK(num(obj(today, "wait"), "count") == 1);
  CHECK(num(obj(today, "wait"), "p50_ms") >= 300);
  CHECK(num(obj(today, "first_response"), "p90_ms") >= num(obj(today, "wait"), "p50_ms"));
  int64_t messages = 0;
  for (const auto& m : arr(served, "messages_per_minute"))
    messages += num(m.as_object(), "messages");
  CHECK(messages == 2);

  // Closed and rated 4.
  alice.ws.send_json({{"type", "close"}, {"conversation_id", id}});
  visitor.ws.next_of_type("conversation.closed");
  visitor.ws.send_json({{"type", "rate"}, {"conversation_id", id}, {"score", 4}, {"ref", "r1"}});
  visitor.ws.next_of_type("rated");
  auto rated = live_until(deployment, root, [](const json::object& b) {
    return num(obj(obj(b, "today"), "csat"), "count") == 1;
  });
  CHECK(num(obj(rated, "today"), "closed") == 1);
  CHECK(num(obj(obj(rated, "today"), "resolution"), "count") == 1);
  CHECK(obj(obj(rated, "today"), "csat").at("average").to_number<double>() == 4.0);
  CHECK(num(obj(rated, "conversations"), "assigned") == 0);
  CHECK(num(agent_in(rated, "alice"), "open_conversations") == 0);

  // The other tenant's numbers know nothing of it.
  const auto groot = deployment.login("globex", "groot");
  auto globex = stats(deployment, "globex", groot, "live");
  REQUIRE(globex.status == 200);
  CHECK(num(obj(globex.json().as_object(), "today"), "opened") == 0);
  CHECK(globex.body.find("alice") == std::string::npos);
}

TEST_CASE("the range report counts conversations by day, agent and group, also as CSV", "[stats]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto root = deployment.login("acme", "root");
  auto alice = deployment.connect_agent("acme", "alice");
  for (int i = 0; i < 2; ++i) {
    auto visitor = deployment.connect_visitor("acme");
    visitor.send_message("hello " + std::to_string(i));
    alice.ws.next_of_type("conversation.assigned");
  }
  const std::string today = utc_today();
  auto r = stats(deployment, "acme", root, "report?from=" + today + "&to=" + today);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto body = r.json().as_object();
  CHECK(str(body, "from") == today);
  CHECK(str(body, "timezone") == "UTC");
  CHECK(num(obj(body, "total"), "conversations") == 2);
  REQUIRE(arr(body, "days").size() == 1);
  CHECK(str(arr(body, "days")[0].as_object(), "date") == today);
  CHECK(num(arr(body, "days")[0].as_object(), "conversations") == 2);
  REQUIRE(arr(body, "agents").size() == 1);
  CHECK(str(arr(body, "agents")[0].as_object(), "agent_id") == "alice");
  CHECK(str(arr(body, "agents")[0].as_object(), "name") == "Alice");
  CHECK(num(arr(body, "agents")[0].as_object(), "conversations") == 2);
  REQUIRE(arr(body, "groups").size() == 1);
  CHECK(num(arr(body, "groups")[0].as_object(), "conversations") == 2);

  // A week long ago, in another zone: one row per day, every one empty.
  auto week = stats(deployment, "acme", root, "report?from=2020-01-01&to=2020-01-07&tz=Asia/Tokyo");
  REQUIRE(week.status == 200);
  CHECK(arr(week.json().as_object(), "days").size() == 7);
  CHECK(num(obj(week.json().as_object(), "total"), "conversations") == 0);

  auto csv =
      stats(deployment, "acme", root, "report?from=" + today + "&to=" + today + "&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.headers["content-type"].find("text/csv") == 0);
  CHECK(csv.headers["content-disposition"] ==
        "attachment; filename=\"conversations-acme-" + today + "-to-" + today + ".csv\"");
  CHECK(csv.body ==
        "date,group,agent_id,agent_name,conversations,closed,bot_resolved,handed_off\r\n" + today +
            ",,alice,Alice,2,0,0,0\r\n");

  // Another tenant's admin sees only their own (empty) tenant.
  const auto groot = deployment.login("globex", "groot");
  auto globex = stats(deployment, "globex", groot, "report?from=" + today + "&to=" + today);
  REQUIRE(globex.status == 200);
  CHECK(num(obj(globex.json().as_object(), "total"), "conversations") == 0);
}

TEST_CASE("stats are for the tenant's admins only", "[stats]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const std::string today = utc_today();
  const auto range = "report?from=" + today + "&to=" + today;
  const auto alice = deployment.login("acme", "alice");
  const auto groot = deployment.login("globex", "groot");
  for (const std::string& what : {std::string("live"), range, range + "&format=csv"}) {
    INFO(what);
    auto agent = stats(deployment, "acme", alice, what);
    CHECK(agent.status == 403);
    CHECK(str(obj(agent.json().as_object(), "error"), "code") == "forbidden");
    CHECK(stats(deployment, "acme", groot, what).status == 403);
    CHECK(http_get(deployment.port(), "/v1/tenants/acme/stats/" + what).status == 401);
  }
  const auto root = deployment.login("acme", "root");
  CHECK(sb::test::http_request(deployment.port(), "POST", "/v1/tenants/acme/stats/live", "{}",
                               bearer(root))
            .status == 405);
  CHECK(stats(deployment, "acme", root, "nothing").status == 404);
}

TEST_CASE("bad stats parameters are 422 naming the field", "[stats]") {
  Deployment deployment({acme_tenant()});
  const auto root = deployment.login("acme", "root");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"live?tz=Mars/Olympus", "tz"},
      {"live?minutes=0", "minutes"},
      {"live?minutes=61", "minutes"},
      {"live?minutes=ten", "minutes"},
      {"live?since=1", "since"},
      {"report?to=2026-01-01", "from"},
      {"report?from=2026-01-01", "to"},
      {"report?from=2026-02-30&to=2026-03-01", "from"},
      {"report?from=2026-1-1&to=2026-03-01", "from"},
      {"report?from=2026-01-01&to=yesterday", "to"},
      {"report?from=2026-03-01&to=2026-02-01", "to"},
      {"report?from=2026-01-01&to=2026-12-31", "to"},
      {"report?from=2026-01-01&to=2026-01-02&tz=", "tz"},
      {"report?from=2026-01-01&to=2026-01-02&format=xlsx", "format"},
      {"report?from=2026-01-01&to=2026-01-02&agent=alice", "agent"},
  };
  for (const auto& [query, field] : cases) {
    INFO(query);
    auto r = stats(deployment, "acme", root, query);
    CHECK(r.status == 422);
    CHECK(str(obj(r.json().as_object(), "error"), "field") == field);
  }
  // 92 days is the longest range.
  CHECK(stats(deployment, "acme", root, "report?from=2026-01-01&to=2026-04-02").status == 200);
  CHECK(stats(deployment, "acme", root, "report?from=2026-01-01&to=2026-04-03").status == 422);
}
