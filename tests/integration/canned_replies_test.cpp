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

TEST_CASE("two admins edit one canned reply: the second's stale save is refused, nothing lost",
          "[canned]") {
  Deployment deployment({acme_tenant()});
  const auto first = deployment.login("acme", "root");
  const auto second = deployment.login("acme", "root");
  const std::string path = "/v1/tenants/acme/canned-replies";
  auto created =
      http_request(deployment.port(), "POST", path,
                   R"({"shortcut":"/refund","text":"Refunds take 5 days."})", bearer(first));
  REQUIRE(created.status == 201);
  const auto made = json::parse(created.body).as_object();
  CHECK(created.headers["etag"] == str(made, "version"));
  const auto id = str(made, "id");
  // Both admins' pages list it with its version.
  auto listed = http_get(deployment.port(), path, bearer(second));
  REQUIRE(listed.status == 200);
  const auto loaded = json::parse(listed.body).at("canned_replies").at(0).as_object();
  const std::string v1 = str(loaded, "version");
  REQUIRE(v1.size() > 2);
  CHECK(v1 == created.headers["etag"]);
  const auto from = [&](const std::string& token, const std::string& version) {
    auto headers = bearer(token);
    headers.emplace_back("If-Match", version);
    return headers;
  };

  auto theirs =
      http_request(deployment.port(), "PUT", path + "/" + id,
                   R"({"shortcut":"/refund","text":"Refunds take 3 days."})", from(first, v1));
  REQUIRE(theirs.status == 200);
  const std::string v2 = theirs.headers["etag"];
  CHECK(v2 != v1);
  CHECK(str(json::parse(theirs.body).as_object(), "version") == v2);

  // The second admin, still on v1: refused with the reply as it now is.
  auto stale =
      http_request(deployment.port(), "PUT", path + "/" + id,
                   R"({"shortcut":"/refund","text":"Refunds take 7 days."})", from(second, v1));
  INFO(stale.body);
  CHECK(stale.status == 412);
  const auto error = json::parse(stale.body).at("error").as_object();
  CHECK(str(error, "code") == "canned_changed");
  CHECK(str(obj(error, "current"), "text") == "Refunds take 3 days.");
  CHECK(str(obj(error, "current"), "version") == v2);
  CHECK(stale.headers["etag"] == v2);
  CHECK(http_request(deployment.port(), "DELETE", path + "/" + id, {}, from(second, v1)).status ==
        412);
  const auto now = [&] {
    return json::parse(http_get(deployment.port(), path, bearer(first)).body)
        .at("canned_replies")
        .as_array();
  };
  REQUIRE(now().size() == 1);
  CHECK(str(now()[0].as_object(), "text") == "Refunds take 3 days.");

  // Saved over the version they were shown, it goes through.
  CHECK(http_request(deployment.port(), "PUT", path + "/" + id,
                     R"({"shortcut":"/refund","text":"Refunds take 7 days."})", from(second, v2))
            .status == 200);
  CHECK(str(now()[0].as_object(), "text") == "Refunds take 7 days.");

  // Deleted meanwhile: an edit from the old version says so (current null) and
  // does not bring the reply back.
  const std::string v3 = str(now()[0].as_object(), "version");
  REQUIRE(http_request(deployment.port(), "DELETE", path + "/" + id, {}, from(first, v3)).status ==
          204);
  auto after_delete = http_request(deployment.port(), "PUT", path + "/" + id,
                                   R"({"shortcut":"/refund","text":"x"})", from(second, v3));
  CHECK(after_delete.status == 412);
  CHECK(json::parse(after_delete.body).at("error").at("current").is_null());
  CHECK(now().empty());
}
