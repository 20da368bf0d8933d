// A visitor coming back soon after a close continues the same conversation; agents
// tag conversations and find them again by tag, group, assignee and time.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

TenantSpec reopening_tenant(int window_s) {
  auto tenant = acme_tenant();
  tenant.agents.push_back({"carol", "Carol", "agent", 2, {"billing"}});
  tenant.extra_toml = "\n[conversation]\nreopen_window_s = " + std::to_string(window_s) + "\n";
  return tenant;
}

std::string assigned_id(AgentSession& agent) {
  return str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "id");
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> ids_of(const sb::test::HttpResponse& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  const auto body = r.json();
  for (const auto& c : body.at("conversations").as_array())
    out.emplace_back(c.at("id").as_string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("reopen within the window: same conversation, seq goes on, the last agent first",
          "[chat][reopen]") {
  Deployment deployment({reopening_tenant(600)});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto c1 = str(visitor.send_message("hi"), "conversation_id");
  CHECK(assigned_id(alice) == c1);
  alice.send_message(c1, "hello, how can I help?");
  alice.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  visitor.ws.next_of_type("conversation.closed");

  // alice takes another chat, then carol comes online with nothing: least-busy
  // would pick carol, but alice had the conversation and has room.
  auto other = deployment.connect_visitor("acme");
  const auto c2 = str(other.send_message("other chat"), "conversation_id");
  CHECK(assigned_id(alice) == c2);
  auto carol = deployment.connect_agent("acme", "carol");

  auto again = visitor.send_message("one more thing");
  CHECK(str(again, "conversation_id") == c1);
  CHECK(num(again, "seq") == 3);
  auto back = alice.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(back, "conversation"), "id") == c1);
  CHECK(arr(back, "history").size() == 3);
  CHECK(str(obj(visitor.ws.next_of_type("conversation.assigned"), "agent"), "id") == "alice");
  carol.ws.expect_no_frame_of_type("conversation.assigned", 300ms);

  // alice closes it again and fills up with another chat: the reopen goes to carol.
  alice.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  visitor.ws.next_of_type("conversation.closed");
  carol.ws.send_json({{"type", "status"}, {"status", "away"}});
  carol.ws.next_of_type("status");
  auto busy = deployment.connect_visitor("acme");
  busy.send_message("keeping alice busy");
  assigned_id(alice);
  carol.ws.send_json({{"type", "status"}, {"status", "online"}});
  carol.ws.next_of_type("status");
  auto third = visitor.send_message("and another");
  CHECK(str(third, "conversation_id") == c1);
  CHECK(num(third, "seq") == 4);
  CHECK(assigned_id(carol) == c1);

  // The window survives a restart: closed before it, reopened after it. (A graceful
  // stop: a close is not acknowledged the way a message is, so kill -9 right after
  // it may lose it, and the conversation would simply still be open.)
  carol.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  visitor.ws.next_of_type("conversation.closed");
  CHECK(deployment.server().stop() == 0);
  deployment.server().start();
  auto carol_again = deployment.connect_agent("acme", "carol");
  auto returning = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  CHECK(is_null_or_absent(returning.welcome, "conversation_id"));
  auto after_restart = returning.send_message("back after the restart");
  CHECK(str(after_restart, "conversation_id") == c1);
  CHECK(num(after_restart, "seq") == 5);
  auto reassigned = carol_again.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(reassigned, "conversation"), "id") == c1);
  CHECK(arr(reassigned, "history").size() == 5);
}

TEST_CASE("past the reopen window, or without one, a new conversation opens", "[chat][reopen]") {
  const int window_s = GENERATE(0, 1);
  Deployment deployment({reopening_tenant(window_s)});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto c1 = str(visitor.send_message("hi"), "conversation_id");
  assigned_id(alice);
  alice.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  visitor.ws.next_of_type("conversation.closed");
  if (window_s > 0) std::this_thread::sleep_for(std::chrono::milliseconds(window_s * 1000 + 300));
  auto later = visitor.send_message("hello again");
  CHECK(str(later, "conversation_id") != c1);
  CHECK(num(later, "seq") == 1);
}

