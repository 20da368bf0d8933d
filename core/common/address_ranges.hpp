// Sets of IP addresses written as operators write them ("10.0.0.7", "10.0.0.0/8",
// "::1", "fd00::/8"): the reverse proxies whose X-Forwarded-For the server believes.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string_view>
#include <vector>

namespace sb {

class AddressRanges {
 public:
  // Adds an address or a CIDR range; false (nothing added) when text is neither.
  bool add(std::string_view text);
  // True when address is in one of the ranges. An IPv4 address seen through an IPv6
  // socket (::ffff:10.0.0.7) matches its IPv4 ranges.
  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// 127.0.0.0/8 and ::1: this machine.
AddressRanges loopback_ranges();

// The address as one client: an IPv4-mapped IPv6 address becomes the IPv4 address.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

}  // namespace sb
