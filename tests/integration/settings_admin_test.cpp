// The admin pages' writes into the tenant file: the widget's settings and the
// groups. Each is validated by the tenant's own reader (422 naming the field,
// nothing written), saved only over the version the admin loaded (412), written
// with the rest of the file and its comments as they were, and live after the
// reload. Admins only, of their own tenant.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::Headers;
using sb::test::http_get;
using sb::test::http_request;

namespace {

TenantSpec shop() {
  TenantSpec tenant;
  tenant.id = "shop";
  tenant.name = "Shop";
  tenant.agents = {{"sam", "Sam", "agent", 2, {"support"}}, {"root", "Admin", "admin", 2, {}}};
  tenant.extra_toml = R"(# The widget, as the brand book says.
[widget]
# teal, the brand colour
color = "#0f766e"  # keep in sync with the shop
position = "right"

[widget.texts.en]
title = "Shop help"

# Groups: support is routed to by the graph.
[groups.support]
name = "Support"  # the first line
timezone = "Europe/Berlin"
[groups.support.hours]
mon-fri = "09:00-17:00"

[groups.returns]
name = "Returns"

[[routing.rules]]
id = "open"
conditions = [ { type = "business_hours", group = "support" } ]
actions = [ { type = "route", group = "support" } ]
)";
  return tenant;
}

