// Who a request comes from when a reverse proxy stands in front of the server. Only
// proxies the operator listed are believed: anyone else's X-Forwarded-For and
// X-Forwarded-Proto are ignored, so a client cannot pick the address that the
// per-address limits and the sign-in throttle count it under.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string_view>

#include "common/address_ranges.hpp"

namespace sb::hub {

// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
// X-Forwarded-For list (all its lines joined by commas) read from the right, past
// every trusted proxy, to the first address that is not one. An entry that is not
// an address ends the walk at the last trusted hop: nothing left of it is believed.
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        std::string_view forwarded_for,
                                        const AddressRanges& trusted_proxies);

// For a plain connection: "https" when a trusted proxy says the client used it
// (X-Forwarded-Proto), else "http". (A connection over the server's own TLS is
// "https" without asking.)
std::string_view client_scheme(const boost::asio::ip::address& peer,
                               std::string_view forwarded_proto,
                               const AddressRanges& trusted_proxies);

}  // namespace sb::hub
