// Per-group queues with the real server: the routing graph sends "invoice" chats to
// billing and "order" chats to sales; each visitor's position counts only their
// group's queue, comes with an estimated wait and follows the queue as it moves;
// the groups' max_queue_length and max_wait_s tell the visitor and keep or close the
// conversation; a restart keeps each queued conversation's group, chain and place.
#include <catch2/catch.hpp>
#include <sstream>

#include "harness/deployment.hpp"

using namespace sb::it;

namespace {

// ann serves billing, bob sales (one chat at a time each); root administers.
// billing_toml: keys for [groups.billing]; billing_chain: its rule's chain, if any.
TenantSpec shop(const std::string& billing_toml, const std::string& sales_toml = {},
                const std::string& billing_chain = {}) {
  TenantSpec tenant;
  tenant.id = "shop";
  tenant.name = "Shop";
  tenant.agents = {{"ann", "Ann", "agent", 1, {"billing"}},
                   {"bob", "Bob", "agent", 1, {"sales"}},
                   {"root", "Admin", "admin", 1, {}}};
  tenant.extra_toml = "[groups.billing]\n" + billing_toml + "\n[groups.sales]\n" + sales_toml +
                      R"(
[[routing.rules]]
id = "billing"
conditions = [ { type = "keywords", words = ["invoice"] } ]
actions = [ { type = "route", group = "billing")" +
                      (billing_chain.empty() ? "" : ", chain = [\"" + billing_chain + "\"]") +
                      R"( } ]

[[routing.rules]]
id = "sales"
conditions = [ { type = "keywords", words = ["order"] } ]
actions = [ { type = "route", group = "sales" } ]
)";
  return tenant;
}

struct Waiting {
  VisitorSession session;
  std::string conversation_id;
  json::object queued;  // the first conversation.queued it got
};

Waiting waits(Deployment& d, const std::string& text) {
  auto visitor = d.connect_visitor("shop");
  const std::string id = str(visitor.send_message(text), "conversation_id");
  auto queued = visitor.ws.next_of_type("conversation.queued");
  CHECK(str(queued, "conversation_id") == id);
  return Waiting{std::move(visitor), id, queued};
}

json::object system_message(VisitorSession& v) {
  return message_from(v.ws, "system");
}

json::object queued_at(VisitorSession& v, int64_t position) {
  return v.ws.next_where(
      [&](const json::object& f) {
        return str(f, "type") == "conversation.queued" && num(f, "position") == position;
      },
      "conversation.queued at position " + std::to_string(position));
}

double group_queue_metric(Deployment& d, const std::string& sample) {
  const std::string text = sb::test::http_get(d.port(), "/metrics").body;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  FAIL("no sample " << sample << " in /metrics");
  return -1;
}

const std::string kBillingFull =
    R"(switchboard_queue_limit_reached_total{tenant="shop",limit="max_queue_length"})";
const std::string kWaitedTooLong =
    R"(switchboard_queue_limit_reached_total{tenant="shop",limit="max_wait_s"})";

}  // namespace

