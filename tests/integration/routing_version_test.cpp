// The routing graph's version for the admin editor: GET answers an ETag, a PUT
// with If-Match saves only over that version (412 graph_changed otherwise, also
// when the tenant file was edited by hand), and the catalog lists what a graph
// may name.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::Headers;
using sb::test::http_get;
using sb::test::http_request;

namespace {

TenantSpec versioned_shop() {
  TenantSpec tenant;
  tenant.id = "shop";
  tenant.name = "Shop";
  tenant.agents = {{"sam", "Sam", "agent", 2, {"support"}}, {"root", "Admin", "admin", 2, {}}};
  tenant.extra_toml = R"([groups.support]
name = "Support"
[groups.vip]

[[routing.rules]]
id = "vip"
conditions = [ { type = "attribute", key = "vip", value = true } ]
actions = [ { type = "route", group = "vip" } ]
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

// The graph with its one rule renamed.
json::value renamed(json::value graph, const std::string& name) {
  graph.at("rules").as_array()[0].as_object()["name"] = name;
  return graph;
}

}  // namespace

TEST_CASE("a PUT saves only over the version it was made from, a stale one gets 412",
          "[routing_graph]") {
  Deployment deployment({versioned_shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const std::string path = "/v1/tenants/shop/routing";

  auto first = http_get(deployment.port(), path, admin);
  REQUIRE(first.status == 200);
  const std::string v1 = first.headers["etag"];
  REQUIRE(v1.size() > 2);
  CHECK(v1.front() == '"');
  // Asking again with the version answers 304, nothing to send.
  auto same = http_get(deployment.port(), path, with(admin, "If-None-Match", v1));
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(same.headers["etag"] == v1);

  // Admin A saves over v1: accepted, a new version.
  const json::value graph = first.json();
  auto a = http_request(deployment.port(), "PUT", path, json::serialize(renamed(graph, "A")),
                        with(admin, "If-Match", v1));
  INFO(a.body);
  REQUIRE(a.status == 200);
  const std::string v2 = a.headers["etag"];
  CHECK(v2 != v1);
  CHECK(http_get(deployment.port(), path, admin).headers["etag"] == v2);
  CHECK(http_get(deployment.port(), path, with(admin, "If-None-Match", v1)).status == 200);

  // Admin B, still on v1, is told the graph changed; A's change stays.
  auto b = http_request(deployment.port(), "PUT", path, json::serialize(renamed(graph, "B")),
                        with(admin, "If-Match", v1));
  INFO(b.body);
  CHECK(b.status == 412);
  CHECK(b.json().at("error").at("code") == "graph_changed");
  CHECK(b.headers["etag"] == v2);
  CHECK(read_file(deployment.tenants_dir() / "shop.toml").find("name = \"A\"") !=
        std::string::npos);
  CHECK(http_get(deployment.port(), path, admin).json().at("rules").at(0).at("name") == "A");

  // With the current version (or "*", or none: scripts that do not care) it saves.
  CHECK(http_request(deployment.port(), "PUT", path, json::serialize(renamed(graph, "C")),
                     with(admin, "If-Match", "\"something-else\", " + v2))
            .status == 200);
  CHECK(http_request(deployment.port(), "PUT", path, json::serialize(renamed(graph, "D")),
                     with(admin, "If-Match", "*"))
            .status == 200);
  CHECK(http_request(deployment.port(), "PUT", path, json::serialize(renamed(graph, "E")), admin)
            .status == 200);

  // Versions are the admin's business only.
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("shop", "sam"))).status == 403);
}

