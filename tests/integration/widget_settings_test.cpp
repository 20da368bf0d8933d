// What the widget asks before it opens: its settings and whether anyone can answer
// (GET /v1/tenants/ID/widget), and which websites may use it (the visitor socket's
// Origin check, the frame page's frame-ancestors).
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/temp_dir.hpp"

using namespace sb::it;
using sb::test::http_get;
using sb::test::WsClient;

namespace {

TenantSpec shop_tenant() {
  TenantSpec tenant = acme_tenant();
  tenant.extra_toml = R"(
[widget]
color = "#ff6600"
logo = "https://shop.example.com/logo.png"
position = "left"
default_language = "zh"
allowed_origins = ["https://shop.example.com", "http://localhost:3000"]
[widget.pre_chat]
enabled = true
fields = ["name", "email"]
[widget.texts.en]
title = "Shop chat"
[attachments]
enabled = true
max_bytes = 5242880
allowed_types = ["image/png", "application/pdf"]
)";
  return tenant;
}

json::object widget_settings(Deployment& deployment, const std::string& tenant) {
  auto r = http_get(deployment.port(), "/v1/tenants/" + tenant + "/widget");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["cache-control"] == "no-cache");
  CHECK(r.headers["access-control-allow-origin"] == "*");
  return r.json().as_object();
}

}  // namespace

TEST_CASE("the widget endpoint answers the tenant's settings and who can answer now", "[widget]") {
  Deployment deployment({shop_tenant(), globex_tenant()});

  auto shop = widget_settings(deployment, "acme");
  CHECK(str(shop, "tenant") == "acme");
  CHECK(str(shop, "color") == "#ff6600");
  CHECK(str(shop, "logo") == "https://shop.example.com/logo.png");
  CHECK(str(shop, "position") == "left");
  CHECK(str(shop, "default_language") == "zh");
  CHECK(str(obj(obj(shop, "texts"), "en"), "title") == "Shop chat");
  CHECK(str(obj(obj(shop, "texts"), "en"), "greeting") == "Hi! How can we help?");
  CHECK(str(obj(obj(shop, "texts"), "zh"), "title") == "在线咨询");
  CHECK(obj(shop, "pre_chat").at("enabled").as_bool());
  CHECK(arr(obj(shop, "pre_chat"), "fields") == json::array{"name", "email"});
  const auto& attachments = obj(shop, "attachments");
  CHECK(attachments.at("enabled").as_bool());  // the tenant's [attachments]
  CHECK(num(attachments, "max_bytes") == 5242880);
  CHECK(arr(attachments, "allowed_types") == json::array{"image/png", "application/pdf"});
  CHECK_FALSE(obj(widget_settings(deployment, "globex"), "attachments").at("enabled").as_bool());
  CHECK_FALSE(shop.at("available").as_bool());  // nobody online, no bot
  CHECK_FALSE(shop.at("agents_online").as_bool());

  // An online agent makes it available; away does not count.
  auto alice = deployment.connect_agent("acme", "alice");
  auto online = widget_settings(deployment, "acme");
  CHECK(online.at("available").as_bool());
  CHECK(online.at("agents_online").as_bool());
  alice.ws.send_json({{"type", "status"}, {"status", "away"}});
  alice.ws.next_of_type("status");
  CHECK_FALSE(widget_settings(deployment, "acme").at("agents_online").as_bool());

  // Defaults for a tenant that says nothing.
  auto plain = widget_settings(deployment, "globex");
  CHECK(str(plain, "color") == "#2f6fed");
  CHECK(plain.at("logo").is_null());
  CHECK(str(plain, "position") == "right");
  CHECK(str(obj(obj(plain, "texts"), "zh"), "greeting") == "您好！有什么可以帮您？");
  CHECK_FALSE(obj(plain, "pre_chat").at("enabled").as_bool());

  auto unknown = http_get(deployment.port(), "/v1/tenants/no-such-tenant/widget");
  CHECK(unknown.status == 404);
}

TEST_CASE("a tenant with a bot is available with nobody online", "[widget]") {
  TenantSpec tenant = acme_tenant();
  tenant.extra_toml =
      "[bot]\npipeline = [\"autoreply-faq\"]\n[plugins.autoreply-faq]\nfiles = "
      "[\"acme/faq.toml\"]\n";
  Deployment deployment({tenant}, {.start = false});
  std::filesystem::create_directories(deployment.tenants_dir() / "acme");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", R"([[entries]]
id = "hours"
questions = ["When are you open?", "What are your opening hours?"]
answer = "Nine to five."
)");
  deployment.server().start();
  auto settings = widget_settings(deployment, "acme");
  CHECK(settings.at("available").as_bool());
  CHECK_FALSE(settings.at("agents_online").as_bool());
}

TEST_CASE("only the tenant's websites may open a visitor socket", "[widget][access]") {
  Deployment deployment({shop_tenant(), globex_tenant()});
  const auto port = deployment.port();
  auto upgrade = [&](const std::string& tenant, const std::string& origin) {
    sb::test::Headers headers;
    if (!origin.empty()) headers.emplace_back("Origin", origin);
    return WsClient::upgrade_status(port, "/v1/ws/visitor?tenant=" + tenant, headers);
  };
  CHECK(upgrade("acme", "https://shop.example.com") == 101);
  CHECK(upgrade("acme", "http://localhost:3000") == 101);
  CHECK(upgrade("acme", "") == 101);  // no Origin: not a browser
  // The widget's frame is a page of this server: its socket carries the server's origin.
  CHECK(upgrade("acme", "http://127.0.0.1:" + std::to_string(port)) == 101);
  CHECK(upgrade("acme", "https://evil.example") == 403);
  CHECK(upgrade("acme", "http://shop.example.com") == 403);
  CHECK(upgrade("acme", "null") == 403);
  CHECK(upgrade("globex", "https://evil.example") == 101);  // no list: any website
}

TEST_CASE("the frame page may be framed by the tenant's websites only", "[widget]") {
  sb::test::TempDir web("switchboard-web");
  const auto frame = web.subdir("widget") / "index.html";
  sb::test::write_file_atomically(frame, "<!doctype html><title>chat</title>");
  Deployment deployment({shop_tenant(), globex_tenant()},
                        {.extra_args = {"--web-dir", web.path().string()}});
  auto csp_of = [&](const std::string& tenant) {
    auto r = http_get(deployment.port(), "/widget/?tenant=" + tenant);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.headers["content-security-policy"];
  };
  const auto shop = csp_of("acme");
  CHECK(shop.ends_with("frame-ancestors https://shop.example.com http://localhost:3000"));
  CHECK(shop.find("img-src 'self' blob: data: https:") != std::string::npos);
  CHECK(csp_of("globex").ends_with("frame-ancestors *"));
  CHECK(http_get(deployment.port(), "/widget/?tenant=no-such-tenant").status == 404);
}
