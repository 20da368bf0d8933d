// The layer under each WebSocket connection that sends many frames in one system
// call: order, byte counts, and a close that waits for what was written before it.
#include "hub/coalescing_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using net::ip::tcp;
using sb::hub::CoalescingStream;

namespace {
// A connected pair on the loopback: the server's end wrapped, the client's plain.
struct Pair {
  net::io_context io;
  tcp::socket client{io};
  std::unique_ptr<CoalescingStream> server;

  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    server = std::make_unique<CoalescingStream>(beast::tcp_stream(acceptor.accept()));
  }
};
}  // namespace

TEST_CASE("writes made in one loop turn leave in one socket write, in order") {
  Pair pair;
  std::string expected;
  std::vector<std::size_t> completed;
  for (int i = 0; i < 50; ++i) {
    const std::string part = "frame-" + std::to_string(i) + ";";
    expected += part;
    net::async_write(*pair.server, net::buffer(part),
                     [&completed](boost::system::error_code ec, std::size_t n) {
                       REQUIRE_FALSE(ec);
                       completed.push_back(n);
                     });
  }
  // Accepted, not yet sent: the session counts these against its send queue.
  CHECK(pair.server->unsent_bytes() == expected.size());
  CHECK(pair.server->holds_write_state());
  pair.io.run();

  CHECK(completed.size() == 50);
  CHECK(pair.server->unsent_bytes() == 0);
  CHECK(pair.server->socket_writes() == 1);
  // Once the bytes have left, the stream holds no buffers: an idle connection
  // costs its state alone.
  CHECK_FALSE(pair.server->holds_write_state());
  std::string received(expected.size(), '\0');
  net::read(pair.client, net::buffer(received));
  CHECK(received == expected);
}

TEST_CASE("corked bytes still leave once they pass a few KiB") {
  // A session whose queue never empties never uncorks; its client must not wait.
  Pair pair;
  pair.server->cork();
  const std::string frame(200, 'x');
  for (int i = 0; i < 100; ++i)
    net::async_write(*pair.server, net::buffer(frame),
                     [](boost::system::error_code, std::size_t) {});
  pair.io.run();
  CHECK(pair.server->socket_writes() >= 1);
  CHECK(pair.server->unsent_bytes() < 8 * 1024);
  std::string received(20000 - pair.server->unsent_bytes(), '\0');
  net::read(pair.client, net::buffer(received));
  CHECK(received == std::string(received.size(), 'x'));
}

TEST_CASE("a write after a failed socket write fails with its error") {
  Pair pair;
  pair.server->next_layer().socket().close();
  boost::system::error_code first, later;
  net::async_write(*pair.server, net::buffer(std::string("lost")),
                   [&](boost::system::error_code ec, std::size_t) { first = ec; });
  pair.io.run();
  // Accepted before the socket said anything, as a kernel's send buffer would.
  CHECK_FALSE(first);
  CHECK(pair.server->unsent_bytes() == 0);

  pair.io.restart();
  net::async_write(*pair.server, net::buffer(std::string("also lost")),
                   [&](boost::system::error_code ec, std::size_t) { later = ec; });
  pair.io.run();
  CHECK(later);  // the socket's error, not silence
}

TEST_CASE("a WebSocket close reaches the client after every message written before it") {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  websocket::stream<tcp::socket> client(io);
  client.next_layer().connect(acceptor.local_endpoint());
  websocket::stream<CoalescingStream> server(beast::tcp_stream(acceptor.accept()));

  constexpr int kMessages = 200;
  std::vector<std::string> received;
  beast::flat_buffer buffer;
  boost::system::error_code close_error;
  std::function<void()> read_next = [&] {
    client.async_read(buffer, [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        close_error = ec;
        return;
      }
      received.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };
  std::function<void(int)> write_from = [&](int i) {
    if (i == kMessages) {
      server.next_layer().uncork();
      server.async_close(websocket::close_code::normal, [](boost::system::error_code) {});
      return;
    }
    auto text = std::make_shared<std::string>("message " + std::to_string(i));
    server.async_write(net::buffer(*text), [&, i, text](boost::system::error_code ec, std::size_t) {
      REQUIRE_FALSE(ec);
      write_from(i + 1);
    });
  };
  server.async_accept([&](boost::system::error_code ec) {
    REQUIRE_FALSE(ec);
    // As the session does: corked while its queue still holds frames.
    server.next_layer().cork();
    write_from(0);
  });
  client.async_handshake("127.0.0.1", "/", [&](boost::system::error_code ec) {
    REQUIRE_FALSE(ec);
    read_next();
  });
  io.run();

  REQUIRE(received.size() == kMessages);
  for (int i = 0; i < kMessages; ++i) CHECK(received[i] == "message " + std::to_string(i));
  CHECK(close_error == websocket::error::closed);
  // Far fewer system calls than frames.
  CHECK(server.next_layer().socket_writes() < kMessages / 4);
}