TEST_CASE("a hand edit of the tenant file is a new version: a PUT over the old one gets 412",
          "[routing_graph]") {
  Deployment deployment({versioned_shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const std::string path = "/v1/tenants/shop/routing";
  auto first = http_get(deployment.port(), path, admin);
  const std::string v1 = first.headers["etag"];

  // Someone edits the file: the rule gets a name.
  const auto file = deployment.tenants_dir() / "shop.toml";
  std::string text = read_file(file);
  const auto at = text.find("id = \"vip\"\n");
  REQUIRE(at != std::string::npos);
  text.insert(at + 11, "name = \"Edited by hand\"\n");
  {
    std::ofstream out(file, std::ios::trunc);
    out << text;
  }
  // Even before the server reloads the file, a PUT over v1 does not overwrite it.
  auto stale =
      http_request(deployment.port(), "PUT", path, json::serialize(renamed(first.json(), "Mine")),
                   with(admin, "If-Match", v1));
  INFO(stale.body);
  CHECK(stale.status == 412);
  CHECK(read_file(file).find("Edited by hand") != std::string::npos);

  // Once reloaded, the editor's poll (If-None-Match v1) sees the new version.
  const auto edited_at = std::chrono::steady_clock::now();
  sb::test::HttpResponse polled;
  do {
    std::this_thread::sleep_for(200ms);
    polled = http_get(deployment.port(), path, with(admin, "If-None-Match", v1));
  } while (polled.status == 304 && std::chrono::steady_clock::now() - edited_at < 5s);
  REQUIRE(polled.status == 200);
  CHECK(polled.headers["etag"] != v1);
  CHECK(polled.json().at("rules").at(0).at("name") == "Edited by hand");
}

TEST_CASE("the routing catalog lists the tenant's groups and the installed strategies",
          "[routing_graph]") {
  Deployment deployment({versioned_shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  auto catalog = http_get(deployment.port(), "/v1/tenants/shop/routing/catalog", admin);
  INFO(catalog.body);
  REQUIRE(catalog.status == 200);
  const auto body = catalog.json().as_object();
  const auto& groups = body.at("groups").as_array();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].at("id") == "support");
  CHECK(groups[0].at("name") == "Support");
  CHECK(groups[0].at("has_hours") == false);
  bool round_robin = false;
  for (const auto& s : body.at("strategies").as_array())
    round_robin = round_robin || s.at("name") == "routing-round-robin";
  CHECK(round_robin);
  CHECK(body.at("default_chain").is_array());
  CHECK(http_get(deployment.port(), "/v1/tenants/shop/routing/catalog",
                 bearer(deployment.login("shop", "sam")))
            .status == 403);
  CHECK(http_request(deployment.port(), "POST", "/v1/tenants/shop/routing/catalog", "{}", admin)
            .status == 405);
}

TEST_CASE("every save is kept as a version (who, when, the graph), hand edits too",
          "[routing_graph]") {
  Deployment deployment({versioned_shop()});
  const auto admin = bearer(deployment.login("shop", "root"));
  const std::string path = "/v1/tenants/shop/routing";
  CHECK(http_get(deployment.port(), path + "/versions", admin).json().at("versions") ==
        json::array{});

  const json::value original = http_get(deployment.port(), path, admin).json();
  REQUIRE(http_request(deployment.port(), "PUT", path,
                       json::serialize(renamed(original, "First save")), admin)
              .status == 200);
  REQUIRE(http_request(deployment.port(), "PUT", path,
                       json::serialize(renamed(original, "Second save")), admin)
              .status == 200);

  auto listed = http_get(deployment.port(), path + "/versions", admin);
  INFO(listed.body);
  REQUIRE(listed.status == 200);
  const json::value body = listed.json();
  const auto& versions = body.at("versions").as_array();
  // Newest first: the two saves by the admin, then the graph the file had before.
  REQUIRE(versions.size() == 3);
  CHECK(versions[0].at("seq") == 3);
  CHECK(versions[0].at("by").at("id") == "root");
  CHECK(versions[0].at("by").at("name") == "Admin");
  CHECK(versions[0].at("at").as_int64() >= versions[1].at("at").as_int64());
  CHECK(versions[0].at("rules") == 1);
  CHECK(!versions[0].as_object().contains("graph"));
  CHECK(versions[2].at("by").at("name") == "tenant file");
  CHECK(versions[0].at("etag").as_string() ==
        http_get(deployment.port(), path, admin).headers["etag"]);

  // One version with its graph, to view or restore.
  auto first = http_get(deployment.port(), path + "/versions?seq=2", admin);
  REQUIRE(first.status == 200);
  CHECK(first.json().at("graph").at("rules").at(0).at("name") == "First save");
  CHECK(http_get(deployment.port(), path + "/versions?seq=99", admin).status == 404);
  CHECK(http_get(deployment.port(), path + "/versions", bearer(deployment.login("shop", "sam")))
            .status == 403);
}

TEST_CASE("graph versions, catalog and history stay within their tenant, bad input is refused",
          "[routing_graph]") {
  TenantSpec other;
  other.id = "other";
  other.name = "Other";
  other.agents = {{"boss", "Boss", "admin", 2, {}}};
  other.extra_toml = "[groups.secret]\n";
  Deployment deployment({versioned_shop(), other});
  const auto shop_admin = bearer(deployment.login("shop", "root"));
  const auto other_admin = bearer(deployment.login("other", "boss"));
  const std::string path = "/v1/tenants/shop/routing";
  const auto first = http_get(deployment.port(), path, shop_admin);
  REQUIRE(http_request(deployment.port(), "PUT", path,
                       json::serialize(renamed(first.json(), "Shop's")), shop_admin)
              .status == 200);

  // Another tenant's admin reads and writes nothing here.
  for (const std::string sub : {"", "/catalog", "/versions", "/versions?seq=1"})
    CHECK(http_get(deployment.port(), path + sub, other_admin).status == 403);
  CHECK(http_request(deployment.port(), "PUT", path, json::serialize(first.json()),
                     with(other_admin, "If-Match", first.headers.at("etag")))
            .status == 403);
  // Their own catalog and history know nothing of this tenant.
  auto catalog = http_get(deployment.port(), "/v1/tenants/other/routing/catalog", other_admin);
  CHECK(catalog.json().at("groups").as_array().size() == 1);
  CHECK(catalog.json().at("groups").at(0).at("id") == "secret");
  CHECK(http_get(deployment.port(), "/v1/tenants/other/routing/versions", other_admin)
            .json()
            .at("versions") == json::array{});

  // Bad input: a version that names nothing, a seq that is not a number, a method
  // the history does not take.
  CHECK(http_request(deployment.port(), "PUT", path, json::serialize(first.json()),
                     with(shop_admin, "If-Match", "garbage"))
            .status == 412);
  CHECK(http_get(deployment.port(), path + "/versions?seq=abc", shop_admin).status == 404);
  CHECK(http_request(deployment.port(), "DELETE", path + "/versions", {}, shop_admin).status ==
        405);
  CHECK(http_get(deployment.port(), path + "/history", shop_admin).status == 404);
}
