// The signed texts the server is handed: session tokens (TokenSigner::verify), the
// console's CSRF token, and visitor identities a website signs (read_identity).
//
// The first byte picks what the rest is: 0 a token as a client sends it (mostly
// refused by its MAC, which exercises the decoding), 1 the JSON inside a token
// signed with the server's key, 2 the JSON inside an identity signed with the
// tenant's secret, so the claim and attribute readers past the MAC are reached too.
#include <array>
#include <string>

#include "auth/signed_payload.hpp"
#include "auth/token_signer.hpp"
#include "fuzz_input.hpp"
#include "hub/visitor_identity.hpp"

namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::array<unsigned char, 32> kKey{7, 1, 7};
const std::string kTenantSecret = "the tenant's shared secret";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sb;
  if (size == 0) return 0;
  static const auth::TokenSigner signer(kKey);
  static const hub::VisitorTrust trust{kTenantSecret, {"plan"}};
  const std::string_view rest = fuzz::as_text(data + 1, size - 1);
  const auto secret =
      std::span(reinterpret_cast<const unsigned char*>(kTenantSecret.data()), kTenantSecret.size());
  std::string token;
  switch (data[0] % 3) {
    case 0:
      token = std::string(rest);
      (void)auth::open_signed_payload(token, secret);
      (void)signer.csrf_matches(token, token);
      break;
    case 1:
      token = auth::sign_payload(rest, kKey);
      break;
    default:
      token = auth::sign_payload(rest, secret);
      break;
  }
  if (auto claims = signer.verify(token, kNow)) {
    // What verify accepts, issue writes back out and verify reads the same.
    if (signer.verify(signer.issue(*claims), kNow) != claims) __builtin_trap();
  }
  std::string error;
  if (auto identity = hub::read_identity(token, trust, kNow, error)) {
    boost::json::object meta{{"plan", "free"}, {"vip", true}};
    (void)hub::trusted_attributes(trust, meta, &*identity);
  }
  return 0;
}
