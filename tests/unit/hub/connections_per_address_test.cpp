// The per-address connection limit: counted while held, given back on close, IPv6
// by /64, refusals counted in /metrics.
#include "hub/connections_per_address.hpp"

#include <catch2/catch.hpp>
#include <vector>

using boost::asio::ip::make_address;
using sb::hub::ConnectionsPerAddress;

TEST_CASE("an address gets its limit of connections and another address is not affected") {
  sb::metrics::Registry registry;
  ConnectionsPerAddress limit(2, {}, registry);
  const auto office = make_address("198.51.100.7");
  std::vector<ConnectionsPerAddress::Hold> held;
  for (int i = 0; i < 2; ++i) {
    auto hold = limit.try_open(office, 0);
    REQUIRE(hold);
    held.push_back(std::move(*hold));
  }
  CHECK_FALSE(limit.try_open(office, 0));
  CHECK_FALSE(limit.try_open(make_address("::ffff:198.51.100.7"), 0));
  CHECK(registry.address_limit_refusals.load() == 2);
  CHECK(registry.rejected_connections.load() == 2);
  CHECK(limit.try_open(make_address("198.51.100.8"), 0));  // another address

  held.pop_back();  // one closes: one more may open
  CHECK(limit.open_count(office) == 1);
  auto again = limit.try_open(office, 0);
  CHECK(again);
  held.clear();
  again.reset();
  CHECK(limit.open_count(office) == 0);
}

TEST_CASE("IPv6 clients count by their /64") {
  sb::metrics::Registry registry;
  ConnectionsPerAddress limit(1, {}, registry);
  auto first = limit.try_open(make_address("2001:db8:1:2::1"), 0);
  REQUIRE(first);
  CHECK_FALSE(limit.try_open(make_address("2001:db8:1:2:ffff::9"), 0));
  CHECK(limit.try_open(make_address("2001:db8:1:3::1"), 0));
}

TEST_CASE("a limit of 0 counts nothing") {
  sb::metrics::Registry registry;
  ConnectionsPerAddress limit(0, {}, registry);
  std::vector<ConnectionsPerAddress::Hold> held;
  for (int i = 0; i < 100; ++i) {
    auto hold = limit.try_open(make_address("198.51.100.7"), 0);
    REQUIRE(hold);
    held.push_back(std::move(*hold));
  }
  CHECK(limit.open_count(make_address("198.51.100.7")) == 0);
  CHECK(registry.address_limit_refusals.load() == 0);
}

TEST_CASE("exempt addresses are not counted") {
  sb::metrics::Registry registry;
  ConnectionsPerAddress limit(1, sb::loopback_ranges(), registry);
  std::vector<ConnectionsPerAddress::Hold> held;
  for (const char* local : {"127.0.0.1", "127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"}) {
    auto hold = limit.try_open(make_address(local), 0);
    REQUIRE(hold);
    held.push_back(std::move(*hold));
  }
  auto remote = limit.try_open(make_address("198.51.100.7"), 0);
  CHECK(remote);
  CHECK_FALSE(limit.try_open(make_address("198.51.100.7"), 0));
}