TEST_CASE("tags: set by agents over the socket and REST, kept, and filtered on with the rest",
          "[chat][tags]") {
  Deployment deployment({reopening_tenant(0)});
  const auto admin = deployment.login("acme", "root");
  auto alice = deployment.connect_agent("acme", "alice");
  auto carol = deployment.connect_agent("acme", "carol");
  auto v1 = deployment.connect_visitor("acme");
  const auto c1 = str(v1.send_message("refund please"), "conversation_id");
  auto v2 = deployment.connect_visitor("acme");
  const auto c2 = str(v2.send_message("invoice question"), "conversation_id");
  CHECK(assigned_id(alice) == c1);  // least-busy: equals, then by id
  CHECK(assigned_id(carol) == c2);
  std::this_thread::sleep_for(20ms);
  const int64_t before_c3 = now_ms();
  std::this_thread::sleep_for(20ms);
  auto v3 = deployment.connect_visitor("acme");
  const auto c3 = str(v3.send_message("third"), "conversation_id");
  CHECK(assigned_id(alice) == c3);

  // Over the socket: the tags come back sorted, each once.
  alice.ws.send_json({{"type", "tag"},
                      {"conversation_id", c1},
                      {"add", json::array{"vip", "refund", "vip"}},
                      {"ref", "tag-1"}});
  auto tags = alice.ws.next_of_type("conversation.tags");
  CHECK(str(tags, "conversation_id") == c1);
  CHECK(arr(tags, "tags") == json::array{"refund", "vip"});
  CHECK(str(tags, "by") == "alice");
  alice.ws.send_json(
      {{"type", "tag"}, {"conversation_id", c1}, {"add", json::array{5}}, {"ref", "bad-tag"}});
  CHECK(str(reply_to(alice.ws, "bad-tag"), "code") == "bad_field");
  alice.ws.send_json(
      {{"type", "tag"}, {"conversation_id", c1}, {"add", json::array{""}}, {"ref", "empty-tag"}});
  CHECK(str(reply_to(alice.ws, "empty-tag"), "code") == "bad_field");
  // A sentence with a line break is text, not a label.
  alice.ws.send_json({{"type", "tag"},
                      {"conversation_id", c1},
                      {"add", json::array{"customer wants a refund\nand is angry"}},
                      {"ref", "text-tag"}});
  CHECK(str(reply_to(alice.ws, "text-tag"), "code") == "bad_field");

  // Over REST, by another agent: the conversation's agent sees the change.
  const auto path = "/v1/tenants/acme/conversations/";
  const auto carol_token = deployment.login("acme", "carol");
  auto patched = http_request(deployment.port(), "PATCH", path + c2, R"({"add":["vip"]})",
                              bearer(carol_token));
  INFO(patched.body);
  CHECK(patched.status == 200);
  CHECK(patched.json().at("tags") == json::array{"vip"});
  CHECK(arr(carol.ws.next_of_type("conversation.tags"), "tags") == json::array{"vip"});
  CHECK(http_request(deployment.port(), "PATCH", path + c2, R"({"tags":"vip"})", bearer(admin))
            .status == 422);
  CHECK(http_request(deployment.port(), "PATCH", path + c2, R"({"color":"red"})", bearer(admin))
            .status == 422);
  const auto unknown_conversation = http_request(
      deployment.port(), "PATCH", path + std::string("c_nope"), R"({"add":["x"]})", bearer(admin));
  CHECK(unknown_conversation.status == 404);
  CHECK(unknown_conversation.json().at("error").at("code") == "not_found");
  // More tags than a conversation keeps: refused by the engine, named by its field code.
  json::array many;
  for (int i = 0; i < 40; ++i) many.emplace_back("t" + std::to_string(i));
  const auto too_many = http_request(deployment.port(), "PATCH", path + c2,
                                     json::serialize(json::object{{"add", many}}), bearer(admin));
  CHECK(too_many.status == 422);
  CHECK(too_many.json().at("error").at("code") == "bad_field");

  // Closed conversations can still be tagged (the wrap-up).
  alice.ws.send_json({{"type", "close"}, {"conversation_id", c1}});
  alice.ws.next_of_type("conversation.closed");
  auto wrap_up = http_request(deployment.port(), "PATCH", path + c1, R"({"remove":["refund"]})",
                              bearer(admin));
  INFO(wrap_up.body);
  CHECK(wrap_up.status == 200);
  CHECK(wrap_up.json().at("tags") == json::array{"vip"});

  // Transferred to the billing group: it carries the group.
  alice.ws.send_json({{"type", "transfer"}, {"conversation_id", c3}, {"to_group", "billing"}});
  CHECK(assigned_id(carol) == c3);

  const auto list = [&](const std::string& query) {
    return ids_of(
        http_get(deployment.port(), "/v1/tenants/acme/conversations?" + query, bearer(admin)));
  };
  CHECK(list("tag=vip") == sorted({c1, c2}));
  CHECK(list("tag=vip&status=closed") == std::vector<std::string>{c1});
  CHECK(list("tag=refund").empty());
  CHECK(list("group=billing") == std::vector<std::string>{c3});
  CHECK(list("assignee=carol") == sorted({c2, c3}));
  CHECK(list("since=" + std::to_string(before_c3)) == std::vector<std::string>{c3});
  CHECK(list("until=" + std::to_string(before_c3)) == sorted({c1, c2}));
  CHECK(list("since=" + std::to_string(before_c3) + "&tag=vip").empty());
  // The list shows each conversation's tags.
  auto listed = http_get(deployment.port(), "/v1/tenants/acme/conversations?tag=vip&status=closed",
                         bearer(admin));
  const auto listed_body = listed.json();
  const auto& closed_ones = listed_body.at("conversations").as_array();
  REQUIRE(closed_ones.size() == 1);
  CHECK(closed_ones[0].at("tags") == json::array{"vip"});
  auto unknown =
      http_get(deployment.port(), "/v1/tenants/acme/conversations?colour=red", bearer(admin));
  CHECK(unknown.status == 422);
  CHECK(http_get(deployment.port(), "/v1/tenants/acme/conversations?since=yesterday", bearer(admin))
            .status == 422);
}

