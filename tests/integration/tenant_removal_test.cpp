// A tenant file deleted while the server runs: the tenant stops being served at
// once and cleanly (what was acknowledged is stored, its sockets are closed with
// 1012 and a reason, new connections and REST calls get the unknown tenant's 404),
// and the file put back serves it again with all its history.
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/polling.hpp"

using namespace sb::it;

namespace {

// Reads what arrives until the server closes the connection or `timeout` passes.
bool closed_within(sb::test::WsClient& ws, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (ws.is_open() && std::chrono::steady_clock::now() < until) ws.collect(100ms);
  return !ws.is_open();
}

// Polls the visitor upgrade of the tenant until it answers `status`.
bool upgrade_answers(uint16_t port, const std::string& tenant, int status,
                     std::chrono::milliseconds timeout) {
  return sb::test::eventually(
      [&] {
        return sb::test::WsClient::upgrade_status(port, "/v1/ws/visitor?tenant=" + tenant) ==
               status;
      },
      timeout);
}

}  // namespace

TEST_CASE(
    "a tenant file removed while clients chat: they are closed with 1012, new clients get 404, "
    "the file put back serves the tenant again with its history",
    "[reload][removal]") {
  Deployment deployment({acme_tenant()});
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const std::string visitor_token = visitor.visitor_token;
  const auto conversation = str(visitor.send_message("before the removal"), "conversation_id");
  alice.ws.next_of_type("conversation.assigned");
  alice.send_message(conversation, "an answer before the removal");

  std::filesystem::remove(deployment.tenants_dir() / "acme.toml");
  // The visitor keeps writing until it is closed: whatever was acknowledged must be
  // in the history once the tenant is back.
  std::set<std::string> acked;
  const auto removed_at = std::chrono::steady_clock::now();
  while (visitor.ws.is_open() && std::chrono::steady_clock::now() - removed_at < 5s) {
    const auto id = next_client_msg_id();
    try {
      visitor.ws.send_json({{"type", "message"},
                            {"client_msg_id", id},
                            {"text", "sent while the file goes " + id},
                            {"ref", id}});
      if (str(reply_to(visitor.ws, id, 1000ms), "type") == "ack") acked.insert(id);
    } catch (const std::exception&) {
      break;  // closed (or no answer): the client would resend it after reconnecting
    }
    std::this_thread::sleep_for(50ms);
  }

  // Both clients are told: the code the widget and the console reconnect on.
  INFO("visitor acks after the removal: " << acked.size());
  REQUIRE(closed_within(visitor.ws, 4s));
  REQUIRE(closed_within(alice.ws, 2s));
  CHECK(visitor.ws.close_code() == std::optional<uint16_t>(1012));
  CHECK(alice.ws.close_code() == std::optional<uint16_t>(1012));
  CHECK_THAT(visitor.ws.close_reason(), Catch::Contains("no longer served"));
  CHECK_THAT(alice.ws.close_reason(), Catch::Contains("no longer served"));
  // And new ones, the console's sign-in and the REST API hear of no such tenant.
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=acme") == 404);
  CHECK(deployment.login_raw("acme", deployment.tenant("acme").email_of("alice"), kAgentPassword)
            .status == 404);
  CHECK(deployment.history("acme", conversation, alice.token).status == 404);
  // The server says what it did, one line per step, the storage closed last.
  CHECK(sb::test::eventually(
      [&] {
        return deployment.server().log().find("tenant acme: its storage is closed") !=
               std::string::npos;
      },
      5s));
  const auto log = deployment.server().log();
  CHECK_THAT(log, Catch::Contains("tenant acme: its file is gone; it is no longer served"));
  CHECK_THAT(log, Catch::Contains("tenant acme: its connections are closed"));
  // Its engine stopped before its storage was fenced and closed: none of its timers
  // (offers, answer deadlines, queue waits) fires into the storage afterwards.
  const auto engine_stopped = log.find("tenant acme: engine stopped");
  CHECK(engine_stopped != std::string::npos);
  CHECK(engine_stopped < log.find("tenant acme: its storage is closed"));

  // Back: the same data, nothing acknowledged lost, chat goes on.
  deployment.write_tenant(acme_tenant());
  REQUIRE(upgrade_answers(deployment.port(), "acme", 101, 5s));
  auto alice_again = deployment.connect_agent("acme", "alice");
  auto back = deployment.connect_visitor(
      "acme", {{"visitor_token", visitor_token}, {"last_seq", json::object{{conversation, 0}}}});
  CHECK(str(back.welcome, "conversation_id") == conversation);
  std::set<std::string> texts;
  for (const auto& m : deployment.full_history("acme", conversation, alice_again.token))
    texts.insert(str(m.as_object(), "text"));
  CHECK(texts.contains("before the removal"));
  CHECK(texts.contains("an answer before the removal"));
  for (const auto& id : acked) {
    INFO("acknowledged after the removal: " << id);
    CHECK(texts.contains("sent while the file goes " + id));
  }
  const auto ack = back.send_message("after the file came back");
  CHECK(str(ack, "conversation_id") == conversation);
  CHECK(str(message_from(alice_again.ws, "visitor"), "text") == "after the file came back");
  alice_again.send_message(conversation, "welcome back");
  CHECK_NOTHROW(back.ws.next_where(
      [](const json::object& f) {
        return str(f, "type") == "message" && str(f, "text") == "welcome back";
      },
      "the agent's welcome back"));
}

