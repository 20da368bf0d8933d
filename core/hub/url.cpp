// Boost.URL is header-only here; its implementation is compiled once, in this file.
#include <boost/url/src.hpp>

#include "hub/http_types.hpp"

namespace sb::hub {

namespace {

// Well-formed UTF-8 (RFC 3629): no stray continuation bytes, overlong forms,
// surrogates or code points past U+10FFFF.
bool is_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char lead = *p;
    size_t more = 0;
    unsigned char low = 0x80, high = 0xbf;  // the range of the byte after the lead
    if (lead < 0x80) {
      ++p;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      more = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead == 0xe0) low = 0xa0;   // overlong
      if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead == 0xf0) low = 0x90;   // overlong
      if (lead == 0xf4) high = 0x8f;  // past U+10FFFF
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= more) return false;
    if (p[1] < low || p[1] > high) return false;
    for (size_t i = 2; i <= more; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    p += more + 1;
  }
  return true;
}

}  // namespace

// The decoded path and query must be UTF-8 text: every id and filter in them goes
// on into JSON for a plugin, and a plugin refusing the request for its bytes is a
// plugin failure to its circuit breaker. Five such GETs, which a visitor's token
// allows, had opened the tenant's storage breaker: everyone's messages were refused
// as "unavailable" for its cool-down.
bool parse_target(std::string_view target, HttpRequest& out) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  out.path = url->path();
  if (!is_utf8(out.path)) return false;
  for (auto param : url->params()) {
    if (!is_utf8(param.key) || !is_utf8(param.value)) return false;
    out.query[param.key] = param.value;
  }
  return true;
}

}  // namespace sb::hub
