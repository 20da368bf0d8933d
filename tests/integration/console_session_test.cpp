// The console's cookie sessions, as a browser on the server's own page uses them:
// sign in, the cookie authenticates REST and the agent socket, the CSRF token
// guards every change, and the socket closes with 4001 when the session ends.
#include <catch2/catch.hpp>
#include <fstream>

#include "auth/token_signer.hpp"
#include "common/clock.hpp"
#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::Headers;
using sb::test::http_get;
using sb::test::http_post_json;
using sb::test::http_request;
using sb::test::WsClient;

namespace {

struct Session {
  std::string cookie;  // "sb_session=TOKEN", as the browser sends it back
  std::string csrf_token;
  json::object body;
};

std::string own_origin(Deployment& deployment) {
  return "http://127.0.0.1:" + std::to_string(deployment.port());
}

sb::test::HttpResponse sign_in_raw(Deployment& deployment, const std::string& agent_id,
                                   const std::string& password, const Headers& headers = {}) {
  const auto& tenant = deployment.tenant("acme");
  return http_post_json(deployment.port(), "/v1/tenants/acme/auth/session",
                        json::object{{"email", tenant.email_of(agent_id)}, {"password", password}},
                        headers);
}

Session sign_in(Deployment& deployment, const std::string& agent_id) {
  auto r = sign_in_raw(deployment, agent_id, kAgentPassword, {{"Origin", own_origin(deployment)}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  const std::string set_cookie = r.headers["set-cookie"];
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find("Path=/") != std::string::npos);
  CHECK(set_cookie.find("Max-Age=43200") != std::string::npos);
  auto body = r.json().as_object();
  return {set_cookie.substr(0, set_cookie.find(';')), str(body, "csrf_token"), body};
}

Headers with_cookie(const std::string& cookie, Headers more = {}) {
  more.emplace_back("Cookie", "theme=dark; " + cookie);
  return more;
}

// The install's signing key, as the server keeps it in its data directory.
sb::auth::TokenSigner install_signer(Deployment& deployment) {
  std::array<unsigned char, 32> key{};
  std::ifstream(deployment.root() / "data" / "secret.key", std::ios::binary)
      .read(reinterpret_cast<char*>(key.data()), key.size());
  return sb::auth::TokenSigner(key);
}

// A session cookie for alice that ends in ttl_s seconds (negative: already over).
std::string session_cookie_ending_in(Deployment& deployment, int64_t ttl_s) {
  sb::auth::Claims claims{"agent", "acme", "alice", "agent", sb::wall_clock_ms() / 1000 + ttl_s, 0};
  claims.session = "s_test";
  return "sb_session=" + install_signer(deployment).issue(claims);
}

WsClient agent_socket(Deployment& deployment, const Headers& headers) {
  return WsClient::connect(deployment.port(), "/v1/ws/agent?tenant=acme", headers);
}

}  // namespace

TEST_CASE("a session cookie signs the console in and authenticates REST, changes need CSRF",
          "[session]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  auto root = sign_in(deployment, "root");
  CHECK(str(root.body, "tenant") == "acme");
  CHECK(str(obj(root.body, "agent"), "id") == "root");
  CHECK(str(obj(root.body, "agent"), "email") == "root@acme.test");
  CHECK(str(obj(root.body, "agent"), "role") == "admin");
  CHECK(num(root.body, "expires_at") > sb::wall_clock_ms() / 1000);

  auto who = http_get(port, "/v1/session", with_cookie(root.cookie));
  INFO(who.body);
  REQUIRE(who.status == 200);
  CHECK(who.json().as_object() == root.body);

  // Reads need only the cookie.
  CHECK(http_get(port, "/v1/tenants/acme/conversations", with_cookie(root.cookie)).status == 200);
  // Changes need the CSRF token too.
  const std::string reply = R"({"shortcut":"hi","text":"Hello there"})";
  auto no_csrf = http_request(port, "POST", "/v1/tenants/acme/canned-replies", reply,
                              with_cookie(root.cookie));
  CHECK(no_csrf.status == 403);
  CHECK(str(obj(no_csrf.json().as_object(), "error"), "code") == "csrf");
  auto wrong_csrf = http_request(port, "POST", "/v1/tenants/acme/canned-replies", reply,
                                 with_cookie(root.cookie, {{"X-CSRF-Token", "forged"}}));
  CHECK(wrong_csrf.status == 403);
  auto with_csrf = http_request(port, "POST", "/v1/tenants/acme/canned-replies", reply,
                                with_cookie(root.cookie, {{"X-CSRF-Token", root.csrf_token}}));
  INFO(with_csrf.body);
  CHECK(with_csrf.status == 201);
  // Another session's CSRF token is no good either.
  auto alice = sign_in(deployment, "alice");
  CHECK(alice.csrf_token != root.csrf_token);
  CHECK(http_request(port, "POST", "/v1/tenants/acme/canned-replies", reply,
                     with_cookie(root.cookie, {{"X-CSRF-Token", alice.csrf_token}}))
            .status == 403);

  // Bearer tokens work as before, without CSRF.
  const auto bearer_token = deployment.login("acme", "root");
  CHECK(http_request(port, "POST", "/v1/tenants/acme/canned-replies",
                     R"({"shortcut":"bye","text":"Goodbye"})", sb::test::bearer(bearer_token))
            .status == 201);
}

TEST_CASE("signing in is refused for a wrong password or from another website", "[session]") {
  Deployment deployment({acme_tenant()});
  auto wrong = sign_in_raw(deployment, "alice", "not the password");
  CHECK(wrong.status == 401);
  CHECK(str(obj(wrong.json().as_object(), "error"), "code") == "unauthorized");
  CHECK(str(obj(wrong.json().as_object(), "error"), "problem") == "wrong_password");
  CHECK(wrong.headers.count("set-cookie") == 0);
  auto elsewhere =
      sign_in_raw(deployment, "alice", kAgentPassword, {{"Origin", "https://evil.example"}});
  CHECK(elsewhere.status == 403);
  CHECK(elsewhere.headers.count("set-cookie") == 0);
  CHECK(sign_in_raw(deployment, "alice", kAgentPassword).status == 200);  // not a browser
}

TEST_CASE("no, invalid or expired session cookies are 401", "[session]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  // Each 401 says why in a stable code beside the words.
  auto problem = [](const sb::test::HttpResponse& r) {
    INFO(r.body);
    CHECK(r.status == 401);
    return str(obj(r.json().as_object(), "error"), "problem");
  };
  CHECK(problem(http_get(port, "/v1/session")) == "token_required");
  CHECK(problem(http_get(port, "/v1/session", with_cookie("sb_session=garbage"))) ==
        "invalid_token");
  const auto expired = session_cookie_ending_in(deployment, -10);
  CHECK(problem(http_get(port, "/v1/session", with_cookie(expired))) == "session_expired");
  CHECK(problem(http_get(port, "/v1/tenants/acme/conversations", with_cookie(expired))) ==
        "session_expired");
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme",
                                 with_cookie(expired, {{"Origin", own_origin(deployment)}})) ==
        401);
  // A bearer token is not a session.
  CHECK(http_get(port, "/v1/session", sb::test::bearer(deployment.login("acme", "alice"))).status ==
        401);
}

