#include "socket_options.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // Linux 4.2+; older libc headers lack the name
#endif

namespace loadgen {

void bind_source_address(boost::asio::ip::tcp::socket& socket,
                         const boost::asio::ip::address_v4& source, boost::system::error_code& ec) {
  socket.open(boost::asio::ip::tcp::v4(), ec);
  if (ec) return;
  const int on = 1;
  if (::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on) !=
      0) {
    ec.assign(errno, boost::system::system_category());
    return;
  }
  socket.bind(boost::asio::ip::tcp::endpoint(source, 0), ec);
}

uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

}  // namespace loadgen
