// An ack is a promise: whatever was acknowledged survives kill -9. And a clean
// stop leaves everything in the database, nothing for the next start to replay.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

// Pipelines n messages ("message 1".."message n", client_msg_id prefix-i), then
// reads their n acks: the storage backend sees real batching. Every one must be
// acknowledged in the one conversation; its id.
std::string burst_of_messages(VisitorSession& visitor, const std::string& prefix, int n) {
  for (int i = 1; i <= n; ++i) {
    const auto id = prefix + "-" + std::to_string(i);
    visitor.ws.send_json({{"type", "message"},
                          {"client_msg_id", id},
                          {"text", "message " + std::to_string(i)},
                          {"ref", id}});
  }
  std::string conversation_id;
  for (int i = 1; i <= n; ++i) {
    auto reply = reply_to(visitor.ws, prefix + "-" + std::to_string(i), 10s);
    INFO("reply to message " << i << ": " << sb::test::describe(reply));
    REQUIRE(str(reply, "type") == "ack");
    if (conversation_id.empty()) conversation_id = str(reply, "conversation_id");
    CHECK(str(reply, "conversation_id") == conversation_id);
    // Messages from one connection are sequenced in the order they were sent.
    CHECK(num(reply, "seq") == i);
  }
  return conversation_id;
}

}  // namespace

TEST_CASE("every acknowledged message survives kill -9 and a restart on the same data dir",
          "[durability]") {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;  // the burst below is not abuse here
  Deployment deployment({tenant});
  auto visitor = deployment.connect_visitor("acme");

  const int n = 200;
  const std::string conversation_id = burst_of_messages(visitor, "durable", n);

  deployment.server().kill_hard();
  deployment.server().start();

  auto history = deployment.full_history("acme", conversation_id, deployment.login("acme", "root"));
  REQUIRE(history.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& message = history[i].as_object();
    CHECK(num(message, "seq") == i + 1);
    CHECK(str(message, "text") == "message " + std::to_string(i + 1));
  }

  // The visitor resumes the same conversation after the crash and it continues at N+1.
  auto back = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  CHECK(back.visitor_id == visitor.visitor_id);
  CHECK(str(back.welcome, "conversation_id") == conversation_id);
  auto ack = back.send_message("after the crash");
  CHECK(num(ack, "seq") == n + 1);
  // A resend of an acknowledged message is recognised across the restart too.
  auto resent = back.send_message("message 7", "durable-7");
  CHECK(num(resent, "seq") == 7);
}

TEST_CASE("a graceful restart keeps conversations and history", "[durability]") {
  Deployment deployment({acme_tenant()});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("before restart"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");
  agent.send_message(conversation_id, "noted");

  CHECK(deployment.server().stop() == 0);
  deployment.server().start();

  auto history =
      deployment.full_history("acme", conversation_id, deployment.login("acme", "alice"));
  REQUIRE(history.size() == 2);
  CHECK(str(history[0].as_object(), "text") == "before restart");
  CHECK(str(history[1].as_object(), "text") == "noted");
}

TEST_CASE(
    "a clean stop leaves storage-sqlite's durable log empty and every acknowledged message in "
    "the database",
    "[durability]") {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;  // the burst below is not abuse here
  // The applier waits a minute: until the stop, what was acknowledged is in the
  // durable log alone, and only the stop can put it into the database.
  tenant.extra_toml += "\n[plugins.storage-sqlite]\ndurable_log_apply_ms = 60000\n";
  Deployment deployment({tenant});
  auto visitor = deployment.connect_visitor("acme");
  const int n = 20;
  const std::string conversation_id = burst_of_messages(visitor, "clean", n);

  REQUIRE(deployment.server().stop() == 0);
  const auto dir = deployment.server().options().data_dir / "tenants" / "acme" / "storage-sqlite";
  std::vector<std::string> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("-dlog-") != std::string::npos)
      logs.push_back(name + " (" + std::to_string(entry.file_size()) + " bytes)");
  }
  INFO(deployment.server().log());
  CHECK(logs == std::vector<std::string>{});

  // Read from the file itself, as nothing replays a log here.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((dir / "switchboard.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  sqlite3_stmt* raw = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT seq, text FROM messages WHERE conversation_id = ?1 "
                             "ORDER BY seq",
                             -1, &raw, nullptr) == SQLITE_OK);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  sqlite3_bind_text(raw, 1, conversation_id.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> stored;
  while (sqlite3_step(raw) == SQLITE_ROW)
    stored.push_back(std::to_string(sqlite3_column_int64(raw, 0)) + ": " +
                     reinterpret_cast<const char*>(sqlite3_column_text(raw, 1)));
  std::vector<std::string> acked;
  for (int i = 1; i <= n; ++i)
    acked.push_back(std::to_string(i) + ": message " + std::to_string(i));
  CHECK(stored == acked);
}

