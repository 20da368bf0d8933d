// Transfers with fake storage and peers: to an agent, to a group (at once, later,
// manually routed) and an admin's move of a waiting conversation.
#include "engine_fixture.hpp"

using namespace sb::engine;
using namespace sb::engine::test;

TEST_CASE("a transfer to a group waits for a strategy that answers later") {
  Fixture f({member("ann", 5, "support"), member("bob", 5, "sales"), member("cara", 5, "sales")});
  auto later = std::make_shared<PendingRouter>();
  f.engine->set_routing_chain({later, f.router});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "I want to buy");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  auto bob = f.peer();
  auto cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();

  later->pend = true;
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t1");
  f.settle();
  REQUIRE(later->waiting.size() == 1);
  // Meanwhile it is ann's, and no second transfer races the first.
  f.say(vis, visitor_id("v1"), "m2", "still there?");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t2");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "", "t3");
  f.settle();
  CHECK(ann->of_type("message").size() == 1);
  CHECK(ann->of_type("conversation.transferred").empty());
  REQUIRE(ann->of_type("error").size() == 2);
  CHECK(str(ann->of_type("error")[0].at("code")) == "forbidden");
  CHECK(str(ann->of_type("error")[1].at("ref")) == "t3");
  CHECK(later->waiting.size() == 1);

  SECTION("the answer moves it") {
    later->answer("cara");
    f.settle();
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "cara");
    CHECK(cara->of_type("conversation.assigned").size() == 1);
    CHECK(bob->of_type("conversation.assigned").empty());
  }
  SECTION("a defer asks the next strategy") {
    later->answer(std::nullopt);
    f.settle();
    CHECK(bob->of_type("conversation.assigned").size() == 1);  // least-loaded, then id
    CHECK(cara->of_type("conversation.assigned").empty());
  }
  SECTION("an agent outside the group is not obeyed, and nobody free is unavailable") {
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    f.engine->set_status(cara, agent_id("cara"), AgentStatus::away);
    f.settle();
    later->answer("ann");
    f.settle();
    REQUIRE(ann->of_type("error").size() == 3);
    CHECK(str(ann->of_type("error")[2].at("code")) == "unavailable");
    CHECK(str(ann->of_type("error")[2].at("ref")) == "t1");
    CHECK(ann->of_type("conversation.transferred").empty());
  }
  SECTION("an asker who left hears nothing, and keeps the conversation") {
    auto ann_tab = f.peer();
    f.engine->agent_connect(ann_tab, agent_id("ann"));  // still online through this tab
    f.engine->disconnect(ann, agent_id("ann"));
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    f.engine->set_status(cara, agent_id("cara"), AgentStatus::away);
    f.settle();
    later->answer(std::nullopt);
    f.settle();
    CHECK(ann->of_type("error").size() == 2);
    CHECK(ann_tab->of_type("error").empty());
    f.say(vis, visitor_id("v1"), "m3", "hello?");
    f.settle();
    CHECK(ann_tab->of_type("message").size() == 1);
  }
  SECTION("a close makes the answer a no-op") {
    f.engine->close_conversation(ann, agent_id("ann"), cid, "c1");
    f.settle();
    later->answer("cara");
    f.settle();
    CHECK(cara->of_type("conversation.assigned").empty());
    CHECK(ann->of_type("error").size() == 2);
  }
}

TEST_CASE("a transfer to a group goes to a free member at once, or stays put") {
  Fixture f({member("ann", 5, "support"), member("bob", 5, "sales"), member("cara", 5, "sales")});
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "I want to buy");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);

  // Nobody from sales is online: the conversation stays with ann.
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t1");
  f.settle();
  REQUIRE(ann->of_type("error").size() == 1);
  CHECK(str(ann->of_type("error")[0].at("code")) == "unavailable");
  CHECK(ann->of_type("conversation.transferred").empty());

  auto bob = f.peer();
  auto cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "sales", "t2");
  f.settle();
  CHECK(ann->of_type("conversation.transferred").size() == 1);
  const auto to_bob = bob->of_type("conversation.assigned").size();
  const auto to_cara = cara->of_type("conversation.assigned").size();
  CHECK(to_bob + to_cara == 1);
  CHECK(vis->of_type("conversation.assigned").size() == 2);
  // The frame names the group (the console's header shows it at once); the first
  // assignment, to any agent, named none.
  const auto taken = (to_bob ? bob : cara)->of_type("conversation.assigned").at(0);
  CHECK(str(taken.at("conversation").at("group")) == "sales");
  CHECK(!ann->of_type("conversation.assigned")[0].at("conversation").as_object().contains("group"));
  // Both fields, or neither, is a bad request.
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "sales", "t3");
  f.settle();
  CHECK(str(ann->of_type("error").back().at("code")) == "forbidden");  // no longer ann's
}