Headers with(Headers headers, const std::string& name, const std::string& value) {
  headers.emplace_back(name, value);
  return headers;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The tenant's audit log, newest first, once it has at least count entries (it is
// written after the answer).
json::array audit_entries(Deployment& deployment, const std::string& tenant, const Headers& admin,
                          std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto r = http_get(deployment.port(), "/v1/tenants/" + tenant + "/audit", admin);
    REQUIRE(r.status == 200);
    json::array entries = r.json().at("entries").as_array();
    if (entries.size() >= count || std::chrono::steady_clock::now() > deadline) return entries;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string put(Deployment& deployment, const std::string& path, const json::value& body,
                const Headers& headers, int expected_status) {
  auto response = http_request(deployment.port(), "PUT", path, json::serialize(body), headers);
  INFO(response.body);
  REQUIRE(response.status == expected_status);
  return response.body;
}

}  // namespace

TEST_CASE("the widget's settings round-trip through the tenant file, comments kept", "[settings]") {
  Deployment deployment({shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const auto file = deployment.tenants_dir() / "shop.toml";

  auto loaded = http_get(deployment.port(), "/v1/tenants/shop/widget/settings", admin);
  REQUIRE(loaded.status == 200);
  const std::string v1 = loaded.headers["etag"];
  json::object settings = loaded.json().as_object();
  CHECK(settings.at("color") == "#0f766e");
  CHECK(settings.at("texts").at("en").at("title") == "Shop help");
  CHECK(settings.at("allowed_origins").as_array().empty());

  settings["color"] = "#aa3300";
  settings["position"] = "left";
  settings["allowed_origins"] = json::array{"https://shop.example.com"};
  settings["texts"].as_object()["en"].as_object()["title"] = "Ask us anything";
  settings["texts"].as_object()["zh"].as_object()["greeting"] = "您好，有什么可以帮您？";
  auto saved = http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget",
                            json::serialize(settings), with(admin, "If-Match", v1));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  const std::string v2 = saved.headers["etag"];
  CHECK(v2 != v1);
  CHECK(saved.json().at("color") == "#aa3300");

  // Live at once: the widget asks and gets the new look.
  auto widget = http_get(deployment.port(), "/v1/tenants/shop/widget");
  CHECK(widget.json().at("color") == "#aa3300");
  CHECK(widget.json().at("position") == "left");
  CHECK(widget.json().at("texts").at("en").at("title") == "Ask us anything");
  CHECK(widget.json().at("texts").at("zh").at("greeting") == "您好，有什么可以帮您？");
  CHECK(http_get(deployment.port(), "/v1/tenants/shop/widget/settings", admin).headers["etag"] ==
        v2);

  // The file says so, in place, with every comment where it was.
  const std::string text = read_file(file);
  CHECK(text.find("# The widget, as the brand book says.\n[widget]\n# teal, the brand colour\n"
                  "color = \"#aa3300\"  # keep in sync with the shop\nposition = \"left\"\n") !=
        std::string::npos);
  CHECK(text.find("allowed_origins = [ \"https://shop.example.com\" ]") != std::string::npos);
  CHECK(text.find("# Groups: support is routed to by the graph.\n[groups.support]\n"
                  "name = \"Support\"  # the first line\n") != std::string::npos);

  // The same settings again change nothing in the file.
  put(deployment, "/v1/tenants/shop/widget", saved.json(), with(admin, "If-Match", v2), 200);
  CHECK(read_file(file) == text);

  // Both saves are in the audit log: who, and what changed from what to what.
  const auto entries = audit_entries(deployment, "shop", admin, 2);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].at("action") == "widget.saved");
  CHECK(entries[1].at("target") == "widget");
  CHECK(entries[1].at("actor").at("id") == "root");
  const std::string summary(entries[1].at("summary").as_string());
  CHECK(summary.find("color: \"#0f766e\" → \"#aa3300\"") != std::string::npos);
  CHECK(summary.find("texts.en.title: \"Shop help\" → \"Ask us anything\"") != std::string::npos);
  CHECK(entries[0].at("summary") == "no change");
  // The same as codes and values, for the admin pages to word in their language.
  CHECK(entries[1].at("object") == json::parse(R"({"kind":"widget"})"));
  const auto& detail = entries[1].at("detail").as_object();
  CHECK(detail.at("code") == "settings.fields");
  CHECK(std::count(detail.at("changes").as_array().begin(), detail.at("changes").as_array().end(),
                   json::parse(R"({"field":"color","from":"#0f766e","to":"#aa3300"})")) == 1);
  CHECK(entries[0].at("detail") == json::parse(R"({"code":"settings.fields","changes":[]})"));
}

TEST_CASE("a widget save over a version someone else changed gets 412 and writes nothing",
          "[settings]") {
  Deployment deployment({shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const auto file = deployment.tenants_dir() / "shop.toml";
  auto loaded = http_get(deployment.port(), "/v1/tenants/shop/widget/settings", admin);
  const std::string v1 = loaded.headers["etag"];
  json::object mine = loaded.json().as_object();
  json::object theirs = mine;

  theirs["color"] = "#111111";
  put(deployment, "/v1/tenants/shop/widget", theirs, with(admin, "If-Match", v1), 200);
  const std::string after_theirs = read_file(file);

  mine["color"] = "#222222";
  auto stale = http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget",
                            json::serialize(mine), with(admin, "If-Match", v1));
  CHECK(stale.status == 412);
  CHECK(stale.json().at("error").at("code") == "widget_changed");
  CHECK(read_file(file) == after_theirs);

  // A hand edit is a new version too, even before the server reloads the file.
  auto current = http_get(deployment.port(), "/v1/tenants/shop/widget/settings", admin);
  std::string text = read_file(file);
  text.replace(text.find("#111111"), 7, "#333333");
  {
    std::ofstream out(file, std::ios::trunc);
    out << text;
  }
  mine["color"] = "#444444";
  CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget", json::serialize(mine),
                     with(admin, "If-Match", current.headers["etag"]))
            .status == 412);
  CHECK(read_file(file).find("#333333") != std::string::npos);
}

TEST_CASE("bad widget settings get 422 naming the field, and the file stays as it was",
          "[settings]") {
  Deployment deployment({shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const auto file = deployment.tenants_dir() / "shop.toml";
  const std::string before = read_file(file);
  json::object good =
      http_get(deployment.port(), "/v1/tenants/shop/widget/settings", admin).json().as_object();

  auto refused = [&](const std::string& key, json::value value, const std::string& field) {
    json::object body = good;
    body[key] = std::move(value);
    auto response = http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget",
                                 json::serialize(body), admin);
    INFO(key << ": " << response.body);
    CHECK(response.status == 422);
    CHECK(response.json().at("error").at("field") == json::value(field));
    CHECK_FALSE(response.json().at("error").at("message").as_string().empty());
    CHECK(read_file(file) == before);
  };
  refused("color", "red", "color");
  refused("color", 42, "color");
  refused("position", "top", "position");
  refused("default_language", "fr", "default_language");
  refused("logo", "javascript:alert(1)", "logo");
  refused("allowed_origins", json::array{"https://ok.example", "https://bad.example/path"},
          "allowed_origins[1]");
  refused("pre_chat", json::object{{"enabled", true}, {"fields", json::array{"phone"}}},
          "pre_chat.fields[0]");
  refused("texts", json::object{{"en", json::object{{"title", ""}}}}, "texts.en.title");
  refused("colour", "#fff", "colour");

  CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget", "[1]", admin).status ==
        400);
  CHECK(read_file(file) == before);
}

TEST_CASE("only the tenant's admins read or write its settings and groups", "[settings]") {
  Deployment deployment({shop(), globex_tenant()});
  const auto agent = bearer(deployment.login("shop", "sam"));
  const auto other_admin = bearer(deployment.login("globex", "groot"));
  const auto file = deployment.tenants_dir() / "shop.toml";
  const std::string before = read_file(file);
  const std::string body = R"({"color":"#000000"})";
  const std::string group = R"({"name":"Hijacked"})";

  for (const auto& who : {agent, other_admin}) {
    CHECK(http_get(deployment.port(), "/v1/tenants/shop/widget/settings", who).status == 403);
    CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget", body, who).status ==
          403);
    CHECK(http_get(deployment.port(), "/v1/tenants/shop/groups", who).status == 403);
    CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/support", group, who)
              .status == 403);
    CHECK(http_request(deployment.port(), "DELETE", "/v1/tenants/shop/groups/returns", "", who)
              .status == 403);
  }
  CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/widget", body, {}).status == 401);
  CHECK(read_file(file) == before);
  // The public widget answer still needs no one.
  CHECK(http_get(deployment.port(), "/v1/tenants/shop/widget").status == 200);
}

