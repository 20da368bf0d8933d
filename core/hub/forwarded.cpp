#include "hub/forwarded.hpp"

#include <string>

#include "common/ascii.hpp"

namespace sb::hub {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// One X-Forwarded-For entry: "203.0.113.7", "2001:db8::1", or with a port as some
// proxies write it ("203.0.113.7:4711", "[2001:db8::1]:4711").
bool parse_entry(std::string_view entry, ip::address& out) {
  entry = trim(entry);
  if (entry.starts_with('[')) {
    const auto end = entry.find(']');
    if (end == std::string_view::npos) return false;
    entry = entry.substr(1, end - 1);
  } else if (const auto colon = entry.find(':');
             colon != std::string_view::npos &&
             entry.find(':', colon + 1) == std::string_view::npos) {
    entry = entry.substr(0, colon);  // IPv4 with a port; IPv6 has several colons
  }
  boost::system::error_code ec;
  out = ip::make_address(std::string(entry), ec);
  return !ec;
}

}  // namespace

ip::address client_address(const ip::address& peer, std::string_view forwarded_for,
                           const AddressRanges& trusted_proxies) {
  ip::address client = unmapped(peer);
  if (trusted_proxies.empty() || !trusted_proxies.contains(client)) return client;
  // Each proxy appends the address it got the request from: the rightmost entries
  // are the most trustworthy, the leftmost were written by the client itself.
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry =
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (trim(entry).empty()) continue;
    ip::address hop;
    if (!parse_entry(entry, hop)) return client;
    client = unmapped(hop);
    if (!trusted_proxies.contains(client)) return client;
  }
  return client;
}

std::string_view client_scheme(const ip::address& peer, std::string_view forwarded_proto,
                               const AddressRanges& trusted_proxies) {
  if (trusted_proxies.empty() || !trusted_proxies.contains(peer)) return "http";
  // The first proxy's view is the client's: "https, http" came in over TLS.
  const auto first = trim(forwarded_proto.substr(0, forwarded_proto.find(',')));
  return ascii_iequals(first, "https") ? "https" : "http";
}

}  // namespace sb::hub
