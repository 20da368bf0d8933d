// What an operator needs to trust the install with people's data:
//  - `switchboard backup DIR` asks the running server for a consistent copy while
//    chat goes on; `switchboard restore DIR` brings it back into a fresh data dir,
//    and a server started there has every message acknowledged before the backup
//    began (and the install secret: earlier tokens stay valid);
//  - an admin exports one visitor's data as JSON and erases it: afterwards nothing
//    of the visitor is in history, search, files or an export, another visitor's
//    data is untouched, and agents and other tenants are refused; both recorded in
//    the audit log;
//  - the scheduled retention run of a running server deletes a conversation closed
//    longer ago than the tenant's period, from history and search, keeps an open one
//    and one closed recently, and records retention.applied in the audit log.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

// Every message of a conversation on the server at port, oldest first.
json::array history_on(uint16_t port, const std::string& conversation_id,
                       const std::string& token) {
  json::array all;
  uint64_t before = 0;
  for (;;) {
    std::string path = "/v1/tenants/acme/conversations/" + conversation_id + "/messages?limit=200";
    if (before) path += "&before_seq=" + std::to_string(before);
    auto page = http_get(port, path, bearer(token));
    INFO(page.body);
    REQUIRE(page.status == 200);
    const json::value body = page.json();
    const auto& messages = body.at("messages").as_array();
    json::array merged(messages.begin(), messages.end());
    for (const auto& m : all) merged.push_back(m);
    all = std::move(merged);
    if (messages.size() < 200) return all;
    before = static_cast<uint64_t>(messages.front().at("seq").to_number<int64_t>());
  }
}

std::vector<std::string> audit_actions(Deployment& d, const std::string& token) {
  auto r = http_get(d.port(), "/v1/tenants/acme/audit", bearer(token));
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  const json::value body = r.json();
  for (const auto& e : body.at("entries").as_array()) out.emplace_back(e.at("action").as_string());
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Moves a conversation's times back in the storage-sqlite file of a stopped server:
// created (and last updated) at created_ms, and, when closed_ms is set, closed then.
void backdate_conversation(const std::filesystem::path& db_file, const std::string& id,
                           int64_t created_ms, std::optional<int64_t> closed_ms) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  const char* sql =
      "UPDATE conversations SET created_ms = ?2, updated_ms = ?2, "
      "doc = json_set(doc, '$.created_at', ?2, '$.updated_at', ?2) WHERE id = ?1";
  const char* closed_sql =
      "UPDATE conversations SET doc = json_set(doc, '$.closed_at', ?2) WHERE id = ?1";
  auto run = [&](const char* statement, int64_t value) {
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, statement, -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    sqlite3_bind_text(raw, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(raw, 2, value);
    INFO(sqlite3_errmsg(db));
    REQUIRE(sqlite3_step(raw) == SQLITE_DONE);
    REQUIRE(sqlite3_changes(db) == 1);
  };
  run(sql, created_ms);
  if (closed_ms) run(closed_sql, *closed_ms);
}

// The conversation ids of the tenant's search hits for q.
std::vector<std::string> search_hits(uint16_t port, const std::string& q,
                                     const std::string& token) {
  auto found = http_get(port, "/v1/tenants/acme/search?q=" + q, bearer(token));
  INFO(found.body);
  REQUIRE(found.status == 200);
  std::vector<std::string> out;
  const json::value body = found.json();
  for (const auto& hit : body.at("hits").as_array())
    out.emplace_back(hit.at("conversation_id").as_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE(
    "backup under a steady chat load, restore into a fresh data dir, every acked message is "
    "there",
    "[data]") {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 10000;
  Deployment deployment({tenant});
  const auto& options = deployment.server().options();
  const std::string root_token = deployment.login("acme", "root");
  auto visitor = deployment.connect_visitor("acme");
  const std::string conversation_id = str(visitor.send_message("message 1"), "conversation_id");
  int64_t acked = 1;
  auto chat = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ++acked;
      auto ack = visitor.send_message("message " + std::to_string(acked));
      REQUIRE(num(ack, "seq") == acked);
    }
  };
  chat(100);

  // The backup runs while the visitor keeps writing.
  const auto backup_dir = deployment.root() / "backup";
  const int64_t acked_before_backup = acked;
  std::atomic<bool> finished{false};
  sb::test::ProcessResult backup;
  std::thread cli([&] {
    backup =
        sb::test::run_process({SWITCHBOARD_BINARY, "backup", backup_dir.string(), "--config",
                               options.config.string(), "--data-dir", options.data_dir.string()},
                              {}, std::chrono::seconds(60));
    finished = true;
  });
  while (!finished) chat(1);
  cli.join();
  INFO(backup.out << backup.err);
  REQUIRE(backup.exit_code == 0);
  chat(20);  // after the backup: not in it, and nothing breaks
  CHECK(std::filesystem::exists(backup_dir / "backup.json"));

  // A second backup into the same (now full) directory is refused, not merged.
  auto again =
      sb::test::run_process({SWITCHBOARD_BINARY, "backup", backup_dir.string(), "--config",
                             options.config.string(), "--data-dir", options.data_dir.string()});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("not empty") != std::string::npos);

  // Restore into fresh directories; restoring over a used data dir is refused.
  const auto fresh = deployment.root() / "restored-data";
  const auto fresh_tenants = deployment.root() / "restored-tenants";
  auto over =
      sb::test::run_process({SWITCHBOARD_BINARY, "restore", backup_dir.string(), "--config",
                             options.config.string(), "--data-dir", options.data_dir.string()});
  CHECK(over.exit_code == 1);
  auto restore = sb::test::run_process({SWITCHBOARD_BINARY, "restore", backup_dir.string(),
                                        "--config", options.config.string(), "--data-dir",
                                        fresh.string(), "--tenants-dir", fresh_tenants.string()});
  INFO(restore.out << restore.err);
  REQUIRE(restore.exit_code == 0);
  CHECK(std::filesystem::exists(fresh_tenants / "acme.toml"));

  auto restored_options = options;
  restored_options.data_dir = fresh;
  restored_options.tenants_dir = fresh_tenants;
  restored_options.log_dir = deployment.root() / "restored-logs";
  std::filesystem::create_directories(restored_options.log_dir);
  sb::test::ServerProcess restored(restored_options);
  restored.start();

  // The install secret came back: the token issued by the first server is valid.
  const auto history = history_on(restored.port(), conversation_id, root_token);
  REQUIRE(history.size() >= static_cast<size_t>(acked_before_backup));
  CHECK(history.size() <= static_cast<size_t>(acked));
  for (size_t i = 0; i < history.size(); ++i) {
    CHECK(history[i].at("seq").to_number<int64_t>() == static_cast<int64_t>(i + 1));
    CHECK(history[i].at("text").as_string() == "message " + std::to_string(i + 1));
  }
  CHECK(restored.stop() == 0);
}