TEST_CASE("a transfer to a group that routes manually is offered while its agent keeps it") {
  using std::chrono::milliseconds;
  Fixture f({member("ann", 5, "support"), member("bob", 5, "billing"), member("cara", 5, "billing"),
             member("dan", 5, "billing")});
  EnginePolicy policy;
  policy.agent_offline_grace = std::chrono::seconds(0);
  policy.transfer_offer = std::chrono::seconds(1);
  f.engine->set_policy(policy);
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "a question about my invoice");
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  f.engine->set_routing_chain({std::make_shared<OfferingRouter>()});
  auto bob = f.peer(), cara = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->agent_connect(cara, agent_id("cara"));
  f.settle();

  // The offer arms a timer: from here on the test runs the strand for a while at a time.
  const auto step = milliseconds(50);
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t1");
  f.run_for(step);
  for (const auto& p : {bob, cara}) {
    REQUIRE(p->of_type("conversation.offered").size() == 1);
    const auto offered = p->of_type("conversation.offered")[0];
    CHECK(str(offered.at("conversation").at("id")) == cid);
    CHECK(str(offered.at("transfer").at("group")) == "billing");
    CHECK(str(offered.at("transfer").at("from").at("id")) == "ann");
    CHECK(str(offered.at("transfer").at("from").at("name")) == "Agent ann");
    CHECK(p->of_type("conversation.assigned").empty());
  }
  CHECK(ann->of_type("conversation.offered").empty());
  CHECK(ann->of_type("error").empty());
  CHECK(ann->of_type("conversation.transferred").empty());
  // ann keeps it: the visitor still reaches her, and a second group transfer is refused.
  f.say(vis, visitor_id("v1"), "m2", "still there?");
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t2");
  f.engine->accept_conversation(ann, agent_id("ann"), cid, "own");
  f.run_for(step);
  CHECK(ann->of_type("message").size() == 1);
  REQUIRE(ann->of_type("error").size() == 2);
  for (const auto& e : ann->of_type("error")) CHECK(str(e.at("code")) == "forbidden");
  CHECK(str(ann->of_type("error")[1].at("message")) == "you already have this conversation");

  SECTION("the first accept takes it with its history, the others hear it was taken") {
    f.engine->accept_conversation(cara, agent_id("cara"), cid, "c");
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "b");
    f.run_for(step);
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "cara");
    REQUIRE(cara->of_type("conversation.assigned").size() == 1);
    CHECK(cara->of_type("conversation.assigned")[0].at("history").as_array().size() == 2);
    CHECK(cara->of_type("conversation.offer_withdrawn").empty());
    CHECK(bob->of_type("conversation.assigned").empty());
    REQUIRE(bob->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(bob->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
    REQUIRE(bob->of_type("error").size() == 1);
    CHECK(str(bob->of_type("error")[0].at("message")) ==
          "this conversation was already taken by another agent");
    CHECK(str(vis->of_type("conversation.assigned").back().at("agent").at("id")) == "cara");
    f.say(vis, visitor_id("v1"), "m3", "thanks");
    f.run_for(milliseconds(1200));  // past the offer's limit: nothing more happens
    CHECK(cara->of_type("message").size() == 1);
    CHECK(ann->of_type("message").size() == 1);
    CHECK(ann->of_type("error").size() == 2);
    CHECK(bob->of_type("conversation.offer_withdrawn").size() == 1);
  }
  SECTION("a transfer to one agent (hers, or an admin's) replaces the offer") {
    f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "", "t3");
    f.run_for(step);
    REQUIRE(ann->of_type("conversation.transferred").size() == 1);
    CHECK(str(ann->of_type("conversation.transferred")[0].at("to_agent")) == "bob");
    CHECK(bob->of_type("conversation.assigned").size() == 1);
    CHECK(bob->of_type("conversation.offer_withdrawn").empty());
    REQUIRE(cara->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(cara->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
    f.run_for(milliseconds(1200));  // past the old offer's limit: nobody hears of it
    CHECK(ann->of_type("error").size() == 2);
    CHECK(cara->of_type("conversation.offer_withdrawn").size() == 1);
  }
  SECTION("offers follow the group's agents") {
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
    auto dan = f.peer();
    f.engine->agent_connect(dan, agent_id("dan"));
    auto cara_tab = f.peer();
    f.engine->agent_connect(cara_tab, agent_id("cara"));
    f.run_for(step);
    REQUIRE(bob->of_type("conversation.offer_withdrawn").size() == 1);
    CHECK(str(bob->of_type("conversation.offer_withdrawn")[0].at("reason")) == "unavailable");
    CHECK(dan->of_type("conversation.offered").size() == 1);
    CHECK(cara_tab->of_type("conversation.offered").size() == 1);
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "away");
    f.engine->set_status(bob, agent_id("bob"), AgentStatus::online);
    f.run_for(step);
    CHECK(str(bob->of_type("error")[0].at("code")) == "forbidden");
    CHECK(bob->of_type("conversation.offered").size() == 2);
    f.engine->accept_conversation(dan, agent_id("dan"), cid, "d");
    f.run_for(step);
    CHECK(dan->of_type("conversation.assigned").size() == 1);
    CHECK(str(cara_tab->of_type("conversation.offer_withdrawn")[0].at("reason")) == "taken");
  }
  SECTION("a close withdraws it from everyone and gives it to no one") {
    f.engine->close_conversation(ann, agent_id("ann"), cid, "close");
    f.run_for(step);
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "closed");
    }
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "late");
    f.run_for(milliseconds(1200));
    CHECK(str(bob->of_type("error")[0].at("code")) == "not_found");
    CHECK(bob->of_type("conversation.assigned").empty());
    CHECK(ann->of_type("error").size() == 2);  // no "unavailable" for a closed one
  }
  SECTION("its agent losing it withdraws the transfer; it is routed like any requeued chat") {
    f.engine->disconnect(ann, agent_id("ann"));
    f.run_for(step);
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "requeued");
      // Offered again, now from the queue: no transfer, nobody to take it from.
      REQUIRE(p->of_type("conversation.offered").size() == 2);
      CHECK_FALSE(p->of_type("conversation.offered")[1].contains("transfer"));
    }
  }
  SECTION("unaccepted in time: withdrawn, and the agent who asked keeps it and is told") {
    f.run_for(milliseconds(1100));
    for (const auto& p : {bob, cara}) {
      REQUIRE(p->of_type("conversation.offer_withdrawn").size() == 1);
      CHECK(str(p->of_type("conversation.offer_withdrawn")[0].at("reason")) == "expired");
    }
    REQUIRE(ann->of_type("error").size() == 3);
    CHECK(str(ann->of_type("error")[2].at("code")) == "unavailable");
    CHECK(str(ann->of_type("error")[2].at("ref")) == "t1");
    f.engine->accept_conversation(bob, agent_id("bob"), cid, "late");
    f.say(vis, visitor_id("v1"), "m3", "hello?");
    f.run_for(step);
    CHECK(str(bob->of_type("error")[0].at("code")) == "forbidden");
    CHECK(ann->of_type("message").size() == 2);
    // Asked again, offered again.
    f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t4");
    f.run_for(step);
    CHECK(bob->of_type("conversation.offered").size() == 2);
  }
}

