#include "hub/visitor_identity.hpp"

#include <boost/json/parse.hpp>
#include <span>

#include "auth/signed_payload.hpp"

namespace sb::hub {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxAttributeNameBytes = 64;
constexpr std::size_t kMaxAttributeBytes = 256;
constexpr std::size_t kMaxIdentityNameBytes = 200;

std::span<const unsigned char> bytes_of(const std::string& secret) {
  return {reinterpret_cast<const unsigned char*>(secret.data()), secret.size()};
}

}  // namespace

bool is_visitor_attribute(std::string_view name, const json::value& value) {
  if (name.empty() || name.size() > kMaxAttributeNameBytes) return false;
  if (value.is_string()) return value.get_string().size() <= kMaxAttributeBytes;
  return value.is_number() || value.is_bool();
}

std::optional<VisitorIdentity> read_identity(std::string_view token, const VisitorTrust& trust,
                                             int64_t now_s, std::string& error) {
  if (trust.identity_secret.empty()) {
    error =
        "identity: this tenant takes no signed identities ([visitors] identity_secret_env "
        "is not set)";
    return std::nullopt;
  }
  const auto payload = auth::open_signed_payload(token, bytes_of(trust.identity_secret));
  if (!payload) {
    error = "identity: the signature does not match this tenant's identity secret";
    return std::nullopt;
  }
  boost::system::error_code ec;
  const json::value root = json::parse(*payload, ec);
  if (ec || !root.is_object()) {
    error = "identity: the signed payload is not a JSON object";
    return std::nullopt;
  }
  VisitorIdentity identity;
  bool has_expiry = false;
  for (const auto& [key, value] : root.get_object()) {
    if (key == "exp") {
      if (!value.is_int64() && !value.is_uint64()) {
        error = "identity: exp must be a whole number of seconds since the epoch";
        return std::nullopt;
      }
      // Past INT64_MAX (Boost.JSON keeps it as uint64) is far in the future; it
      // must not reach to_number<int64_t>, which throws for it.
      if (value.is_int64() && value.get_int64() <= now_s) {
        error = "identity: expired; the website must sign a fresh one";
        return std::nullopt;
      }
      has_expiry = true;
    } else if (key == "name") {
      if (!value.is_string() || value.get_string().size() > kMaxIdentityNameBytes) {
        error = "identity: name must be a string of at most 200 bytes";
        return std::nullopt;
      }
      identity.name = std::string(value.get_string());
    } else if (key == "attributes") {
      if (!value.is_object() || value.get_object().size() > kMaxVisitorAttributes) {
        error = "identity: attributes must be an object of at most 64 keys";
        return std::nullopt;
      }
      for (const auto& [name, attribute] : value.get_object()) {
        if (!is_visitor_attribute(name, attribute)) {
          error = "identity: attributes." + std::string(name.substr(0, kMaxAttributeNameBytes)) +
                  ": " + std::string(kVisitorAttributeRule);
          return std::nullopt;
        }
      }
      identity.attributes = value.get_object();
    } else {
      error = "identity: unknown key '" + std::string(key.substr(0, kMaxAttributeNameBytes)) +
              "' (exp, name and attributes are read)";
      return std::nullopt;
    }
  }
  if (!has_expiry) {
    // Without one, a copied token would make anyone that visitor for ever.
    error = "identity: exp is required (seconds since the epoch)";
    return std::nullopt;
  }
  return identity;
}

json::object trusted_attributes(const VisitorTrust& trust, json::object meta,
                                const VisitorIdentity* identity) {
  if (trust.identity_secret.empty()) return meta;
  json::object out;
  for (const auto& [key, value] : meta)
    if (trust.unsigned_attributes.contains(std::string_view(key))) out[key] = value;
  if (identity)
    for (const auto& [key, value] : identity->attributes) out[key] = value;
  return out;
}

}  // namespace sb::hub