TEST_CASE(
    "an admin exports and erases one visitor's data: nothing of it remains, nothing else "
    "goes",
    "[data]") {
  auto acme = acme_tenant();
  // A visitor writing again soon after a close would reopen the conversation: not
  // one that was erased.
  acme.extra_toml += "\n[attachments]\nenabled = true\n\n[conversation]\nreopen_window_s = 3600\n";
  Deployment deployment({acme, globex_tenant()});
  const auto port = deployment.port();
  const std::string root = deployment.login("acme", "root");
  const std::string alice_token = deployment.login("acme", "alice");
  const std::string globex_admin = deployment.login("globex", "groot");
  auto agent = deployment.connect_agent("acme", "alice");

  // Ada: a message, a file, an agent's answer; then the conversation is closed.
  auto ada =
      deployment.connect_visitor("acme", {{"name", "Ada Lovelace"}, {"email", "ada@example.test"}});
  const std::string ada_conversation =
      str(ada.send_message("my card ends in 4111 zebrafinch"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");
  auto file = http_request(port, "POST", "/v1/tenants/acme/attachments", "Ada's private notes",
                           {{"Authorization", "Bearer " + ada.visitor_token},
                            {"X-File-Name", "notes.txt"},
                            {"Content-Type", "application/octet-stream"}});
  INFO(file.body);
  REQUIRE(file.status == 201);
  const std::string file_id = std::string(file.json().at("id").as_string());
  ada.ws.send_json({{"type", "message"},
                    {"client_msg_id", "with-file"},
                    {"ref", "with-file"},
                    {"text", "here is the file"},
                    {"attachments", json::array{file_id}}});
  REQUIRE(str(reply_to(ada.ws, "with-file"), "type") == "ack");
  agent.send_message(ada_conversation, "thanks zebrafinch, noted");

  // Bob: another visitor, whose data must stay.
  auto bob = deployment.connect_visitor("acme", {{"name", "Bob"}});
  const std::string bob_conversation =
      str(bob.send_message("bob also mentions zebrafinch"), "conversation_id");

  const std::string data_path = "/v1/tenants/acme/visitors/" + ada.visitor_id + "/data";

  // Export: admins of this tenant only.
  CHECK(http_get(port, data_path).status == 401);
  CHECK(http_get(port, data_path, bearer(alice_token)).status == 403);
  CHECK(http_get(port, data_path, bearer(globex_admin)).status == 403);
  auto exported = http_get(port, data_path, bearer(root));
  INFO(exported.body);
  REQUIRE(exported.status == 200);
  const json::value export_body = exported.json();
  const auto& conversations = export_body.at("conversations").as_array();
  REQUIRE(conversations.size() == 1);
  const auto& only = conversations[0].as_object();
  CHECK(only.at("record").at("visitor_id").as_string() == ada.visitor_id);
  CHECK(only.at("record").at("visitor_name").as_string() == "Ada Lovelace");
  CHECK(only.at("messages").as_array().size() == 3);
  CHECK(exported.body.find("4111 zebrafinch") != std::string::npos);
  CHECK(exported.body.find("bob also") == std::string::npos);
  REQUIRE(only.at("files").as_array().size() == 1);
  const auto download = std::string(only.at("files").as_array()[0].at("download").as_string());
  CHECK(download == "/v1/tenants/acme/attachments/" + file_id);
  CHECK(http_get(port, download, bearer(root)).body == "Ada's private notes");

  // Erase: refused to agents and other tenants, and while the conversation is open.
  CHECK(http_request(port, "DELETE", data_path, {}, bearer(alice_token)).status == 403);
  CHECK(http_request(port, "DELETE", data_path, {}, bearer(globex_admin)).status == 403);
  auto open = http_request(port, "DELETE", data_path, {}, bearer(root));
  CHECK(open.status == 409);
  CHECK(http_get(port, data_path, bearer(root)).json().at("conversations").as_array().size() == 1);

  agent.ws.send_json({{"type", "close"}, {"conversation_id", ada_conversation}});
  agent.ws.next_of_type("conversation.closed");
  auto erased = http_request(port, "DELETE", data_path, {}, bearer(root));
  INFO(erased.body);
  REQUIRE(erased.status == 200);
  CHECK(erased.json().at("erased").at("conversations").to_number<int64_t>() == 1);
  CHECK(erased.json().at("erased").at("messages").to_number<int64_t>() == 3);
  CHECK(erased.json().at("erased").at("files").to_number<int64_t>() == 1);

  // Nothing of Ada: history, search, files, export, the conversation list.
  CHECK(history_on(port, ada_conversation, root).empty());
  auto found = http_get(port, "/v1/tenants/acme/search?q=zebrafinch", bearer(root));
  REQUIRE(found.status == 200);
  const json::value found_body = found.json();
  const auto& hits = found_body.at("hits").as_array();
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].at("conversation_id").as_string() == bob_conversation);
  CHECK(http_get(port, "/v1/tenants/acme/search?q=4111", bearer(root))
            .json()
            .at("hits")
            .as_array()
            .empty());
  CHECK(http_get(port, download, bearer(root)).status == 404);
  CHECK(http_get(port, data_path, bearer(root)).json().at("conversations").as_array().empty());
  auto listed = http_get(port, "/v1/tenants/acme/conversations?status=closed", bearer(root));
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find("Ada") == std::string::npos);
  CHECK(listed.body.find(ada.visitor_id) == std::string::npos);
  CHECK(listed.body.find("ada@example.test") == std::string::npos);

  // Bob untouched.
  const auto bob_history = history_on(port, bob_conversation, root);
  REQUIRE(bob_history.size() == 1);
  CHECK(bob_history[0].at("text").as_string() == "bob also mentions zebrafinch");

  // Both requests are in the audit log.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::vector<std::string> actions;
  do {
    actions = audit_actions(deployment, root);
    if (contains(actions, "visitor.erased")) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(contains(actions, "visitor.exported"));
  CHECK(contains(actions, "visitor.erased"));

  // Ada writing again starts afresh: nothing of the erased conversation comes back.
  auto back = deployment.connect_visitor("acme", {{"visitor_token", ada.visitor_token}});
  const std::string again = str(back.send_message("hello again"), "conversation_id");
  CHECK(again != ada_conversation);
}