TEST_CASE("groups: listed with hours and limits, created, edited and deleted in the file",
          "[settings]") {
  Deployment deployment({shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const auto file = deployment.tenants_dir() / "shop.toml";

  auto list = http_get(deployment.port(), "/v1/tenants/shop/groups", admin);
  REQUIRE(list.status == 200);
  const json::value listed = list.json();
  const auto& groups = listed.at("groups").as_array();
  REQUIRE(groups.size() == 2);
  const auto& returns = groups[0].as_object();
  const auto& support = groups[1].as_object();
  CHECK(returns.at("id") == "returns");
  CHECK(returns.at("hours").is_null());
  CHECK(support.at("timezone") == "Europe/Berlin");
  CHECK(support.at("hours").at("wed") == json::array{"09:00-17:00"});
  CHECK(support.at("hours").as_object().count("sat") == 0);
  CHECK(support.at("agents") == json::array{"sam"});
  CHECK(support.at("rules") == json::array{"open"});

  // Edit support: new hours, holidays, limits.
  json::object edited{{"name", "Support desk"},
                      {"timezone", "Asia/Shanghai"},
                      {"hours", json::object{{"mon", json::array{"09:00-12:00", "13:00-18:00"}},
                                             {"sat", json::array{"10:00-14:00"}}}},
                      {"holidays", json::array{"2026-10-01", "2026-10-02"}},
                      {"max_queue_length", 30},
                      {"max_wait_s", 600},
                      {"on_queue_limit", "message_and_close"},
                      {"queue_limit_message", "Full, sorry."}};
  auto saved = http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/support",
                            json::serialize(edited),
                            with(admin, "If-Match", support.at("etag").as_string().c_str()));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  CHECK(saved.json().at("holidays") == json::array{"2026-10-01", "2026-10-02"});
  CHECK(saved.json().at("hours").at("mon") == json::array{"09:00-12:00", "13:00-18:00"});
  std::string text = read_file(file);
  CHECK(text.find("[groups.support]\nname = \"Support desk\"  # the first line\n"
                  "timezone = \"Asia/Shanghai\"\n") != std::string::npos);
  CHECK(text.find("holidays = [ \"2026-10-01\", \"2026-10-02\" ]") != std::string::npos);
  // Written as a person would: one opening as a string.
  CHECK(text.find("[groups.support.hours]\nmon = [ \"09:00-12:00\", \"13:00-18:00\" ]\n"
                  "sat = \"10:00-14:00\"\n") != std::string::npos);
  CHECK(text.find("mon-fri") == std::string::npos);
  // The old version is stale now.
  CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/support",
                     json::serialize(edited),
                     with(admin, "If-Match", support.at("etag").as_string().c_str()))
            .status == 412);

  // Days with the same hours are written as a range of days; defaults the file
  // does not have are not added.
  json::object returns_edit{{"name", "returns"},
                            {"timezone", "UTC"},
                            {"hours", json::object{{"mon", json::array{"09:00-17:00"}},
                                                   {"tue", json::array{"09:00-17:00"}},
                                                   {"wed", json::array{"09:00-17:00"}},
                                                   {"sat", json::array{"10:00-12:00"}}}},
                            {"queue_limit_message", returns.at("queue_limit_message")}};
  put(deployment, "/v1/tenants/shop/groups/returns", returns_edit, admin, 200);
  text = read_file(file);
  CHECK(text.find("[groups.returns]\nname = \"returns\"\ntimezone = \"UTC\"\n\n"
                  "[groups.returns.hours]\nmon-wed = \"09:00-17:00\"\nsat = \"10:00-12:00\"\n") !=
        std::string::npos);
  CHECK(text.find("queue_limit_message") == text.rfind("queue_limit_message"));  // support's only
  auto returns_now = http_get(deployment.port(), "/v1/tenants/shop/groups/returns", admin).json();
  CHECK(returns_now.at("hours").at("tue") == json::array{"09:00-17:00"});
  CHECK(returns_now.at("name") == "returns");

  // Create one; "only create" refuses an existing one.
  json::object vip{{"name", "VIP"}, {"max_queue_length", 5}};
  auto created = http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/vip",
                              json::serialize(vip), with(admin, "If-None-Match", "*"));
  INFO(created.body);
  CHECK(created.status == 201);
  CHECK(http_get(deployment.port(), "/v1/tenants/shop/groups/vip", admin).json().at("name") ==
        "VIP");
  CHECK(http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/vip", json::serialize(vip),
                     with(admin, "If-None-Match", "*"))
            .status == 412);
  CHECK(read_file(file).find("[groups.vip]\n") != std::string::npos);

  // Delete: refused while the graph or an agent names it; else gone from the file.
  auto in_use =
      http_request(deployment.port(), "DELETE", "/v1/tenants/shop/groups/support", "", admin);
  CHECK(in_use.status == 422);
  CHECK(in_use.json().at("error").at("code") == "group_in_use");
  CHECK(in_use.json().at("error").at("rules") == json::array{"open"});
  CHECK(in_use.json().at("error").at("agents") == json::array{"sam"});
  auto gone =
      http_request(deployment.port(), "DELETE", "/v1/tenants/shop/groups/returns", "", admin);
  CHECK(gone.status == 204);
  CHECK(read_file(file).find("[groups.returns]") == std::string::npos);
  CHECK(http_get(deployment.port(), "/v1/tenants/shop/groups/returns", admin).status == 404);
  CHECK(http_request(deployment.port(), "DELETE", "/v1/tenants/shop/groups/returns", "", admin)
            .status == 404);
  // Saves and the deletion are in the audit log; the refused ones are not.
  const auto entries = audit_entries(deployment, "shop", admin, 4);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].at("action") == "group.deleted");
  CHECK(entries[0].at("target") == "group returns");
  CHECK(entries[1].at("action") == "group.saved");
  CHECK(entries[1].at("target") == "group vip");
  CHECK(entries[0].at("object") == json::parse(R"({"kind":"group","id":"returns"})"));
  CHECK(entries[1].at("object") == json::parse(R"({"kind":"group","id":"vip"})"));
  CHECK(entries[3].at("action") == "group.saved");
  CHECK(entries[3].at("summary").as_string().find("timezone: \"Europe/Berlin\" → "
                                                  "\"Asia/Shanghai\"") != std::string::npos);
}

