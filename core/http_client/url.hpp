// The parts of an http:// or https:// URL a request needs. Internal to sb_http_client
// (and its tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::http_client {

struct Url {
  bool tls = false;    // https
  std::string host;    // without brackets for IPv6 literals
  uint16_t port = 0;   // the scheme's default when the URL has none
  std::string target;  // path and query, "/" when empty
};

// nullopt and error set for anything but http(s)://host[:port][/path][?query]
// (no user info, no fragment sent).
std::optional<Url> parse_url(std::string_view text, std::string& error);

}  // namespace sb::http_client
