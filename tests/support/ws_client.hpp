// A WebSocket client for tests. Frames are read continuously in the background of
// every wait and buffered, so a test can wait for "the next ack" while other frames
// (typing, message, ...) queue up for later assertions. Every wait has a deadline
// and throws a descriptive error on expiry, listing what did arrive.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"

namespace sb::test {

using namespace std::chrono_literals;
inline constexpr std::chrono::milliseconds kFrameTimeout = 5000ms;

// The server answered the upgrade request with a plain HTTP response.
struct UpgradeRejected : std::runtime_error {
  UpgradeRejected(int status, std::string body);
  int status;
  std::string body;
};

class WsClient {
 public:
  // Connects and upgrades; throws UpgradeRejected when the server declines.
  static WsClient connect(uint16_t port, const std::string& target, const Headers& headers = {},
                          std::chrono::milliseconds timeout = kFrameTimeout);
  // The same over TLS (wss://127.0.0.1:port), accepting any certificate.
  static WsClient connect_tls(uint16_t port, const std::string& target, const Headers& headers = {},
                              std::chrono::milliseconds timeout = kFrameTimeout);
  // The HTTP status of an upgrade attempt: 101 when it succeeded (then closed again).
  static int upgrade_status(uint16_t port, const std::string& target, const Headers& headers = {});

  WsClient(WsClient&&) noexcept;
  WsClient& operator=(WsClient&&) noexcept;
  ~WsClient();

  void send_json(const boost::json::object& frame);
  void send_raw_text(std::string_view payload);
  void send_binary(std::string_view payload);

  // The oldest buffered or next arriving frame.
  boost::json::object next_frame(std::chrono::milliseconds timeout = kFrameTimeout);
  // The oldest frame of this type; frames of other types stay buffered in order.
  boost::json::object next_of_type(std::string_view type,
                                   std::chrono::milliseconds timeout = kFrameTimeout);
  // The oldest frame the predicate accepts; what describes it goes in the timeout error.
  boost::json::object next_where(const std::function<bool(const boost::json::object&)>& accept,
                                 std::string_view what,
                                 std::chrono::milliseconds timeout = kFrameTimeout);
  // Throws if any frame (or one of this type) is buffered or arrives within the window.
  void expect_no_frame(std::chrono::milliseconds window);
  void expect_no_frame_of_type(std::string_view type, std::chrono::milliseconds window);
  // Everything that arrives within the window, buffered frames first.
  std::vector<boost::json::object> collect(std::chrono::milliseconds window);
  // Buffered frames of one type, removed from the buffer (no waiting).
  std::vector<boost::json::object> take_buffered(std::string_view type);

  // Closes with a close handshake (bounded wait), as a browser tab being closed.
  void close();
  bool is_open() const;
  // The close code the server sent, if it closed the connection.
  std::optional<uint16_t> close_code() const;
  // The reason the server gave with it ("" when none, or not closed by the server).
  std::string close_reason() const;

 private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);
  static WsClient connect_with(bool tls, uint16_t port, const std::string& target,
                               const Headers& headers, std::chrono::milliseconds timeout);
  std::unique_ptr<Impl> impl_;
};

std::string describe(const boost::json::object& frame);

}  // namespace sb::test
