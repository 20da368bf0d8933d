// The demo tenant on storage-postgres: the repository's tenants/ with demo.toml's
// storage switched to PostgreSQL (a private cluster this test starts), served by the
// real server. A visitor and the demo agent chat; after a server restart the history
// and a resumed visitor's replay come from PostgreSQL.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "harness/deployment.hpp"
#include "support/postgres_server.hpp"

using namespace sb::it;
namespace fs = std::filesystem;

namespace {

// demo.toml as the repository has it, but kept in PostgreSQL.
void switch_demo_to_postgres(const fs::path& tenants_dir, const std::string& connection) {
  std::string toml = sb::test::read_file(tenants_dir / "demo.toml");
  const std::string plugin_line = "plugin = \"storage-sqlite\"";
  const std::string table = "[plugins.storage-sqlite]";
  REQUIRE(toml.find(plugin_line) != std::string::npos);
  REQUIRE(toml.find(table) != std::string::npos);
  toml.replace(toml.find(plugin_line), plugin_line.size(), "plugin = \"storage-postgres\"");
  toml.replace(
      toml.find(table), table.size(),
      "[plugins.storage-postgres]\nconnection = \"" + connection + "\"\nnode_id = \"it-node\"");
  sb::test::write_file_atomically(tenants_dir / "demo.toml", toml);
}

}  // namespace

TEST_CASE(
    "the demo on storage-postgres: visitor and agent chat, history and replay survive a "
    "server restart",
    "[postgres]") {
  sb::test::PostgresServer postgres;
  Deployment deployment{{}, DeploymentOptions{.start = false}};
  fs::copy(fs::path(SWITCHBOARD_SOURCE_DIR) / "tenants", deployment.tenants_dir(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  switch_demo_to_postgres(deployment.tenants_dir(), postgres.connection());
  deployment.server().start();

  auto login = deployment.login_raw("demo", "agent@demo.local", "demo-agent");
  REQUIRE(login.status == 200);
  const std::string token = str(login.json().as_object(), "token");
  auto agent = deployment.connect_agent_with_token("demo", "dana", token);
  auto visitor = deployment.connect_visitor("demo", {{"name", "Ada"}});
  const auto first = visitor.send_message("Hi, where is my order SB-10001?");
  const std::string cid = str(first, "conversation_id");
  CHECK(num(first, "seq") == 1);
  CHECK(str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "id") == cid);
  visitor.ws.next_of_type("conversation.assigned");
  CHECK(num(agent.send_message(cid, "Let me look: it shipped yesterday."), "seq") == 2);
  const auto live = message_from(visitor.ws, "agent", 5000ms);
  CHECK(str(live, "text") == "Let me look: it shipped yesterday.");

  // The rows are in PostgreSQL, under the tenant's id (the superuser sees past the
  // policies), and the demo tenant's data directory holds no SQLite file.
  CHECK(postgres.psql("SELECT count(*) FROM messages WHERE tenant_id = 'demo'") == "2\n");
  for (const auto& entry : fs::recursive_directory_iterator(deployment.root())) {
    INFO(entry.path());
    if (entry.path().string().find("/demo/") != std::string::npos)
      CHECK(entry.path().extension() != ".db");
  }

  const std::string visitor_token = visitor.visitor_token;
  visitor.ws.close();
  agent.ws.close();
  CHECK(deployment.server().stop() == 0);
  deployment.server().start();

  // The history an agent opens, from PostgreSQL after the restart.
  const auto relogin = deployment.login_raw("demo", "agent@demo.local", "demo-agent");
  REQUIRE(relogin.status == 200);
  auto history = deployment.full_history("demo", cid, str(relogin.json().as_object(), "token"));
  REQUIRE(history.size() == 2);
  CHECK(str(history[0].as_object(), "text") == "Hi, where is my order SB-10001?");
  CHECK(str(history[1].as_object(), "text") == "Let me look: it shipped yesterday.");

  // The visitor comes back having seen only seq 1: the agent's reply is replayed,
  // and the conversation goes on at seq 3.
  auto back = deployment.connect_visitor(
      "demo", {{"visitor_token", visitor_token}, {"last_seq", json::object{{cid, 1}}}});
  CHECK(str(back.welcome, "conversation_id") == cid);
  const auto replayed = back.ws.next_of_type("message");
  CHECK(num(replayed, "seq") == 2);
  CHECK(str(replayed, "text") == "Let me look: it shipped yesterday.");
  CHECK(num(back.send_message("Great, thanks!"), "seq") == 3);
  CHECK(postgres.psql("SELECT count(*) FROM messages WHERE tenant_id = 'demo'") == "3\n");
}
