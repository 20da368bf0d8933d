// Boost.URL is header-only here; its implementation is compiled once, in this file.
#include <boost/url/src.hpp>

#include "hub/http_types.hpp"

namespace sb::hub {

bool parse_target(std::string_view target, HttpRequest& out) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  out.path = url->path();
  for (auto param : url->params()) out.query[param.key] = param.value;
  return true;
}

}  // namespace sb::hub
