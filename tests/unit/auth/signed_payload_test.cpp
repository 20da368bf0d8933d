// Signed payloads as a tenant's website makes them: the tokens below were made with
// Node's crypto, not with this code, so a drift in the format would show here:
//   const b = Buffer.from(payload).toString("base64url");
//   b + "." + crypto.createHmac("sha256", key).update(b).digest("base64url")
#include "auth/signed_payload.hpp"

#include <catch2/catch.hpp>
#include <string>

using sb::auth::open_signed_payload;
using sb::auth::sign_payload;

namespace {

std::span<const unsigned char> bytes(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

const std::string kPayload =
    R"({"exp":4102444800,"name":"Ada","attributes":{"vip":true,"plan":"gold"}})";
// 85 bytes: longer than SHA-256's block, which HMAC hashes first.
const std::string kLongKey =
    "a website secret that is longer than sixty-four bytes, as HMAC hashes such keys first";
const std::string kLongKeyToken =
    "eyJleHAiOjQxMDI0NDQ4MDAsIm5hbWUiOiJBZGEiLCJhdHRyaWJ1dGVzIjp7InZpcCI6dHJ1ZSwicGxhbiI6ImdvbG"
    "QifX0.GTPMe22IUhRfKZbHcepIaNgKN7Pbiy5i0lxfVc5ImjM";
const std::string kShortKeyToken =
    "eyJleHAiOjQxMDI0NDQ4MDAsIm5hbWUiOiJBZGEiLCJhdHRyaWJ1dGVzIjp7InZpcCI6dHJ1ZSwicGxhbiI6ImdvbG"
    "QifX0.pRQPUdzaIRB99zqSK1TzWbUjxKBVKfdRDg9EERKq-wM";

}  // namespace

TEST_CASE("a token signed elsewhere with a long or a one-byte key opens to its payload") {
  CHECK(open_signed_payload(kLongKeyToken, bytes(kLongKey)) == kPayload);
  CHECK(open_signed_payload(kShortKeyToken, bytes(std::string("k"))) == kPayload);
}

TEST_CASE("signing writes exactly what other HMAC-SHA256 implementations write") {
  CHECK(sign_payload(kPayload, bytes(kLongKey)) == kLongKeyToken);
  CHECK(sign_payload(kPayload, bytes(std::string("k"))) == kShortKeyToken);
}

TEST_CASE("another key, a changed payload or a changed MAC does not open") {
  CHECK_FALSE(open_signed_payload(kLongKeyToken, bytes(std::string("k"))));
  std::string payload_changed = kLongKeyToken;
  payload_changed[5] = payload_changed[5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(open_signed_payload(payload_changed, bytes(kLongKey)));
  std::string mac_changed = kLongKeyToken;
  mac_changed.back() = mac_changed.back() == 'M' ? 'N' : 'M';
  CHECK_FALSE(open_signed_payload(mac_changed, bytes(kLongKey)));
}

TEST_CASE("malformed tokens do not open") {
  for (const std::string& token :
       {std::string(), std::string("."), std::string("abc"), std::string(".abc"),
        kLongKeyToken + ".x", kLongKeyToken.substr(0, kLongKeyToken.size() - 2),
        std::string("a b.c")})
    CHECK_FALSE(open_signed_payload(token, bytes(kLongKey)));
}