TEST_CASE(
    "a visitor nobody is talking with (waiting in the queue) is erased at once: the "
    "conversation is closed first and the visitor told",
    "[data]") {
  Deployment deployment({acme_tenant()});
  const std::string root = deployment.login("acme", "root");
  // No agent online: the conversation waits in the queue, and would for ever.
  auto visitor = deployment.connect_visitor("acme");
  const std::string conversation =
      str(visitor.send_message("please forget me wombatfern"), "conversation_id");
  const std::string data_path = "/v1/tenants/acme/visitors/" + visitor.visitor_id + "/data";
  auto erase = http_request(deployment.port(), "DELETE", data_path, {}, bearer(root));
  INFO(erase.body);
  REQUIRE(erase.status == 200);
  CHECK(erase.json().at("erased").at("conversations").to_number<int64_t>() == 1);
  const auto closed = visitor.ws.next_of_type("conversation.closed");
  CHECK(str(closed, "conversation_id") == conversation);
  CHECK(str(closed, "by") == "system");
  CHECK(history_on(deployment.port(), conversation, root).empty());
}

TEST_CASE(
    "a storage plugin without the ABI 1.5 functions: erasure is 501, the backup says which "
    "tenant it could not copy",
    "[data]") {
  // The server's own plugins plus storage-sqlite behind a 1.3 descriptor.
  const PluginDirWith plugins(SB_TEST_STORAGE_WITHOUT_LOGS);
  auto acme = acme_tenant();
  acme.extra_toml = "[storage]\nplugin = \"storage-1.3\"\n";
  Deployment deployment({acme, globex_tenant()}, plugins.options());
  const std::string root = deployment.login("acme", "root");
  auto visitor = deployment.connect_visitor("acme");
  const std::string conversation = str(visitor.send_message("kept, for now"), "conversation_id");
  visitor.ws.send_json({{"type", "close"}, {"conversation_id", conversation}});
  visitor.ws.next_of_type("conversation.closed");

  const std::string data_path = "/v1/tenants/acme/visitors/" + visitor.visitor_id + "/data";
  CHECK(http_get(deployment.port(), data_path, bearer(root)).status == 200);
  auto erase = http_request(deployment.port(), "DELETE", data_path, {}, bearer(root));
  INFO(erase.body);
  CHECK(erase.status == 501);
  CHECK(erase.json().at("error").at("code") == "not_supported");
  CHECK(history_on(deployment.port(), conversation, root).size() == 1);

  const auto& server = deployment.server().options();
  const auto dir = deployment.root() / "backup";
  auto backup =
      sb::test::run_process({SWITCHBOARD_BINARY, "backup", dir.string(), "--config",
                             server.config.string(), "--data-dir", server.data_dir.string()});
  INFO(backup.out << backup.err);
  CHECK(backup.exit_code == 1);
  const auto answer = json::parse(backup.out).as_object();
  CHECK(answer.at("tenants").at("acme").at("not_supported") == true);
  CHECK(answer.at("tenants").at("globex").at("ok") == true);
}

