// GET /v1/tenants/ID/search: an admin finds a Chinese phrase from the middle of a
// visitor's sentence and an English word; the answer is the tenant's only; agents
// and other tenants' admins are refused; an empty or missing q is 422.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;

namespace {

std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

sb::test::HttpResponse search(Deployment& d, const std::string& tenant, const std::string& token,
                              const std::string& query) {
  return sb::test::http_get(d.port(), "/v1/tenants/" + tenant + "/search?" + query,
                            sb::test::bearer(token));
}

}  // namespace

TEST_CASE("an admin searches the tenant's messages, others are refused", "[search]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id =
      str(visitor.send_message("您好，我昨天买的蓝牙耳机一直连不上手机"), "conversation_id");
  visitor.send_message("My order number is 12345");
  auto globex_visitor = deployment.connect_visitor("globex");
  globex_visitor.send_message("globex 蓝牙耳机 secret");

  const auto root = deployment.login("acme", "root");
  auto found = search(deployment, "acme", root, "q=" + url_encode("蓝牙耳机"));
  INFO(found.body);
  REQUIRE(found.status == 200);
  const auto body = found.json().as_object();
  const auto& hits = arr(body, "hits");
  REQUIRE(hits.size() == 1);
  CHECK(str(hits[0].as_object(), "conversation_id") == conversation_id);
  CHECK(num(hits[0].as_object(), "seq") == 1);
  CHECK(str(hits[0].as_object(), "text").find("蓝牙耳机") != std::string::npos);
  CHECK(str(obj(hits[0].as_object(), "from"), "role") == "visitor");
  CHECK(found.body.find("globex") == std::string::npos);

  auto english = search(deployment, "acme", root, "q=ORDER%20number&limit=5");
  REQUIRE(english.status == 200);
  REQUIRE(arr(english.json().as_object(), "hits").size() == 1);

  auto nothing = search(deployment, "acme", root, "q=" + url_encode("蓝牙鼠标"));
  REQUIRE(nothing.status == 200);
  CHECK(arr(nothing.json().as_object(), "hits").empty());

  // Another tenant's admin, with a valid token of its own tenant.
  auto foreign = search(deployment, "acme", deployment.login("globex", "groot"),
                        "q=" + url_encode("蓝牙耳机"));
  CHECK((foreign.status == 401 || foreign.status == 403));
  CHECK(foreign.body.find("蓝牙") == std::string::npos);

  // An agent (not an admin) of the tenant.
  auto agent =
      search(deployment, "acme", deployment.login("acme", "alice"), "q=" + url_encode("蓝牙耳机"));
  CHECK(agent.status == 403);
  CHECK(agent.body.find("蓝牙") == std::string::npos);

  auto no_token = sb::test::http_get(deployment.port(), "/v1/tenants/acme/search?q=order");
  CHECK(no_token.status == 401);

  CHECK(search(deployment, "acme", root, "q=").status == 422);
  CHECK(search(deployment, "acme", root, "q=%20%20").status == 422);
  CHECK(search(deployment, "acme", root, "limit=5").status == 422);
  CHECK(search(deployment, "acme", root, "q=order&limit=0").status == 422);
  CHECK(search(deployment, "acme", root, "q=order&cursor=zz").status == 422);
  CHECK(search(deployment, "acme", root, "q=order&typo=1").status == 422);
}

TEST_CASE("search pages with next_cursor", "[search]") {
  Deployment deployment({acme_tenant(), globex_tenant()});
  auto visitor = deployment.connect_visitor("acme");
  for (int i = 0; i < 3; ++i) visitor.send_message("退款申请 " + std::to_string(i));
  const auto root = deployment.login("acme", "root");
  auto page1 = search(deployment, "acme", root, "q=" + url_encode("退款申请") + "&limit=2");
  REQUIRE(page1.status == 200);
  const auto body1 = page1.json().as_object();
  REQUIRE(arr(body1, "hits").size() == 2);
  CHECK(str(arr(body1, "hits")[0].as_object(), "text") == "退款申请 2");
  const std::string cursor = str(body1, "next_cursor");
  auto page2 =
      search(deployment, "acme", root, "q=" + url_encode("退款申请") + "&limit=2&cursor=" + cursor);
  REQUIRE(page2.status == 200);
  const auto body2 = page2.json().as_object();
  REQUIRE(arr(body2, "hits").size() == 1);
  CHECK(str(arr(body2, "hits")[0].as_object(), "text") == "退款申请 0");
  CHECK(!body2.contains("next_cursor"));
}
