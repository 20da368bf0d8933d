// The operator's local control channel: a Unix socket in the data dir
// (<data_dir>/control.sock, mode 0600) through which commands such as
// `switchboard backup DIR` ask the RUNNING server to act. Nothing of it is on the
// network: who may use it is who may open files in the data dir (the service's
// user, root).
//
// One request per connection, one JSON object per line each way:
//   -> {"command":"backup","dir":"/abs/path"}
//   <- {"ok":true,...} or {"ok":false,"error":"why"}
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sb::control {

inline constexpr const char* kSocketName = "control.sock";

class ControlSocket {
 public:
  // Answers one request; call it exactly once, from any thread.
  using Answer = std::function<void(boost::json::object)>;
  using Handler = std::function<void(const boost::json::object& request, Answer answer)>;

  ControlSocket(boost::asio::io_context& loop, std::filesystem::path path, Handler handler);
  ~ControlSocket();

  // Binds the socket (replacing a stale one left by a crash) and accepts. Throws
  // std::system_error when it cannot.
  void start();
  // Stops accepting and removes the socket file.
  void stop();

  // Client side (the CLI): sends request and waits for the answer, as long as it
  // takes. nullopt and error when there is no server on path or the answer is not
  // JSON.
  static std::optional<boost::json::object> ask(const std::filesystem::path& path,
                                                const boost::json::object& request,
                                                std::string& error);

 private:
  void accept(std::shared_ptr<boost::asio::local::stream_protocol::acceptor> acceptor);

  boost::asio::io_context& loop_;
  std::filesystem::path path_;
  Handler handler_;
  std::shared_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
};

}  // namespace sb::control
