// Who a request is from: the peer, or behind a trusted proxy the client it names.
#include "hub/forwarded.hpp"

#include <catch2/catch.hpp>

using boost::asio::ip::make_address;
using sb::AddressRanges;
using sb::hub::client_address;
using sb::hub::client_scheme;

namespace {
AddressRanges ranges(std::initializer_list<const char*> entries) {
  AddressRanges out;
  for (const char* entry : entries) REQUIRE(out.add(entry));
  return out;
}
std::string client(const char* peer, std::string_view forwarded_for, const AddressRanges& trusted) {
  return client_address(make_address(peer), forwarded_for, trusted).to_string();
}
}  // namespace

TEST_CASE("an untrusted peer's X-Forwarded-For is ignored") {
  const auto trusted = ranges({"10.0.0.1"});
  CHECK(client("203.0.113.9", "198.51.100.1", trusted) == "203.0.113.9");
  CHECK(client("203.0.113.9", "198.51.100.1", AddressRanges{}) == "203.0.113.9");
  CHECK(client_scheme(make_address("203.0.113.9"), "https", trusted) == "http");
}

TEST_CASE("a trusted proxy's client is the rightmost address that is not a proxy") {
  const auto trusted = ranges({"10.0.0.0/8", "fd00::/8"});
  CHECK(client("10.0.0.1", "198.51.100.1", trusted) == "198.51.100.1");
  // The client wrote the leftmost entry itself: it is not believed past a stranger.
  CHECK(client("10.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.1.1", trusted) == "198.51.100.1");
  CHECK(client("10.0.0.1", "198.51.100.1:4711", trusted) == "198.51.100.1");
  CHECK(client("10.0.0.1", "[2001:db8::7]:4711", trusted) == "2001:db8::7");
  CHECK(client("10.0.0.1", " 2001:db8::7 ", trusted) == "2001:db8::7");
  CHECK(client("fd00::1", "198.51.100.1", trusted) == "198.51.100.1");
  // Seen through an IPv6 socket, an IPv4 proxy is still itself.
  CHECK(client("::ffff:10.0.0.1", "198.51.100.1", trusted) == "198.51.100.1");
  // No header, or only proxies: the nearest proxy is all that is known.
  CHECK(client("10.0.0.1", "", trusted) == "10.0.0.1");
  CHECK(client("10.0.0.1", "10.0.0.2, 10.0.0.3", trusted) == "10.0.0.2");
  // Garbage ends the walk at the last trusted hop.
  CHECK(client("10.0.0.1", "198.51.100.1, not-an-address", trusted) == "10.0.0.1");
  CHECK(client("10.0.0.1", "not-an-address, 10.0.0.5", trusted) == "10.0.0.5");
}

TEST_CASE("the scheme a trusted proxy reports is the client's") {
  const auto trusted = ranges({"10.0.0.1"});
  CHECK(client_scheme(make_address("10.0.0.1"), "https", trusted) == "https");
  CHECK(client_scheme(make_address("10.0.0.1"), "HTTPS, http", trusted) == "https");
  CHECK(client_scheme(make_address("10.0.0.1"), "http", trusted) == "http");
  CHECK(client_scheme(make_address("10.0.0.1"), "", trusted) == "http");
}
