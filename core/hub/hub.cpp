#include "hub/hub.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "hub/http_session.hpp"

namespace sb::hub {

namespace net = boost::asio;
using net::ip::tcp;

struct Hub::Impl {
  Impl(std::vector<net::io_context*> loops_in, HubOptions options, HubServices& services)
      : loops(std::move(loops_in)), acceptor(*loops.front()) {
    context.options = std::move(options);
    context.services = &services;
    context.loops = loops;
    const KeepAliveSchedule keepalive(std::chrono::milliseconds(context.options.websocket_ping_ms));
    for (auto* loop : loops)
      context.keepalive.push_back(std::make_unique<KeepAliveSweep>(*loop, keepalive));
    context.per_address.emplace(context.options.max_connections_per_address,
                                context.options.unlimited_addresses, services.metrics());
  }

  void accept_next() {
    // Each connection is accepted straight onto the next loop and stays there.
    net::io_context& loop = *loops[next_loop++ % loops.size()];
    acceptor.async_accept(loop, [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        if (accept_failing) spdlog::info("accepting connections again");
        accept_failing = false;
        admit(std::move(socket));
        return accept_next();
      }
      // Out of descriptors (EMFILE, ENFILE) or memory: the pending connection stays
      // in the backlog and accepting again at once would spin on it. Existing
      // connections keep working; retry once some have had time to close.
      if (!accept_failing) spdlog::warn("cannot accept connections: {}; retrying", ec.message());
      accept_failing = true;
      accept_retry.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
      accept_retry.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) accept_next();
      });
    });
  }

  void admit(tcp::socket socket) {
    auto& registry = context.services->metrics();
    if (registry.open_connections.load(std::memory_order_relaxed) >=
        context.options.max_connections) {
      registry.rejected_connections.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    ConnectionSlot slot(registry);
    // A direct client counts against its address's limit from the start; behind a
    // trusted proxy the client is known only from the request (see HttpSession).
    bool over_address_limit = false;
    if (!context.options.trusted_proxies.contains(peer.address())) {
      auto hold = context.per_address->try_open(peer.address(), monotonic_ms());
      if (hold)
        slot.hold_address(std::move(*hold));
      else
        over_address_limit = true;
    }
    socket.set_option(tcp::no_delay(true), ec);  // chat frames are small and latency-bound
    std::make_shared<HttpSession>(std::move(socket), std::move(slot), context, over_address_limit)
        ->run();
  }

  static constexpr int kAcceptRetryMs = 100;

  std::vector<net::io_context*> loops;
  tcp::acceptor acceptor;
  // Runs on the acceptor's loop, as accept_next's handler does.
  net::steady_timer accept_retry{acceptor.get_executor()};
  bool accept_failing = false;  // logged once per run of failures
  SessionContext context;
  std::size_t next_loop = 0;
};

Hub::Hub(std::vector<net::io_context*> loops, HubOptions options, HubServices& services)
    : impl_(std::make_unique<Impl>(std::move(loops), std::move(options), services)) {}

Hub::~Hub() = default;

uint16_t Hub::start() {
  const auto& o = impl_->context.options;
  tcp::resolver resolver(*impl_->loops.front());
  const auto results = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive);
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  impl_->accept_next();
  return acceptor.local_endpoint().port();
}

void Hub::stop() {
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_retry.cancel();
  });
  impl_->context.tls_connections.close_all();
}

bool Hub::wait_for_tls_connections(std::chrono::milliseconds limit) {
  return impl_->context.tls_connections.wait_until_empty(limit);
}

}  // namespace sb::hub
