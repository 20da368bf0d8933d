// Boost.URL is header-only here; its implementation is compiled once, in this file.
#include <boost/url/src.hpp>

#include "common/utf8.hpp"
#include "hub/http_types.hpp"

namespace sb::hub {

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
