// What the hub believes about a visitor: signed identities are checked against the
// tenant's secret and their expiry, and once a tenant has a secret the visitor's own
// meta attributes count only where the tenant allows them.
#include "hub/visitor_identity.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "auth/signed_payload.hpp"

using namespace sb::hub;
namespace json = boost::json;

namespace {

constexpr int64_t kNow_s = 1'900'000'000;

VisitorTrust trust_with(std::string secret, std::set<std::string, std::less<>> unsigned_keys = {}) {
  return VisitorTrust{std::move(secret), std::move(unsigned_keys)};
}

std::string signed_with(const std::string& secret, const json::object& payload) {
  return sb::auth::sign_payload(
      json::serialize(payload),
      {reinterpret_cast<const unsigned char*>(secret.data()), secret.size()});
}

std::string why_refused(const std::string& token, const VisitorTrust& trust) {
  std::string error;
  CHECK_FALSE(read_identity(token, trust, kNow_s, error));
  return error;
}

}  // namespace

TEST_CASE("a signed, unexpired identity gives its name and attributes") {
  const auto trust = trust_with("s3cret");
  std::string error;
  auto identity = read_identity(
      signed_with("s3cret", {{"exp", kNow_s + 60},
                             {"name", "Ada"},
                             {"attributes", {{"vip", true}, {"plan", "gold"}, {"orders", 12}}}}),
      trust, kNow_s, error);
  REQUIRE(identity);
  CHECK(identity->name == "Ada");
  CHECK(identity->attributes == json::object{{"vip", true}, {"plan", "gold"}, {"orders", 12}});
}

TEST_CASE("an identity is refused with a reason a website developer can act on") {
  const auto trust = trust_with("s3cret");
  const json::object good{{"exp", kNow_s + 60}, {"attributes", {{"vip", true}}}};
  CHECK(why_refused(signed_with("s3cret", good), trust_with("")).find("takes no signed") !=
        std::string::npos);
  CHECK(why_refused(signed_with("other", good), trust).find("signature") != std::string::npos);
  CHECK(why_refused("not-a-token", trust).find("signature") != std::string::npos);
  CHECK(why_refused(signed_with("s3cret", {{"exp", kNow_s}}), trust).find("expired") !=
        std::string::npos);
  CHECK(why_refused(signed_with("s3cret", {{"attributes", {{"vip", true}}}}), trust)
            .find("exp is required") != std::string::npos);
  CHECK(why_refused(signed_with("s3cret", {{"exp", "tomorrow"}}), trust).find("whole number") !=
        std::string::npos);
  CHECK(why_refused(signed_with("s3cret", {{"exp", kNow_s + 60}, {"role", "admin"}}), trust)
            .find("unknown key 'role'") != std::string::npos);
  CHECK(why_refused(signed_with("s3cret", {{"exp", kNow_s + 60},
                                           {"attributes", {{"cart", json::array{1, 2}}}}}),
                    trust)
            .find("attributes.cart") != std::string::npos);
  CHECK(
      why_refused(signed_with("s3cret", {{"exp", kNow_s + 60}, {"name", 7}}), trust).find("name") !=
      std::string::npos);
}

// Found by the signed_tokens fuzzer: an exp past INT64_MAX threw out of hello's
// handling (std::terminate in the server) instead of being read as a number.
TEST_CASE("an exp too large for 64-bit signed seconds is far in the future, not a crash") {
  const auto trust = trust_with("s3cret");
  std::string error;
  const auto token = sb::auth::sign_payload(R"({"exp":18446744073709551615,"name":"Ada"})",
                                            {reinterpret_cast<const unsigned char*>("s3cret"), 6});
  auto identity = read_identity(token, trust, kNow_s, error);
  REQUIRE(identity);
  CHECK(identity->name == "Ada");
}

TEST_CASE("without a secret every meta attribute counts, as before") {
  const json::object meta{{"vip", true}, {"cart", 3}};
  CHECK(trusted_attributes(trust_with(""), meta, nullptr) == meta);
}

TEST_CASE("with a secret only signed attributes and the listed unsigned ones count") {
  const auto trust = trust_with("s3cret", {"cart"});
  const json::object meta{{"vip", true}, {"cart", 3}, {"plan", "gold"}};
  CHECK(trusted_attributes(trust, meta, nullptr) == json::object{{"cart", 3}});

  VisitorIdentity identity{"Ada", {{"vip", false}, {"cart", 5}}};
  // Signed values win over the visitor's own claim of the same name.
  CHECK(trusted_attributes(trust, meta, &identity) == json::object{{"vip", false}, {"cart", 5}});
}

TEST_CASE("attribute values are bounded and flat") {
  CHECK(is_visitor_attribute("vip", json::value(true)));
  CHECK(is_visitor_attribute("orders", json::value(3.5)));
  CHECK(is_visitor_attribute("plan", json::value(std::string(256, 'x'))));
  CHECK_FALSE(is_visitor_attribute("plan", json::value(std::string(257, 'x'))));
  CHECK_FALSE(is_visitor_attribute("", json::value(true)));
  CHECK_FALSE(is_visitor_attribute(std::string(65, 'k'), json::value(true)));
  CHECK_FALSE(is_visitor_attribute("cart", json::value(nullptr)));
  CHECK_FALSE(is_visitor_attribute("cart", json::object{{"a", 1}}));
}
