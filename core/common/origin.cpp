#include "common/origin.hpp"

#include <algorithm>
#include <cctype>

namespace sb {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// host[:port] where host is a name, an IPv4 address or a bracketed IPv6 address.
bool valid_authority(std::string_view authority) {
  if (authority.empty()) return false;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    if (!rest.empty()) port = rest.substr(1);
    if (host.empty() || host.find_first_not_of("0123456789abcdef:.") != std::string_view::npos)
      return false;
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (host.empty() ||
      (authority.front() != '[' &&
       host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string_view::npos))
    return false;
  return port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos;
}

// Splits a normalized origin into its default port and its authority.
struct Parts {
  std::string_view default_port;
  std::string_view authority;
};

Parts parts_of(std::string_view normalized) {
  const bool https = normalized.starts_with("https://");
  return {https ? "443" : "80", normalized.substr(https ? 8 : 7)};
}

}  // namespace

std::optional<std::string> normalize_origin(std::string_view text) {
  std::string origin = lower(text);
  std::string_view scheme_end = "://";
  const auto at = origin.find(scheme_end);
  if (at == std::string::npos) return std::nullopt;
  const std::string scheme = origin.substr(0, at);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const std::string authority = origin.substr(at + scheme_end.size());
  if (!valid_authority(authority)) return std::nullopt;
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (authority.ends_with(default_port))
    return scheme + "://" + authority.substr(0, authority.size() - default_port.size());
  return origin;
}

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (allowed.empty() || origin.empty()) return true;
  const auto normalized = normalize_origin(origin);
  return normalized && std::find(allowed.begin(), allowed.end(), *normalized) != allowed.end();
}

bool same_origin_as_host(std::string_view origin, std::string_view host) {
  const auto normalized = normalize_origin(origin);
  if (!normalized || host.empty()) return false;
  const auto [default_port, authority] = parts_of(*normalized);
  std::string expected = lower(host);
  // The Host header may spell out the port the origin leaves out as the default.
  const std::string spelled_default = ":" + std::string(default_port);
  if (expected.ends_with(spelled_default))
    expected.resize(expected.size() - spelled_default.size());
  return authority == expected;
}

bool widget_origin_allowed(const std::vector<std::string>& allowed, std::string_view origin,
                           std::string_view host) {
  return origin_allowed(allowed, origin) || same_origin_as_host(origin, host);
}

}  // namespace sb
