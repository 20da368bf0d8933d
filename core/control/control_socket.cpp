#include "control/control_socket.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <istream>

namespace sb::control {

namespace net = boost::asio;
namespace json = boost::json;
using local = net::local::stream_protocol;

namespace {

// A request is one short line; anything longer is not ours.
constexpr size_t kMaxRequestBytes = 64 * 1024;

// One connection: read the request line, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(local::socket socket, ControlSocket::Handler& handler)
      : socket_(std::move(socket)), buffer_(kMaxRequestBytes), handler_(handler) {}

  void start() {
    net::async_read_until(socket_, buffer_, '\n',
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            self->on_request(ec);
                          });
  }

 private:
  void on_request(boost::system::error_code ec) {
    if (ec) return;  // the client went away, or sent too much: nothing to answer
    std::istream in(&buffer_);
    std::string line;
    std::getline(in, line);
    json::value request = json::parse(line, ec);
    if (ec || !request.is_object())
      return reply(json::object{{"ok", false}, {"error", "the request must be a JSON object"}});
    // The answer may come from any thread; the write goes back to the socket's.
    handler_(request.get_object(), [self = shared_from_this()](json::object answer) {
      net::post(self->socket_.get_executor(),
                [self, answer = std::move(answer)]() mutable { self->reply(std::move(answer)); });
    });
  }

  void reply(json::object answer) {
    auto text = std::make_shared<std::string>(json::serialize(answer) + "\n");
    net::async_write(socket_, net::buffer(*text),
                     [self = shared_from_this(), text](boost::system::error_code, size_t) {
                       boost::system::error_code ignored;
                       self->socket_.shutdown(local::socket::shutdown_both, ignored);
                     });
  }

  local::socket socket_;
  net::streambuf buffer_;
  ControlSocket::Handler& handler_;
};

}  // namespace

ControlSocket::ControlSocket(net::io_context& loop, std::filesystem::path path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler)) {}

ControlSocket::~ControlSocket() {
  stop();
}

void ControlSocket::start() {
  std::error_code fs_ec;
  // A socket left by a server that crashed; never anything else of that name.
  if (std::filesystem::is_socket(path_, fs_ec)) std::filesystem::remove(path_, fs_ec);
  acceptor_ = std::make_shared<local::acceptor>(loop_);
  boost::system::error_code ec;
  acceptor_->open(local(), ec);
  if (!ec) acceptor_->bind(local::endpoint(path_.string()), ec);
  // Owner only. Connecting needs write permission on the socket, which the usual
  // umask (022) never gives others, so the moment before this is no opening either.
  if (!ec && ::chmod(path_.c_str(), 0600) != 0)
    ec = boost::system::error_code(errno, boost::system::system_category());
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw boost::system::system_error(ec, "control socket " + path_.string());
  accept(acceptor_);
}

void ControlSocket::stop() {
  if (!acceptor_) return;
  net::post(loop_, [acceptor = acceptor_] {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  });
  acceptor_.reset();
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

// The acceptor is passed along (never read from acceptor_, which stop() resets from
// another thread); stop() closes it on the loop, which ends this chain.
void ControlSocket::accept(std::shared_ptr<local::acceptor> acceptor) {
  acceptor->async_accept([this, acceptor](boost::system::error_code ec, local::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted)
        spdlog::warn("control socket: accept: {}", ec.message());
      return;
    }
    std::make_shared<Session>(std::move(socket), handler_)->start();
    if (acceptor->is_open()) accept(acceptor);
  });
}

std::optional<json::object> ControlSocket::ask(const std::filesystem::path& path,
                                               const json::object& request, std::string& error) {
  net::io_context io;
  local::socket socket(io);
  boost::system::error_code ec;
  socket.connect(local::endpoint(path.string()), ec);
  if (ec) {
    error = "cannot reach the server at " + path.string() + ": " + ec.message() +
            " (is it running, with this data dir, and are you its user?)";
    return std::nullopt;
  }
  net::write(socket, net::buffer(json::serialize(request) + "\n"), ec);
  net::streambuf buffer;
  if (!ec) net::read_until(socket, buffer, '\n', ec);
  if (ec) {
    error = "the server did not answer: " + ec.message();
    return std::nullopt;
  }
  std::istream in(&buffer);
  std::string line;
  std::getline(in, line);
  json::value answer = json::parse(line, ec);
  if (ec || !answer.is_object()) {
    error = "the server's answer is not JSON: " + line;
    return std::nullopt;
  }
  return answer.get_object();
}

}  // namespace sb::control
