// How far the hub trusts what a website says about its visitor.
//
// hello's meta attributes are the visitor's own claim: any script on the page can
// send vip = true. A tenant that routes on such attributes has its website's backend
// sign them instead, with a secret shared with the tenant ([visitors]
// identity_secret_env): the payload {"exp":S,"name"?:S,"attributes"?:{...}} as
// auth/signed_payload.hpp writes it, sent in hello as "identity". Once a tenant has
// a secret, routing and bots see only signed attributes, plus the meta attributes
// it names as harmless in [visitors] unsigned_attributes.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sb::hub {

constexpr std::size_t kMaxVisitorAttributes = 64;

// A website attribute: named in 1..64 bytes; a string of at most 256 bytes, a
// number or a boolean.
bool is_visitor_attribute(std::string_view name, const boost::json::value& value);
inline constexpr std::string_view kVisitorAttributeRule =
    "attributes are strings of at most 256 bytes, numbers or booleans, named in at most 64 "
    "bytes";

struct VisitorTrust {
  std::string identity_secret;                             // empty: no signed identities
  std::set<std::string, std::less<>> unsigned_attributes;  // meta keys still taken
};

struct VisitorIdentity {
  std::string name;  // empty when the payload has none
  boost::json::object attributes;
};

// The identity in token when it is signed with the tenant's secret and unexpired at
// now_s; otherwise nullopt, and error says why in words for the visitor's error frame.
std::optional<VisitorIdentity> read_identity(std::string_view token, const VisitorTrust& trust,
                                             int64_t now_s, std::string& error);

// The attributes routing and bots see: meta's when the tenant has no secret; with
// one, the signed attributes and the meta attributes it lists (signed ones win).
boost::json::object trusted_attributes(const VisitorTrust& trust, boost::json::object meta,
                                       const VisitorIdentity* identity);

}  // namespace sb::hub
