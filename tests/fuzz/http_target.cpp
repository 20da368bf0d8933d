// The parts of an HTTP request the server reads itself (Beast parses the rest):
// the target's path and query, the bearer token, the Cookie header, and the
// X-Forwarded-For walk behind a trusted proxy.
//
// Input: four lines, the target, the Authorization header, the Cookie header and
// X-Forwarded-For.
#include <boost/asio/ip/address.hpp>
#include <string>

#include "common/address_ranges.hpp"
#include "fuzz_input.hpp"
#include "hub/forwarded.hpp"
#include "hub/http_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sb;
  const auto lines = fuzz::split_lines(fuzz::as_text(data, size), 4);
  hub::HttpRequest request;
  if (hub::parse_target(lines[0], request)) {
    if (lines.size() > 1) request.authorization = std::string(lines[1]);
    if (lines.size() > 2) request.cookie = std::string(lines[2]);
    (void)hub::bearer_token(request);
    (void)hub::cookie_value(request, "sb_session");
    (void)hub::cookie_value(request, "");
  }
  if (lines.size() > 3) {
    static const AddressRanges proxies = [] {
      AddressRanges ranges;
      ranges.add("10.0.0.0/8");
      ranges.add("::1/128");
      return ranges;
    }();
    const auto peer = boost::asio::ip::make_address("10.1.2.3");
    (void)hub::client_address(peer, lines[3], proxies);
    (void)hub::client_scheme(peer, lines[3], proxies);
  }
  return 0;
}
