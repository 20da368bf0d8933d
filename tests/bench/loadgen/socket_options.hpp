#pragma once
// Operating-system limits a load generator runs into before the server does.

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

namespace loadgen {

// Opens `socket` and binds it to `source` with the port left to connect().
// IP_BIND_ADDRESS_NO_PORT matters: a plain bind() reserves a port before the
// destination is known, which caps all sources together at one port range.
void bind_source_address(boost::asio::ip::tcp::socket& socket,
                         const boost::asio::ip::address_v4& source, boost::system::error_code& ec);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
uint64_t raise_open_file_limit();

}  // namespace loadgen