TEST_CASE("a close both sides were told of survives kill -9 right after", "[durability]") {
  auto tenant = acme_tenant();
  tenant.agents[0].max_concurrent = 8;
  Deployment deployment({tenant});
  auto agent = deployment.connect_agent("acme", "alice");
  std::vector<VisitorSession> visitors;
  std::set<std::string> conversation_ids;
  for (int i = 0; i < 8; ++i) {
    visitors.push_back(deployment.connect_visitor("acme"));
    conversation_ids.insert(
        str(visitors.back().send_message("hello " + std::to_string(i)), "conversation_id"));
    agent.ws.next_of_type("conversation.assigned");
  }
  for (const auto& id : conversation_ids)
    agent.ws.send_json({{"type", "close"}, {"conversation_id", id}});
  for (std::size_t i = 0; i < conversation_ids.size(); ++i)
    agent.ws.next_of_type("conversation.closed");
  // The agent has seen every close: the crash comes at the worst moment.
  deployment.server().kill_hard();
  deployment.server().start();

  const auto root = deployment.login("acme", "root");
  auto listed = sb::test::http_get(deployment.port(),
                                   "/v1/tenants/acme/conversations?status=closed&limit=100",
                                   sb::test::bearer(root));
  REQUIRE(listed.status == 200);
  const auto body = listed.json();
  std::set<std::string> closed;
  for (const auto& c : body.at("conversations").as_array()) closed.insert(str(c.as_object(), "id"));
  CHECK(closed == conversation_ids);
  // Back in their tabs, the visitors find no open conversation.
  for (auto& visitor : visitors) {
    auto back = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
    CHECK(back.welcome.at("conversation_id").is_null());
  }
}

// Search indexes messages a moment after their ack (storage-sqlite indexes in bulk):
// a crash inside that moment loses none of them for search, now or later.
TEST_CASE("every acknowledged message is found by search after kill -9", "[durability]") {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;
  Deployment deployment({tenant});
  auto visitor = deployment.connect_visitor("acme");
  const int n = 150;
  for (int i = 1; i <= n; ++i) {
    const auto id = "found-" + std::to_string(i);
    visitor.ws.send_json({{"type", "message"},
                          {"client_msg_id", id},
                          {"text", "kiwifruit order " + std::to_string(i)},
                          {"ref", id}});
  }
  for (int i = 1; i <= n; ++i)
    REQUIRE(str(reply_to(visitor.ws, "found-" + std::to_string(i), 10s), "type") == "ack");
  // At once: the last acks' messages are stored, and most likely not indexed yet.
  deployment.server().kill_hard();
  deployment.server().start();

  const auto root = deployment.login("acme", "root");
  const auto found_texts = [&] {
    std::set<std::string> texts;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
      auto response = sb::test::http_get(deployment.port(),
                                         "/v1/tenants/acme/search?q=kiwifruit&limit=100" +
                                             (cursor.empty() ? std::string() : "&cursor=" + cursor),
                                         sb::test::bearer(root));
      INFO(response.body);
      REQUIRE(response.status == 200);
      const auto body = response.json().as_object();
      for (const auto& hit : arr(body, "hits")) texts.insert(str(hit.as_object(), "text"));
      if (!body.contains("next_cursor")) break;
      cursor = str(body, "next_cursor");
    }
    return texts;
  };
  std::set<std::string> expected;
  for (int i = 1; i <= n; ++i) expected.insert("kiwifruit order " + std::to_string(i));
  CHECK(found_texts() == expected);
  // Once the restarted writer has indexed what the crash left (at its first chance),
  // the same answer, each message once.
  std::this_thread::sleep_for(500ms);
  CHECK(found_texts() == expected);
}