TEST_CASE("each group has its own queue: positions and estimated waits follow it",
          "[routing][queue][groups]") {
  Deployment deployment({shop("")});
  auto b1 = waits(deployment, "my invoice is wrong");
  auto s1 = waits(deployment, "where is my order?");
  auto b2 = waits(deployment, "invoice question");
  auto b3 = waits(deployment, "another invoice");
  auto d1 = waits(deployment, "hello");  // no rule: the tenant's default queue

  CHECK(num(b1.queued, "position") == 1);
  CHECK(num(s1.queued, "position") == 1);
  CHECK(num(b2.queued, "position") == 2);
  CHECK(num(b3.queued, "position") == 3);
  CHECK(num(d1.queued, "position") == 1);
  // Nobody is online: no estimate, said plainly.
  CHECK(b1.queued.at("eta_s").is_null());
  CHECK(b3.queued.at("nobody_online") == true);

  // Someone ahead leaves: billing moves up; sales hears nothing.
  b2.session.ws.send_json({{"type", "close"}, {"conversation_id", b2.conversation_id}});
  b2.session.ws.next_of_type("conversation.closed");
  auto moved = queued_at(b3.session, 2);
  CHECK(moved.at("eta_s").is_null());

  // ann takes the first: the last billing visitor is next, with an estimate from the
  // pace just seen (one taken just now: about a minute).
  auto ann = deployment.connect_agent("shop", "ann");
  CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        b1.conversation_id);
  auto next = queued_at(b3.session, 1);
  CHECK(num(next, "eta_s") >= 60);
  CHECK(num(next, "eta_s") <= 62);
  s1.session.ws.expect_no_frame_of_type("conversation.queued", 300ms);
  d1.session.ws.expect_no_frame_of_type("conversation.queued", 0ms);

  // bob takes sales' only visitor; the default queue's visitor still waits (both
  // agents are in a group and full).
  auto bob = deployment.connect_agent("shop", "bob");
  CHECK(str(obj(bob.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        s1.conversation_id);
  d1.session.ws.expect_no_frame_of_type("conversation.assigned", 300ms);
}

TEST_CASE("a standing queue's estimate is sent again as it grows, with no queue event",
          "[routing][queue][groups]") {
  Deployment deployment({shop("")});
  auto b1 = waits(deployment, "invoice 1");
  auto b2 = waits(deployment, "invoice 2");
  auto ann = deployment.connect_agent("shop", "ann");  // takes b1: billing has a pace
  CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        b1.conversation_id);
  auto next = queued_at(b2.session, 1);
  const auto told = std::chrono::steady_clock::now();
  CHECK(num(next, "eta_s") <= 62);

  // Nothing moves, but the gap measured up to now grows: the server's refresh (every
  // 15 s) finds it grown by more than 10 s and a fifth of a minute.
  auto refreshed = b2.session.ws.next_of_type("conversation.queued", 20s);
  const auto after = std::chrono::steady_clock::now() - told;
  CHECK(num(refreshed, "position") == 1);
  CHECK(num(refreshed, "eta_s") >= 72);
  CHECK(num(refreshed, "eta_s") <= 78);
  CHECK(after >= 12s);
  CHECK(after <= 18s);
}

TEST_CASE("a full group queue with offline_message: told, still queued, served in turn",
          "[routing][queue][groups]") {
  Deployment deployment(
      {shop("max_queue_length = 1\nqueue_limit_message = \"Billing is busy.\"\n")});
  auto b1 = waits(deployment, "invoice 1");
  auto b2 = waits(deployment, "invoice 2");
  auto s1 = waits(deployment, "order 1");  // sales has no limit
  CHECK(num(b2.queued, "position") == 2);
  CHECK(str(system_message(b2.session), "text") == "Billing is busy.");
  b1.session.ws.expect_no_frame_of_type("message", 0ms);
  s1.session.ws.expect_no_frame_of_type("message", 200ms);
  CHECK(group_queue_metric(deployment, kBillingFull) == 1);

  // The visitor leaves a message; ann gets it all once the first is done.
  b2.session.send_message("my account number is 42");
  auto ann = deployment.connect_agent("shop", "ann");
  CHECK(str(obj(ann.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        b1.conversation_id);
  ann.ws.send_json({{"type", "close"}, {"conversation_id", b1.conversation_id}});
  auto assigned = ann.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == b2.conversation_id);
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() == 3);
  CHECK(str(history[1].as_object(), "text") == "Billing is busy.");
  CHECK(str(history[2].as_object(), "text") == "my account number is 42");
}

TEST_CASE("a full group queue with message_and_close: the message, then the close",
          "[routing][queue][groups]") {
  Deployment deployment(
      {shop("max_queue_length = 1\non_queue_limit = \"message_and_close\"\n"
            "queue_limit_message = \"Billing is busy, please write to billing@shop.example.\"\n")});
  auto b1 = waits(deployment, "invoice 1");
  auto b2 = waits(deployment, "invoice 2");
  auto told = b2.session.ws.next_frame();
  CHECK(str(told, "type") == "message");
  CHECK(str(told, "text") == "Billing is busy, please write to billing@shop.example.");
  auto closed = b2.session.ws.next_frame();
  CHECK(str(closed, "type") == "conversation.closed");
  CHECK(str(closed, "conversation_id") == b2.conversation_id);
  CHECK(str(closed, "by") == "system");
  // Closed for good: writing again opens a new conversation.
  CHECK(str(b2.session.send_message("hello?"), "conversation_id") != b2.conversation_id);
  b1.session.ws.expect_no_frame_of_type("conversation.closed", 200ms);
  CHECK(group_queue_metric(deployment, kBillingFull) == 1);
}