TEST_CASE("a transfer to a group that routes manually, with nobody free there, stays put at once") {
  Fixture f({member("ann", 5, "support"), member("bob", 1, "billing")});
  auto ann = f.peer(), bob = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  auto vis = f.peer();
  const auto cid = f.visitor_opens(vis, "hello");
  f.engine->agent_connect(bob, agent_id("bob"));
  f.engine->set_status(bob, agent_id("bob"), AgentStatus::away);
  f.engine->set_routing_chain({std::make_shared<OfferingRouter>()});
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t1");
  f.settle();  // no offer, so no timer: this returns at once
  REQUIRE(ann->of_type("error").size() == 1);
  CHECK(str(ann->of_type("error")[0].at("code")) == "unavailable");
  CHECK(str(ann->of_type("error")[0].at("ref")) == "t1");
  CHECK(bob->of_type("conversation.offered").empty());
  // Nothing stands in the way of the next try.
  f.engine->set_status(bob, agent_id("bob"), AgentStatus::online);
  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "", "billing", "t2");
  f.run_for(std::chrono::milliseconds(50));
  CHECK(bob->of_type("conversation.offered").size() == 1);
  CHECK(ann->of_type("error").size() == 1);
}

TEST_CASE("an admin moves a waiting conversation to another group's queue") {
  auto root = agent("root", 5);
  root.role = "admin";
  Fixture f({root, member("ann", 5, "support"), member("bob", 5, "billing")});
  const Identity admin{Role::agent, "root", "", "admin"};
  auto desk = f.peer();
  f.engine->agent_connect(desk, admin);
  f.engine->set_status(desk, admin, AgentStatus::away);  // sorting the queue, taking no chats
  auto first = f.peer(), vis = f.peer();
  f.engine->visitor_hello(first, visitor_id("v0"), "tok", {});
  f.say(first, visitor_id("v0"), "m0", "hello");
  const auto cid = f.visitor_opens(vis, "a question about my invoice");
  REQUIRE(vis->of_type("conversation.queued").size() == 1);
  CHECK(vis->of_type("conversation.queued")[0].at("position") == 2);

  // Nobody in billing is online: it waits for billing now, first there.
  f.engine->transfer_conversation(desk, admin, cid, "", "billing", "t1");
  f.settle();
  CHECK(desk->of_type("error").empty());
  CHECK(str(f.store->conversations.at(cid).at("group")) == "billing");
  CHECK(vis->of_type("conversation.queued").back().at("position") == 1);

  // support's agent gets the other visitor only; billing's gets this one.
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  CHECK(str(ann->of_type("conversation.assigned")[0].at("conversation").at("id")) != cid);
  auto bob = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.settle();
  REQUIRE(bob->of_type("conversation.assigned").size() == 1);
  CHECK(str(bob->of_type("conversation.assigned")[0].at("conversation").at("id")) == cid);
}