TEST_CASE("bad group settings get 422 naming the field, and the file stays as it was",
          "[settings]") {
  Deployment deployment({shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const auto file = deployment.tenants_dir() / "shop.toml";
  const std::string before = read_file(file);

  auto refused = [&](const std::string& id, json::object body, const std::string& field) {
    auto response = http_request(deployment.port(), "PUT", "/v1/tenants/shop/groups/" + id,
                                 json::serialize(body), admin);
    INFO(response.body);
    CHECK(response.status == 422);
    CHECK(response.json().at("error").at("field") == json::value(field));
    CHECK(read_file(file) == before);
  };
  refused("support", {{"timezone", "Mars/Olympus"}}, "timezone");
  refused("support",
          {{"timezone", "UTC"}, {"hours", json::object{{"mon", json::array{"17:00-09:00"}}}}},
          "hours.mon[0]");
  refused("support", {{"timezone", "UTC"}, {"hours", json::object{{"funday", json::array{}}}}},
          "hours.funday");
  refused("support", {{"timezone", "UTC"}, {"holidays", json::array{"2026-02-30"}}}, "holidays[0]");
  refused("support", {{"hours", json::object{{"mon", json::array{"09:00-17:00"}}}}}, "timezone");
  refused("support", {{"max_queue_length", -1}}, "max_queue_length");
  refused("support", {{"on_queue_limit", "explode"}}, "on_queue_limit");
  refused("new", {{"name", ""}}, "name");
  refused("a%20b", {{"name", "x"}}, "id");
}

TEST_CASE("a save adds to the file only what differs from the defaults", "[settings]") {
  Deployment deployment({globex_tenant()});
  const auto admin = bearer(deployment.login("globex", "groot"));
  const auto file = deployment.tenants_dir() / "globex.toml";
  const std::string before = read_file(file);
  REQUIRE(before.find("[widget]") == std::string::npos);

  json::object settings =
      http_get(deployment.port(), "/v1/tenants/globex/widget/settings", admin).json().as_object();
  settings["color"] = "#123456";
  settings["texts"].as_object()["zh"].as_object()["title"] = "环球客服";
  put(deployment, "/v1/tenants/globex/widget", settings, admin, 200);
  CHECK(read_file(file) == before +
                               "\n[widget]\ncolor = \"#123456\"\n\n[widget.texts.zh]\n"
                               "title = \"环球客服\"\n");
  auto widget = http_get(deployment.port(), "/v1/tenants/globex/widget").json();
  CHECK(widget.at("color") == "#123456");
  CHECK(widget.at("texts").at("zh").at("title") == "环球客服");
  CHECK(widget.at("texts").at("en").at("title") == "Chat with us");
}