TEST_CASE("wrap-up tags sent at once to a closed conversation are all kept", "[tags]") {
  Deployment deployment({acme_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto id = str(visitor.send_message("thanks, that was all"), "conversation_id");
  CHECK(assigned_id(alice) == id);
  alice.ws.send_json({{"type", "close"}, {"conversation_id", id}});
  alice.ws.next_of_type("conversation.closed");

  // Several agents (or tabs) tag the finished chat in the same instant.
  const auto admin = deployment.login("acme", "root");
  const auto path = "/v1/tenants/acme/conversations/" + id;
  std::vector<std::string> wanted;
  std::vector<std::thread> taggers;
  std::vector<int> statuses(8);
  for (int i = 0; i < 8; ++i) {
    wanted.push_back("wrap-" + std::to_string(i));
    taggers.emplace_back([&, i] {
      statuses[i] = http_request(deployment.port(), "PATCH", path,
                                 R"({"add":["wrap-)" + std::to_string(i) + R"("]})", bearer(admin))
                        .status;
    });
  }
  for (auto& t : taggers) t.join();
  for (int status : statuses) CHECK(status == 200);

  auto listed =
      http_get(deployment.port(), "/v1/tenants/acme/conversations?status=closed", bearer(admin));
  const auto body = listed.json();
  REQUIRE(body.at("conversations").as_array().size() == 1);
  json::array expected;
  for (const auto& tag : wanted) expected.emplace_back(tag);
  CHECK(body.at("conversations").as_array()[0].at("tags") == expected);
}
