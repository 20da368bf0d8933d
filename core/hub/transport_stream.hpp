// Internal to the hub: a connection's byte stream, plain TCP or TLS over it, as one
// type, so that the HTTP and WebSocket sessions are written (and compiled) once.
//
// Plain connections call straight into the TCP stream. A TLS connection's reads and
// writes go through an OpenSSL stream behind a pointer, with the handler type-erased:
// Asio's SSL headers are compiled in transport_stream.cpp only. Timeouts stay on the
// TCP stream underneath (tcp()), so every deadline the sessions set bounds the TLS
// handshake and records too.
//
// A plain WebSocket's time is kept by its loop's keep-alive sweep (keepalive.hpp)
// and sets no deadline here: it runs on a bare socket (bare()), without the TCP stream's timers
// and their state, which most of the time thousands of idle connections would hold.
// The bare socket is bound to its loop's own executor rather than a type-erased one:
// 48 bytes less in the socket (so in Beast's WebSocket state around it) and in every
// read or write pending on it.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <variant>

namespace sb::hub {

class TlsContext;

class TransportStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using Completion =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  using ShutdownCompletion = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  // A socket without deadlines, on its loop's executor (see the top of this file).
  using BareSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                      boost::asio::io_context::executor_type>;

  // How long a TLS peer has to answer the server's close_notify with its own.
  static constexpr std::chrono::milliseconds kTlsShutdownTimeout{1000};

  // A plain connection (implicit: a TCP stream is one).
  TransportStream(boost::beast::tcp_stream&& tcp);  // NOLINT(google-explicit-constructor)
  // A plain connection without deadlines (see the top of this file).
  explicit TransportStream(BareSocket&& bare);
  TransportStream(TransportStream&&) noexcept;
  ~TransportStream();

  // The TCP connection underneath: its deadlines bound everything above it. Not
  // for a bare one, which has none.
  boost::beast::tcp_stream& tcp() noexcept {
    return tls_ ? tls_tcp() : std::get<boost::beast::tcp_stream>(plain_);
  }
  // The TCP socket under the TCP stream; not for a bare one (see with_socket).
  boost::asio::ip::tcp::socket& socket() noexcept { return tcp().socket(); }
  // Calls f with the socket underneath, whichever kind it is.
  template <class F>
  void with_socket(F&& f) {
    if (is_bare()) return f(bare());
    f(tcp().socket());
  }
  // Closes the connection, failing whatever is pending on it.
  void close_socket() noexcept {
    boost::system::error_code ignored;
    with_socket([&ignored](auto& socket) { socket.close(ignored); });
  }
  executor_type get_executor() noexcept {
    if (is_bare()) return bare().get_executor();
    return tcp().get_executor();
  }
  bool is_tls() const noexcept { return tls_ != nullptr; }
  bool is_bare() const noexcept { return !tls_ && std::holds_alternative<BareSocket>(plain_); }
  // Ends every deadline; a bare connection has none.
  void expires_never() {
    if (!is_bare()) tcp().expires_never();
  }
  // The same plain connection as a bare one, registered with `loop` (nullptr: the
  // loop it is on). Nothing may be pending on it. On failure the connection is
  // closed and ec says why.
  TransportStream into_bare(boost::asio::io_context* loop, boost::system::error_code& ec) &&;

  // Makes this a TLS connection and runs the server's side of the handshake.
  // `received` is what was already read of the client's hello; the completion gets
  // how much of it the handshake used.
  void async_tls_handshake(const TlsContext& context, boost::asio::const_buffer received,
                           Completion done);

  // Ends a TLS session cleanly before the connection closes: sends close_notify
  // and waits for the peer's, at most kTlsShutdownTimeout (past it the connection
  // is closed), so that the client can tell the end of the data from a cut.
  // Completes at once on a plain connection. Nothing else may be pending on a TLS
  // one. The completion's error only says how it ended: the connection ends anyway.
  void async_tls_shutdown(ShutdownCompletion done);

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const MutableBufferSequence& to) {
          if (is_bare()) return bare().async_read_some(to, std::move(completion));
          if (!tls_) return tcp().async_read_some(to, std::move(completion));
          // A TLS stream reads into one buffer at a time anyway.
          tls_read_some(first_buffer<boost::asio::mutable_buffer>(to), std::move(completion));
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const ConstBufferSequence& from) {
          if (is_bare()) return bare().async_write_some(from, std::move(completion));
          if (!tls_) return tcp().async_write_some(from, std::move(completion));
          // Several small buffers (an HTTP head and body) would each become a TLS
          // record: they are gathered into one, up to a record's size.
          auto first = first_buffer<boost::asio::const_buffer>(from);
          if (first.size() < kGatherBytes && boost::asio::buffer_size(from) > first.size())
            return tls_write_some(boost::asio::buffer(gather(from)), std::move(completion));
          tls_write_some(first, std::move(completion));
        },
        handler, buffers);
  }

 private:
  struct Tls;
  static constexpr std::size_t kGatherBytes = 16 * 1024;

  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer buffer(*it);
      if (buffer.size() > 0) return buffer;
    }
    return Buffer();
  }

  template <class Sequence>
  std::string& gather(const Sequence& buffers) {
    std::string& into = gather_buffer();
    into.resize(kGatherBytes);
    into.resize(boost::asio::buffer_copy(boost::asio::buffer(into), buffers));
    return into;
  }

  // Beast closes the socket through this when a WebSocket fails.
  friend void beast_close_socket(TransportStream& stream) { stream.close_socket(); }

  BareSocket& bare() noexcept { return std::get<BareSocket>(plain_); }
  boost::beast::tcp_stream& tls_tcp() noexcept;
  std::string& gather_buffer();
  void tls_read_some(boost::asio::mutable_buffer into, Completion done);
  void tls_write_some(boost::asio::const_buffer from, Completion done);

  // The connection, until TLS takes it over.
  std::variant<boost::beast::tcp_stream, BareSocket> plain_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace sb::hub