TEST_CASE("a page asks whether there is a session with ?probe=1: none is a 200, not a 401",
          "[session]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  for (const auto& headers : {Headers{}, with_cookie("sb_session=garbage"),
                              with_cookie(session_cookie_ending_in(deployment, -10))}) {
    auto none = http_get(port, "/v1/session?probe=1", headers);
    INFO(none.body);
    CHECK(none.status == 200);
    CHECK(none.json().as_object() == json::object{{"session", nullptr}});
  }
  auto root = sign_in(deployment, "root");
  auto who = http_get(port, "/v1/session?probe=1", with_cookie(root.cookie));
  REQUIRE(who.status == 200);
  CHECK(who.json().as_object() == root.body);
  // Signing out is still a DELETE without the probe.
  CHECK(http_request(port, "DELETE", "/v1/session?probe=1", {}, with_cookie(root.cookie)).status ==
        403);
}

TEST_CASE("the agent socket takes the cookie from the server's own page only", "[session]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  auto alice = sign_in(deployment, "alice");
  const std::string target = "/v1/ws/agent?tenant=acme";
  CHECK(WsClient::upgrade_status(
            port, target, with_cookie(alice.cookie, {{"Origin", "https://evil.example"}})) == 403);
  CHECK(WsClient::upgrade_status(port, target, with_cookie(alice.cookie)) == 403);  // no Origin
  auto ws =
      agent_socket(deployment, with_cookie(alice.cookie, {{"Origin", own_origin(deployment)}}));
  auto welcome = ws.next_of_type("welcome");
  CHECK(str(obj(welcome, "agent"), "id") == "alice");
}

