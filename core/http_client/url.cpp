#include "http_client/url.hpp"

#include <charconv>

namespace sb::http_client {

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    url.port = 443;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    url.port = 80;
    text.remove_prefix(7);
  } else {
    error = "url: only http:// and https:// URLs are supported";
    return std::nullopt;
  }
  const auto authority_end = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, authority_end);
  std::string_view rest = authority_end == std::string_view::npos ? "" : text.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    error = "url: user info in the URL is not supported; send an Authorization header";
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "url: unterminated IPv6 address";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        error = "url: junk after the IPv6 address";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    error = "url: no host";
    return std::nullopt;
  }
  if (!port_text.empty() || authority.ends_with(":")) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      error = "url: bad port";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(port);
  }
  rest = rest.substr(0, rest.find('#'));
  url.target = rest.empty() || rest[0] != '/' ? "/" + std::string(rest) : std::string(rest);
  for (const char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      error = "url: spaces or control characters in the path";
      return std::nullopt;
    }
  }
  return url;
}

}  // namespace sb::http_client
