// Address lists as operators write them: single addresses and CIDR ranges.
#include "common/address_ranges.hpp"

#include <catch2/catch.hpp>

using boost::asio::ip::make_address;
using sb::AddressRanges;

TEST_CASE("addresses and CIDR ranges, IPv4 and IPv6") {
  AddressRanges ranges;
  CHECK(ranges.empty());
  CHECK(ranges.add("127.0.0.1"));
  CHECK(ranges.add("10.0.0.0/8"));
  CHECK(ranges.add("192.168.1.77/24"));  // host bits are ignored
  CHECK(ranges.add("fd00::/8"));
  CHECK(ranges.add("::1"));
  CHECK_FALSE(ranges.empty());

  CHECK(ranges.contains(make_address("127.0.0.1")));
  CHECK_FALSE(ranges.contains(make_address("127.0.0.2")));
  CHECK(ranges.contains(make_address("10.255.1.2")));
  CHECK_FALSE(ranges.contains(make_address("11.0.0.1")));
  CHECK(ranges.contains(make_address("192.168.1.5")));
  CHECK_FALSE(ranges.contains(make_address("192.168.2.5")));
  CHECK(ranges.contains(make_address("fd12:3456::1")));
  CHECK(ranges.contains(make_address("::1")));
  CHECK_FALSE(ranges.contains(make_address("2001:db8::1")));
  CHECK(ranges.contains(make_address("::ffff:10.1.2.3")));  // IPv4 through an IPv6 socket
}

TEST_CASE("what is not an address or a range is refused") {
  AddressRanges ranges;
  CHECK_FALSE(ranges.add(""));
  CHECK_FALSE(ranges.add("proxy.internal"));
  CHECK_FALSE(ranges.add("10.0.0.0/33"));
  CHECK_FALSE(ranges.add("10.0.0.0/"));
  CHECK_FALSE(ranges.add("10.0.0.1 "));
  CHECK(ranges.empty());
}
