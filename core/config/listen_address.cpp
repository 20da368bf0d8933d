#include "config/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace sb::config {

namespace {

bool parse_port(std::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

bool parse_listen(std::string_view text, std::string& host, uint16_t& port) {
  std::string parsed_host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return false;
    parsed_host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    in6_addr v6;
    if (inet_pton(AF_INET6, parsed_host.c_str(), &v6) != 1) return false;
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    parsed_host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    in_addr v4;
    if (parsed_host != "localhost" && inet_pton(AF_INET, parsed_host.c_str(), &v4) != 1)
      return false;
  }
  uint16_t parsed_port = 0;
  if (!parse_port(port_text, parsed_port)) return false;
  host = std::move(parsed_host);
  port = parsed_port;
  return true;
}

}  // namespace sb::config
