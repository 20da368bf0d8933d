#pragma once
// What every session needs to know about the run; built once by main, then read-only.

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "options.hpp"

namespace loadgen {

struct RunContext {
  Options options;
  struct Node {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host_header;  // "HOST:PORT" as the server was named in --url
  };
  std::vector<Node> nodes;  // one per --url, in order
  const Node& visitor_node(int index) const { return nodes[index % nodes.size()]; }
  const Node& agent_node(int index) const { return nodes[(index + 1) % nodes.size()]; }
  // Empty: let the kernel pick the source address. Otherwise visitors bind to
  // these round-robin, because one source address reaches about 28k ports.
  std::vector<boost::asio::ip::address_v4> visitor_source_addresses;
};

// The measured window. Messages scheduled before measure_from_ns are warm-up and
// are sent but not recorded; visitors schedule nothing at or after measure_until_ns.
struct Timeline {
  int64_t send_from_ns = 0;
  int64_t measure_from_ns = 0;
  int64_t measure_until_ns = 0;
  // Time between two messages of one visitor.
  int64_t visitor_interval_ns = 0;
  // Scheduled send times are spread over the interval by visitor index.
  int total_visitors = 1;

  bool in_window(int64_t scheduled_ns) const {
    return scheduled_ns >= measure_from_ns && scheduled_ns < measure_until_ns;
  }
};

}  // namespace loadgen
