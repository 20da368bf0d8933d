// Tenant files are edited while the server runs: good edits apply within a few
// seconds, broken ones are refused and the last good config stays live.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

// Sends a message of `bytes` characters on a fresh visitor connection; returns the
// ack or the error that answered it.
json::object probe(Deployment& deployment, size_t bytes) {
  auto visitor = deployment.connect_visitor("acme");
  const auto id = next_client_msg_id();
  visitor.ws.send_json(
      {{"type", "message"}, {"client_msg_id", id}, {"text", std::string(bytes, 'r')}, {"ref", id}});
  return reply_to(visitor.ws, id);
}

bool is_too_large(const json::object& reply) {
  return str(reply, "type") == "error" && str(reply, "code") == "too_large";
}

}  // namespace

TEST_CASE("lowering max_message_bytes applies within 3 s, a broken edit keeps the last good config",
          "[reload]") {
  auto tenant = acme_tenant();
  tenant.max_message_bytes = 4096;
  Deployment deployment({tenant});

  auto before = probe(deployment, 2000);
  INFO("2000-byte message before the edit: " << sb::test::describe(before));
  REQUIRE(str(before, "type") == "ack");

  tenant.max_message_bytes = 1024;
  deployment.write_tenant(tenant);
  const auto edited_at = std::chrono::steady_clock::now();
  json::object reply;
  do {
    std::this_thread::sleep_for(250ms);
    reply = probe(deployment, 2000);
  } while (!is_too_large(reply) && std::chrono::steady_clock::now() - edited_at < 3s);
  INFO("2000-byte message 3 s after lowering the limit to 1024: " << sb::test::describe(reply));
  CHECK(is_too_large(reply));

  // A broken edit: invalid TOML. The server reports it and keeps the 1024 limit.
  deployment.write_tenant_text("acme", "name = \"Acme\"\n[limits\nmax_message_bytes = = 99999\n");
  std::this_thread::sleep_for(2500ms);
  REQUIRE(deployment.server().running());
  auto still_limited = probe(deployment, 2000);
  INFO("after the broken edit: " << sb::test::describe(still_limited));
  CHECK(is_too_large(still_limited));
  auto still_chatting = probe(deployment, 200);
  CHECK(str(still_chatting, "type") == "ack");
  // Agents of the last good config can still log in.
  CHECK_NOTHROW(deployment.login("acme", "alice"));
}

TEST_CASE("a tenant file added while the server runs is served within 3 s", "[reload]") {
  Deployment deployment({acme_tenant()});
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=globex") ==
        404);
  deployment.write_tenant(globex_tenant());
  const auto added_at = std::chrono::steady_clock::now();
  int status = 0;
  while ((status = sb::test::WsClient::upgrade_status(deployment.port(),
                                                      "/v1/ws/visitor?tenant=globex")) != 101 &&
         std::chrono::steady_clock::now() - added_at < 3s)
    std::this_thread::sleep_for(200ms);
  REQUIRE(status == 101);
  auto bob = deployment.connect_agent("globex", "bob");
  auto visitor = deployment.connect_visitor("globex");
  visitor.send_message("new tenant, who dis");
  CHECK(str(obj(bob.ws.next_of_type("conversation.assigned"), "conversation"), "assignee") ==
        "bob");
}

// The log line of a refused tenant file said "the last good config stays live" also
// for a file that never loaded (a new tenant, or any at start-up), where nothing is
// live: an operator reading it thought the new tenant was being served.
TEST_CASE("a refused tenant file's log line says whether a good config stays live", "[reload]") {
  Deployment deployment({acme_tenant()});
  deployment.write_tenant_text("initech", "name = \"Initech\"\n[limits\n");
  deployment.write_tenant_text("acme", "name = \"Acme\"\n[limits\n");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto line_of = [&](const std::string& file) {
    const auto log = deployment.server().log();
    const auto at = log.find("tenant config: " + (deployment.tenants_dir() / file).string());
    return at == std::string::npos ? std::string() : log.substr(at, log.find('\n', at) - at);
  };
  while ((line_of("initech.toml").empty() || line_of("acme.toml").empty()) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  INFO("server log:\n" << deployment.server().log());
  CHECK_THAT(line_of("initech.toml"), Catch::EndsWith("(not served until the file loads; nothing "
                                                      "else changes)"));
  CHECK_THAT(line_of("acme.toml"), Catch::EndsWith("(the last good config stays live)"));
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=initech") ==
        404);
}