TEST_CASE("past max_wait_s the visitor is told, closed or kept as the group says",
          "[routing][queue][groups]") {
  Deployment deployment(
      {shop("max_wait_s = 1\non_queue_limit = \"message_and_close\"\n", "max_wait_s = 2\n")});
  auto b1 = waits(deployment, "invoice");
  auto s1 = waits(deployment, "order");
  const auto start = std::chrono::steady_clock::now();

  CHECK_FALSE(str(system_message(b1.session), "text").empty());
  auto closed = b1.session.ws.next_of_type("conversation.closed");
  CHECK(str(closed, "by") == "system");
  CHECK(std::chrono::steady_clock::now() - start < 3s);

  // sales keeps its visitor after telling them (once); bob gets the conversation.
  CHECK_FALSE(str(system_message(s1.session), "text").empty());
  CHECK(std::chrono::steady_clock::now() - start >= 1s);
  s1.session.ws.expect_no_frame_of_type("conversation.closed", 1500ms);
  s1.session.ws.expect_no_frame_of_type("message", 0ms);
  CHECK(group_queue_metric(deployment, kWaitedTooLong) == 2);
  auto bob = deployment.connect_agent("shop", "bob");
  CHECK(str(obj(bob.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        s1.conversation_id);
}

TEST_CASE("kill -9 mid-queue: each conversation keeps its group, its rule's chain and its place",
          "[routing][queue][groups][durability]") {
  // billing's rule routes with routing-manual: its chats are offered, not pushed.
  Deployment deployment({shop("", "", "routing-manual")});
  std::vector<Waiting> billing;
  for (int i = 0; i < 2; ++i) billing.push_back(waits(deployment, "invoice " + std::to_string(i)));
  auto d1 = waits(deployment, "hello");
  // Stored in order: an ack after the records were written means they are durable.
  for (auto* w : {&billing[0], &billing[1], &d1}) w->session.send_message("still here");

  deployment.server().kill_hard();
  deployment.server().start();

  auto back =
      deployment.connect_visitor("shop", {{"visitor_token", billing[1].session.visitor_token}});
  CHECK(str(back.welcome, "conversation_id") == billing[1].conversation_id);
  auto queued = back.ws.next_of_type("conversation.queued");
  CHECK(num(queued, "position") == 2);        // second in billing, not third of all
  CHECK(queued.at("nobody_online") == true);  // nobody has connected since the restart

  // bob is in sales, not billing: of the three he may only take the default queue's.
  auto bob = deployment.connect_agent("shop", "bob");
  CHECK(str(obj(bob.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        d1.conversation_id);
  // ann is offered billing's two (the rule's chain survived), oldest first.
  auto ann = deployment.connect_agent("shop", "ann");
  CHECK(str(obj(ann.ws.next_of_type("conversation.offered"), "conversation"), "id") ==
        billing[0].conversation_id);
  CHECK(str(obj(ann.ws.next_of_type("conversation.offered"), "conversation"), "id") ==
        billing[1].conversation_id);
  ann.ws.expect_no_frame_of_type("conversation.assigned", 300ms);
  ann.ws.send_json({{"type", "accept"}, {"conversation_id", billing[1].conversation_id}});
  auto assigned = ann.ws.next_of_type("conversation.assigned");
  CHECK(str(obj(assigned, "conversation"), "id") == billing[1].conversation_id);
  CHECK(arr(assigned, "history").size() == 2);
  CHECK(str(obj(back.ws.next_of_type("conversation.assigned"), "agent"), "id") == "ann");
}