TEST_CASE("signing out closes the session's sockets with 4001 and ends the cookie", "[session]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  auto alice = sign_in(deployment, "alice");
  const Headers browser = with_cookie(alice.cookie, {{"Origin", own_origin(deployment)}});
  auto tab = agent_socket(deployment, browser);
  tab.next_of_type("welcome");
  auto other = deployment.connect_agent("acme", "alice");  // a bearer session of hers

  CHECK(http_request(port, "DELETE", "/v1/session", {}, with_cookie(alice.cookie)).status == 403);
  auto out = http_request(port, "DELETE", "/v1/session", {},
                          with_cookie(alice.cookie, {{"X-CSRF-Token", alice.csrf_token}}));
  CHECK(out.status == 204);
  CHECK(out.headers["set-cookie"].starts_with("sb_session=;"));
  CHECK(out.headers["set-cookie"].find("Max-Age=0") != std::string::npos);
  tab.collect(1000ms);
  CHECK(tab.close_code() == std::optional<uint16_t>(4001));
  CHECK(tab.close_reason() == "signed_out: signed out");
  CHECK(other.ws.is_open());  // only that session ends

  const auto after = http_get(port, "/v1/session", with_cookie(alice.cookie));
  CHECK(after.status == 401);
  CHECK(str(obj(after.json().as_object(), "error"), "problem") == "signed_out");
  CHECK(http_get(port, "/v1/tenants/acme/conversations", with_cookie(alice.cookie)).status == 401);
  CHECK(WsClient::upgrade_status(port, "/v1/ws/agent?tenant=acme", browser) == 401);
}

TEST_CASE("an agent socket closes with 4001 when its session expires", "[session]") {
  Deployment deployment({acme_tenant()});
  const Headers browser =
      with_cookie(session_cookie_ending_in(deployment, 2), {{"Origin", own_origin(deployment)}});
  auto tab = agent_socket(deployment, browser);
  tab.next_of_type("welcome");
  tab.collect(3500ms);
  CHECK(tab.close_code() == std::optional<uint16_t>(4001));
  CHECK(tab.close_reason() == "session_expired: session expired");
}

TEST_CASE("a signed-out cookie stays refused after a restart, other sessions live on",
          "[session]") {
  Deployment deployment({acme_tenant()});
  auto gone = sign_in(deployment, "alice");
  auto kept = sign_in(deployment, "alice");
  REQUIRE(http_request(deployment.port(), "DELETE", "/v1/session", {},
                       with_cookie(gone.cookie, {{"X-CSRF-Token", gone.csrf_token}}))
              .status == 204);
  deployment.server().stop();
  deployment.server().start();
  CHECK(http_get(deployment.port(), "/v1/session", with_cookie(gone.cookie)).status == 401);
  CHECK(http_get(deployment.port(), "/v1/session", with_cookie(kept.cookie)).status == 200);
}