TEST_CASE("an admin hands a waiting conversation to an agent: it came from the admin, note kept") {
  auto root = agent("root", 5);
  root.role = "admin";
  Fixture f({root, member("ann", 5, "support")});
  const Identity admin{Role::agent, "root", "", "admin"};
  auto desk = f.peer(), vis = f.peer();
  f.engine->agent_connect(desk, admin);
  f.engine->set_status(desk, admin, AgentStatus::away);
  const auto cid = f.visitor_opens(vis, "where is my refund?");
  f.engine->transfer_conversation(desk, admin, cid, "", "billing", "t1");  // nobody there
  auto ann = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").empty());

  f.engine->transfer_conversation(desk, admin, cid, "ann", "", "t2", "VIP: refund approved");
  f.settle();
  REQUIRE(ann->of_type("conversation.assigned").size() == 1);
  const auto assigned = ann->of_type("conversation.assigned")[0];
  const auto& transfer = assigned.at("transfer");
  CHECK(str(transfer.at("from").at("id")) == "root");  // nobody had it: from the admin
  CHECK(transfer.as_object().if_contains("by") == nullptr);
  CHECK(str(transfer.at("note")) == "VIP: refund approved");
  // Stored with the conversation, as sent.
  CHECK(f.store->conversations.at(cid).at("transfer") == transfer);
}

TEST_CASE("the bus's conversation.transferred carries the note, and who asked when not its agent") {
  auto root = agent("root", 5);
  root.role = "admin";
  Fixture f({root, member("ann", 5, "support"), member("bob", 5, "support")});
  std::vector<boost::json::object> events;
  f.engine->with_bus([&](sb::bus::EventBus& bus) {
    bus.subscribe([&](const sb::bus::Event& e) {
      if (e.type == sb::bus::event::kConversationTransferred)
        events.push_back(boost::json::parse(e.payload_json).as_object());
    });
  });
  auto ann = f.peer(), vis = f.peer();
  f.engine->agent_connect(ann, agent_id("ann"));
  const auto cid = f.visitor_opens(vis, "my parcel is late");
  auto bob = f.peer();
  f.engine->agent_connect(bob, agent_id("bob"));
  f.settle();

  f.engine->transfer_conversation(ann, agent_id("ann"), cid, "bob", "", "t1",
                                  "wants a refund\nchecked order 123");
  f.settle();
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("from") == "ann");
  CHECK(events[0].at("to") == "bob");
  CHECK(events[0].at("note") == "wants a refund\nchecked order 123");
  CHECK(events[0].if_contains("by") == nullptr);  // its own agent asked

  // An admin moves it back, without a note.
  const Identity admin{Role::agent, "root", "", "admin"};
  auto desk = f.peer();
  f.engine->agent_connect(desk, admin);
  f.engine->set_status(desk, admin, AgentStatus::away);
  f.engine->transfer_conversation(desk, admin, cid, "ann", "", "t2");
  f.settle();
  REQUIRE(events.size() == 2);
  CHECK(events[1].at("from") == "bob");
  CHECK(events[1].at("by") == "root");
  CHECK(events[1].if_contains("note") == nullptr);
}