TEST_CASE(
    "a REST call still waiting on storage when its tenant file goes is answered 503 with a JSON "
    "error, not a closed connection, and nothing acknowledged is lost",
    "[reload][removal]") {
  // storage-slow holds its answer to a conversation list asked for with the tag
  // "held-answer" for 3.5 s (storage_plugins/storage_slow.cpp).
  const PluginDirWith plugins(SB_TEST_STORAGE_SLOW);
  auto tenant = acme_tenant();
  tenant.extra_toml = "[storage]\nplugin = \"storage-slow\"\n";
  Deployment deployment({tenant}, plugins.options());
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const std::string visitor_token = visitor.visitor_token;
  const auto conversation =
      str(visitor.send_message("acknowledged before the removal"), "conversation_id");

  std::optional<sb::test::HttpResponse> answer;
  std::string failure;
  std::thread asking([&] {
    try {
      answer =
          sb::test::http_get(deployment.port(), "/v1/tenants/acme/conversations?tag=held-answer",
                             sb::test::bearer(alice.token));
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  // The list is in storage's hands: then the tenant's file goes.
  const bool held = sb::test::eventually(
      [&] {
        return deployment.server().log().find("storage-slow: holding an answer") !=
               std::string::npos;
      },
      10s);
  if (held) std::filesystem::remove(deployment.tenants_dir() / "acme.toml");
  asking.join();
  REQUIRE(held);
  INFO("the call failed: " << failure);
  REQUIRE(answer.has_value());
  CHECK(answer->status == 503);
  CHECK(answer->headers["content-type"] == "application/json");
  const auto error = answer->json().at("error").as_object();
  CHECK(str(error, "code") == "unavailable");
  CHECK_THAT(str(error, "message"), Catch::Contains("no longer served"));
  CHECK(sb::test::eventually(
      [&] {
        return deployment.server().log().find("tenant acme: its storage is closed") !=
               std::string::npos;
      },
      10s));

  // Back: what was acknowledged before is there.
  deployment.write_tenant(tenant);
  REQUIRE(upgrade_answers(deployment.port(), "acme", 101, 10s));
  auto alice_again = deployment.connect_agent("acme", "alice");
  std::set<std::string> texts;
  for (const auto& m : deployment.full_history("acme", conversation, alice_again.token))
    texts.insert(str(m.as_object(), "text"));
  CHECK(texts.contains("acknowledged before the removal"));
  auto back = deployment.connect_visitor(
      "acme", {{"visitor_token", visitor_token}, {"last_seq", json::object{{conversation, 0}}}});
  CHECK(str(back.welcome, "conversation_id") == conversation);
}