TEST_CASE("an admin sets the retention periods: written to the tenant file, checked, audited",
          "[data]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto port = deployment.port();
  const std::string root = deployment.login("acme", "root");
  const std::string path = "/v1/tenants/acme/retention";
  CHECK(http_get(port, path, bearer(deployment.login("acme", "alice"))).status == 403);
  CHECK(http_get(port, path, bearer(deployment.login("globex", "groot"))).status == 403);
  auto before = http_get(port, path, bearer(root));
  REQUIRE(before.status == 200);
  CHECK(before.json().at("closed_conversations_days") == 0);
  CHECK(before.json().at("audit_days") == 0);

  auto bad = http_request(port, "PUT", path, R"({"closed_conversations_days":-1,"audit_days":0})",
                          bearer(root));
  INFO(bad.body);
  CHECK(bad.status == 422);
  CHECK(bad.json().at("error").at("field") == "closed_conversations_days");
  CHECK(http_request(port, "PUT", path, R"({"keep":true})", bearer(root)).status == 422);

  auto saved = http_request(port, "PUT", path,
                            R"({"closed_conversations_days":30,"audit_days":365})", bearer(root));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  auto after = http_get(port, path, bearer(root));
  CHECK(after.json().at("closed_conversations_days") == 30);
  CHECK(after.json().at("audit_days") == 365);
  std::ifstream file(deployment.tenants_dir() / "acme.toml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK(text.find("[retention]") != std::string::npos);
  CHECK(text.find("closed_conversations_days = 30") != std::string::npos);

  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::vector<std::string> actions;
  do {
    actions = audit_actions(deployment, root);
    if (contains(actions, "retention.saved")) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(contains(actions, "retention.saved"));
}

TEST_CASE(
    "the scheduled retention run deletes what was closed before the period, keeps the rest, "
    "audits it",
    "[data][retention]") {
  sb::test::TempDir scratch("switchboard-retention");
  DeploymentOptions options;
  // The retention job every 100 ms (its least).
  options.config = server_config_with(scratch.path(), "retention_interval_ms = 3600000\n",
                                      "retention_interval_ms = 100\n");
  auto acme = acme_tenant();
  // With the durable log on (the default): a clean stop leaves every write in the
  // SQLite file and no log, so nothing replayed at the next start writes over the
  // times moved back below.
  acme.extra_toml += "\n[retention]\nclosed_conversations_days = 30\n";
  Deployment deployment({acme}, options);
  std::string root = deployment.login("acme", "root");

  auto conversation_of = [&](const std::string& text, bool close) {
    auto visitor = deployment.connect_visitor("acme");
    const std::string id = str(visitor.send_message(text), "conversation_id");
    if (close) {
      visitor.ws.send_json({{"type", "close"}, {"conversation_id", id}});
      visitor.ws.next_of_type("conversation.closed");
    }
    return id;
  };
  const std::string old_closed = conversation_of("closed long ago wombatgrass", true);
  const std::string recently_closed = conversation_of("closed just now wombatgrass", true);
  const std::string still_open = conversation_of("open for ages wombatgrass", false);
  // Runs every 100 ms meanwhile delete nothing: all three are recent.
  std::vector<std::string> everything{old_closed, recently_closed, still_open};
  std::sort(everything.begin(), everything.end());
  REQUIRE(search_hits(deployment.port(), "wombatgrass", root) == everything);

  // The server stopped, all three
  // were created 40 days ago; one was closed 31 days ago, one an hour ago, one is
  // still open. The server then starts again on that data.
  REQUIRE(deployment.server().stop() == 0);
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto db_file = deployment.server().options().data_dir / "tenants" / "acme" /
                       "storage-sqlite" / "switchboard.db";
  REQUIRE(std::filesystem::exists(db_file));
  backdate_conversation(db_file, old_closed, now - 40 * kDay, now - 31 * kDay);
  backdate_conversation(db_file, recently_closed, now - 40 * kDay, now - 3600 * 1000);
  backdate_conversation(db_file, still_open, now - 40 * kDay, std::nullopt);
  deployment.server().start();
  root = deployment.login("acme", "root");

  // The first run after the start (within 100 ms) deletes the old closed one.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  json::array applied;
  do {
    auto r = http_get(deployment.port(), "/v1/tenants/acme/audit?action=retention.applied",
                      bearer(root));
    REQUIRE(r.status == 200);
    applied = r.json().at("entries").as_array();
    if (!applied.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  INFO(deployment.server().log());
  REQUIRE(applied.size() == 1);
  const auto& entry = applied[0].as_object();
  CHECK(entry.at("actor").at("role") == "system");
  CHECK(entry.at("detail").at("closed_days") == 30);
  CHECK(entry.at("detail").at("conversations") == 1);
  CHECK(entry.at("detail").at("messages") == 1);

  CHECK(http_get(deployment.port(), "/v1/tenants/acme/conversations/" + old_closed + "/messages",
                 bearer(root))
            .status == 404);
  std::vector<std::string> kept{recently_closed, still_open};
  std::sort(kept.begin(), kept.end());
  CHECK(search_hits(deployment.port(), "wombatgrass", root) == kept);
  CHECK(search_hits(deployment.port(), "ago", root).empty());
  CHECK(history_on(deployment.port(), recently_closed, root).size() == 1);
  CHECK(history_on(deployment.port(), still_open, root).size() == 1);
  auto listed =
      http_get(deployment.port(), "/v1/tenants/acme/conversations?status=closed", bearer(root));
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(old_closed) == std::string::npos);
  CHECK(listed.body.find(recently_closed) != std::string::npos);
}
