#include "common/address_ranges.hpp"

#include <string>

namespace sb {

namespace ip = boost::asio::ip;

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

AddressRanges loopback_ranges() {
  AddressRanges ranges;
  ranges.add("127.0.0.0/8");
  ranges.add("::1");
  return ranges;
}

bool AddressRanges::add(std::string_view text) {
  const std::string entry(text);
  boost::system::error_code ec;
  if (entry.find('/') == std::string::npos) {
    const auto address = ip::make_address(entry, ec);
    if (ec) return false;
    if (address.is_v4())
      v4_.emplace_back(address.to_v4(), 32);
    else
      v6_.emplace_back(address.to_v6(), 128);
    return true;
  }
  if (auto v4 = ip::make_network_v4(entry, ec); !ec) {
    v4_.push_back(v4.canonical());
    return true;
  }
  if (auto v6 = ip::make_network_v6(entry, ec); !ec) {
    v6_.push_back(v6.canonical());
    return true;
  }
  return false;
}

bool AddressRanges::contains(const ip::address& address) const {
  const auto plain = unmapped(address);
  if (plain.is_v4()) {
    const auto v4 = plain.to_v4();
    for (const auto& range : v4_)
      if (ip::network_v4(v4, range.prefix_length()).canonical() == range) return true;
    return false;
  }
  const auto v6 = plain.to_v6();
  for (const auto& range : v6_)
    if (ip::network_v6(v6, range.prefix_length()).canonical() == range) return true;
  return false;
}

}  // namespace sb
