// Canned replies over REST: admins write them, every agent of the tenant reads
// them, shortcuts are unique, and they survive a restart.
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_post_json;
using sb::test::http_request;

TEST_CASE("canned replies: admins write, agents read, shortcuts unique, durable", "[canned]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  const auto admin = deployment.login("acme", "root");
  const auto agent = deployment.login("acme", "alice");
  const std::string path = "/v1/tenants/acme/canned-replies";

  auto created = http_post_json(
      deployment.port(), path,
      json::object{{"shortcut", "/refund"}, {"text", "Refunds take 5 days."}}, bearer(admin));
  INFO(created.body);
  REQUIRE(created.status == 201);
  const auto id = str(json::parse(created.body).as_object(), "id");
  CHECK(http_post_json(deployment.port(), path,
                       json::object{{"shortcut", "/hi"}, {"text", "你好！"}}, bearer(admin))
            .status == 201);
  CHECK(http_post_json(deployment.port(), path,
                       json::object{{"shortcut", "/refund"}, {"text", "dup"}}, bearer(admin))
            .status == 409);
  CHECK(http_post_json(deployment.port(), path, json::object{{"shortcut", "/x"}}, bearer(admin))
            .status == 422);
  // Agents read but do not write; another tenant sees nothing.
  CHECK(http_post_json(deployment.port(), path, json::object{{"shortcut", "/a"}, {"text", "b"}},
                       bearer(agent))
            .status == 403);
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("globex", "bob"))).status == 403);

  auto changed =
      http_request(deployment.port(), "PUT", path + "/" + id,
                   R"({"shortcut":"/refund","text":"Refunds take 3 days."})", bearer(admin));
  CHECK(changed.status == 200);

  deployment.server().stop();
  deployment.server().start();
  auto listed = http_get(deployment.port(), path, bearer(deployment.login("acme", "alice")));
  REQUIRE(listed.status == 200);
  const json::value body = json::parse(listed.body);
  const auto& replies = arr(body.as_object(), "canned_replies");
  REQUIRE(replies.size() == 2);
  CHECK(str(replies[0].as_object(), "shortcut") == "/hi");
  CHECK(str(replies[0].as_object(), "text") == "你好！");
  CHECK(str(replies[1].as_object(), "text") == "Refunds take 3 days.");

  const auto admin_again = deployment.login("acme", "root");
  CHECK(
      http_request(deployment.port(), "DELETE", path + "/" + id, {}, bearer(admin_again)).status ==
      204);
  const json::value after =
      json::parse(http_get(deployment.port(), path, bearer(admin_again)).body);
  CHECK(arr(after.as_object(), "canned_replies").size() == 1);
}
