// Internal to the hub: a connection's byte stream, plain TCP or TLS over it, as one
// type, so that the HTTP and WebSocket sessions are written (and compiled) once.
//
// Plain connections call straight into the TCP stream. A TLS connection's reads and
// writes go through an OpenSSL stream behind a pointer, with the handler type-erased:
// Asio's SSL headers are compiled in transport_stream.cpp only. Timeouts stay on the
// TCP stream underneath (tcp()), so every deadline the sessions set bounds the TLS
// handshake and records too.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

namespace sb::hub {

class TlsContext;

class TransportStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using Completion =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  // A plain connection (implicit: a TCP stream is one).
  TransportStream(boost::beast::tcp_stream&& tcp);  // NOLINT(google-explicit-constructor)
  TransportStream(TransportStream&&) noexcept;
  ~TransportStream();

  // The TCP connection underneath: its deadlines bound everything above it.
  boost::beast::tcp_stream& tcp() noexcept { return tls_ ? tls_tcp() : tcp_; }
  boost::beast::tcp_stream& next_layer() noexcept { return tcp(); }
  boost::asio::ip::tcp::socket& socket() noexcept { return tcp().socket(); }
  executor_type get_executor() noexcept { return tcp().get_executor(); }
  bool is_tls() const noexcept { return tls_ != nullptr; }

  // Makes this a TLS connection and runs the server's side of the handshake.
  // `received` is what was already read of the client's hello; the completion gets
  // how much of it the handshake used.
  void async_tls_handshake(const TlsContext& context, boost::asio::const_buffer received,
                           Completion done);

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const MutableBufferSequence& to) {
          if (!tls_) return tcp_.async_read_some(to, std::move(completion));
          // A TLS stream reads into one buffer at a time anyway.
          tls_read_some(first_buffer<boost::asio::mutable_buffer>(to), std::move(completion));
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const ConstBufferSequence& from) {
          if (!tls_) return tcp_.async_write_some(from, std::move(completion));
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

  boost::beast::tcp_stream& tls_tcp() noexcept;
  std::string& gather_buffer();
  void tls_read_some(boost::asio::mutable_buffer into, Completion done);
  void tls_write_some(boost::asio::const_buffer from, Completion done);

  boost::beast::tcp_stream tcp_;  // the connection, until TLS takes it over
  std::unique_ptr<Tls> tls_;
};

}  // namespace sb::hub