namespace {

// alice and a visitor chat (seq 1: the visitor, 2: alice) and each reads what the
// other wrote; then each writes once more and waits for the ack, which comes only
// once everything the tenant's storage was given before it is durable: the read
// marks too (one write queue per tenant).
struct ReadBothWays {
  std::string conversation_id;
  int64_t alice_read = 1;
  int64_t visitor_read = 2;
};
ReadBothWays read_both_ways(AgentSession& alice, VisitorSession& visitor) {
  ReadBothWays marks;
  marks.conversation_id = str(visitor.send_message("hello"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");
  REQUIRE(num(alice.send_message(marks.conversation_id, "hi, how can I help?"), "seq") == 2);
  visitor.ws.send_json(
      {{"type", "read"}, {"conversation_id", marks.conversation_id}, {"seq", marks.visitor_read}});
  CHECK(num(alice.ws.next_of_type("read"), "seq") == marks.visitor_read);
  alice.ws.send_json(
      {{"type", "read"}, {"conversation_id", marks.conversation_id}, {"seq", marks.alice_read}});
  CHECK(num(visitor.ws.next_of_type("read"), "seq") == marks.alice_read);
  visitor.send_message("still there?");
  alice.send_message(marks.conversation_id, "yes");
  return marks;
}

}  // namespace

TEST_CASE("read marks survive kill -9: the reloaded widget and console hear them on join",
          "[durability]") {
  Deployment deployment({acme_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const ReadBothWays marks = read_both_ways(alice, visitor);

  deployment.server().kill_hard();
  deployment.server().start();

  // The widget, reloaded: right after its welcome, how far alice had read.
  auto back = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  REQUIRE(str(back.welcome, "conversation_id") == marks.conversation_id);
  const auto heard = back.ws.next_of_type("read");
  CHECK(str(heard, "conversation_id") == marks.conversation_id);
  CHECK(num(heard, "seq") == marks.alice_read);
  CHECK(str(obj(heard, "from"), "role") == "agent");
  CHECK(str(obj(heard, "from"), "id") == "alice");
  // The console, reloaded: how far the visitor had read.
  auto console = deployment.connect_agent("acme", "alice");
  const auto seen = console.ws.next_of_type("read");
  CHECK(str(seen, "conversation_id") == marks.conversation_id);
  CHECK(num(seen, "seq") == marks.visitor_read);
  CHECK(str(obj(seen, "from"), "role") == "visitor");

  // They only move forward from there: a receipt below the stored mark is not relayed.
  console.ws.send_json(
      {{"type", "read"}, {"conversation_id", marks.conversation_id}, {"seq", marks.alice_read}});
  back.ws.expect_no_frame_of_type("read", 500ms);
  console.ws.send_json({{"type", "read"}, {"conversation_id", marks.conversation_id}, {"seq", 3}});
  CHECK(num(back.ws.next_of_type("read"), "seq") == 3);
}

TEST_CASE("a storage plugin older than ABI 1.10 restarts without read marks, and chats on",
          "[durability]") {
  // The server's own plugins plus storage-sqlite behind a 1.9 descriptor.
  const PluginDirWith plugins(SB_TEST_STORAGE_1_9);
  auto acme = acme_tenant();
  acme.extra_toml = "[storage]\nplugin = \"storage-1.9\"\n";
  Deployment deployment({acme}, plugins.options());
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const ReadBothWays marks = read_both_ways(alice, visitor);

  CHECK(deployment.server().stop() == 0);
  deployment.server().start();

  // No marks to hear (the plugin cannot give them back), but nothing else is lost.
  auto back = deployment.connect_visitor("acme", {{"visitor_token", visitor.visitor_token}});
  REQUIRE(str(back.welcome, "conversation_id") == marks.conversation_id);
  auto console = deployment.connect_agent("acme", "alice");
  back.ws.expect_no_frame_of_type("read", 500ms);
  console.ws.expect_no_frame_of_type("read", 1ms);
  CHECK(num(back.send_message("after the restart"), "seq") == 5);
  console.ws.send_json({{"type", "read"}, {"conversation_id", marks.conversation_id}, {"seq", 5}});
  CHECK(num(back.ws.next_of_type("read"), "seq") == 5);
}
