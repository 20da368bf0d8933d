#include "hub/transport_stream.hpp"

#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "hub/tls_context.hpp"

namespace sb::hub {

namespace net = boost::asio;

namespace {

// The completion, run on the connection's loop. Boost 1.81's type-erased handler
// carries an executor that Asio's SSL operations cannot post to; the sessions'
// handlers run on this loop anyway.
auto on_loop(boost::beast::tcp_stream& tcp, TransportStream::Completion done) {
  return net::bind_executor(tcp.get_executor(), std::move(done));
}

}  // namespace

struct TransportStream::Tls {
  Tls(boost::beast::tcp_stream&& tcp, std::shared_ptr<net::ssl::context> context_in)
      : context(std::move(context_in)), stream(std::move(tcp), *context) {}

  // The certificate this connection was opened with stays while it lives, whatever
  // a reload puts in place for the next ones.
  std::shared_ptr<net::ssl::context> context;
  net::ssl::stream<boost::beast::tcp_stream> stream;
  std::string gathered;  // see async_write_some
};

TransportStream::TransportStream(boost::beast::tcp_stream&& tcp) : plain_(std::move(tcp)) {}
TransportStream::TransportStream(BareSocket&& bare) : plain_(std::move(bare)) {}
TransportStream::TransportStream(TransportStream&&) noexcept = default;
TransportStream::~TransportStream() = default;

TransportStream TransportStream::into_bare(net::io_context* loop,
                                           boost::system::error_code& ec) && {
  auto& tcp = std::get<boost::beast::tcp_stream>(plain_);
  tcp.expires_never();
  if (!loop) {
    // The hub's sockets all run on io_contexts.
    const auto* own = tcp.get_executor().target<net::io_context::executor_type>();
    if (!own) {
      ec = net::error::operation_not_supported;
      return std::move(*this);
    }
    loop = &own->context();
  }
  // A socket cannot change its executor's type in place: the descriptor is taken
  // from the TCP stream's socket and given to a bare one.
  const auto protocol = tcp.socket().local_endpoint(ec).protocol();
  if (ec) return std::move(*this);
  const auto fd = tcp.socket().release(ec);
  if (ec) return std::move(*this);
  BareSocket bare(loop->get_executor());
  bare.assign(protocol, fd, ec);
  if (ec) ::close(fd);
  return TransportStream(std::move(bare));
}

boost::beast::tcp_stream& TransportStream::tls_tcp() noexcept {
  return tls_->stream.next_layer();
}

std::string& TransportStream::gather_buffer() {
  return tls_->gathered;
}

void TransportStream::async_tls_handshake(const TlsContext& context, net::const_buffer received,
                                          Completion done) {
  tls_ = std::make_unique<Tls>(std::move(std::get<boost::beast::tcp_stream>(plain_)),
                               context.current());
  tls_->stream.async_handshake(net::ssl::stream_base::server, received,
                               on_loop(tls_tcp(), std::move(done)));
}

void TransportStream::async_tls_shutdown(ShutdownCompletion done) {
  if (!tls_) {
    net::post(get_executor(),
              [done = std::move(done)]() mutable { std::move(done)(boost::system::error_code()); });
    return;
  }
  // A peer that never answers must not hold the connection: the deadline closes it.
  tls_tcp().expires_after(kTlsShutdownTimeout);
  tls_->stream.async_shutdown(net::bind_executor(tls_tcp().get_executor(), std::move(done)));
}

void TransportStream::tls_read_some(net::mutable_buffer into, Completion done) {
  tls_->stream.async_read_some(into, on_loop(tls_tcp(), std::move(done)));
}

void TransportStream::tls_write_some(net::const_buffer from, Completion done) {
  tls_->stream.async_write_some(from, on_loop(tls_tcp(), std::move(done)));
}

}  // namespace sb::hub
