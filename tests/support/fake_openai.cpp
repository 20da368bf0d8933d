// The fake OpenAI-compatible server behind fake_openai.hpp: a Beast HTTP server on
// its own io_context and thread, one session object per connection.
#include "support/fake_openai.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace sb::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;

namespace {

std::string event(const json::value& data) {
  return "data: " + json::serialize(data) + "\n\n";
}

json::object delta_chunk(const json::object& delta, const json::value& finish_reason) {
  return {{"id", "chatcmpl-fake"},
          {"object", "chat.completion.chunk"},
          {"model", "fake"},
          {"choices", json::array{json::object{
                          {"index", 0}, {"delta", delta}, {"finish_reason", finish_reason}}}}};
}

}  // namespace

// ---------------------------------------------------------------- replies

FakeReply FakeReply::answer(const std::string& text, int prompt_tokens, int completion_tokens) {
  json::object body{
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion"},
      {"model", "fake"},
      {"choices", json::array{json::object{{"index", 0},
                                           {"message", {{"role", "assistant"}, {"content", text}}},
                                           {"finish_reason", "stop"}}}},
      {"usage",
       {{"prompt_tokens", prompt_tokens},
        {"completion_tokens", completion_tokens},
        {"total_tokens", prompt_tokens + completion_tokens}}}};
  return raw(200, "application/json", json::serialize(body));
}

FakeReply FakeReply::stream(const std::vector<std::string>& pieces, bool with_usage,
                            std::chrono::milliseconds pause) {
  std::vector<std::string> writes;
  writes.push_back(event(delta_chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
  for (const auto& piece : pieces)
    writes.push_back(event(delta_chunk({{"content", piece}}, nullptr)));
  writes.push_back(event(delta_chunk({}, "stop")));
  if (with_usage) {
    int completion_tokens = 0;
    for (const auto& piece : pieces) completion_tokens += static_cast<int>(piece.size() + 3) / 4;
    writes.push_back(event(json::object{
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion.chunk"},
        {"choices", json::array()},
        {"usage", {{"prompt_tokens", 13}, {"completion_tokens", completion_tokens}}}}));
  }
  writes.push_back("data: [DONE]\n\n");
  return sse(std::move(writes), pause);
}

FakeReply FakeReply::sse(std::vector<std::string> writes, std::chrono::milliseconds pause) {
  FakeReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = std::move(writes);
  reply.chunk_pause = pause;
  return reply;
}

FakeReply FakeReply::error(int status, const std::string& message) {
  const char* type = status == 429   ? "rate_limit_exceeded"
                     : status >= 500 ? "server_error"
                                     : "invalid_request_error";
  json::object body{{"error", {{"message", message}, {"type", type}, {"code", nullptr}}}};
  return raw(status, "application/json", json::serialize(body));
}

FakeReply FakeReply::raw(int status, std::string content_type, std::string body) {
  FakeReply reply;
  reply.status = status;
  reply.content_type = std::move(content_type);
  reply.body = std::move(body);
  return reply;
}

FakeReply FakeReply::after(std::chrono::milliseconds wait) && {
  delay = wait;
  return std::move(*this);
}

json::value RecordedRequest::json() const {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) throw std::runtime_error(method + " " + target + " body is not JSON: " + body);
  return value;
}

// ---------------------------------------------------------------- server

namespace {

// What the tests scripted and what the fake saw; shared by the test thread and the
// fake's I/O thread (test code, not a hot path: one mutex is fine).
struct Script {
  std::string served_path;  // the one path answered as scripted
  mutable std::mutex mutex;
  mutable std::condition_variable arrived;
  std::deque<FakeReply> queue;
  FakeReply fallback = FakeReply::answer("ok");
  std::vector<RecordedRequest> requests;
  size_t connections = 0;

  // Records the request and returns its reply.
  FakeReply take_reply(RecordedRequest request) {
    std::lock_guard lock(mutex);
    const bool served = request.method == "POST" && request.target == served_path;
    requests.push_back(std::move(request));
    arrived.notify_all();
    if (!served) return FakeReply::error(404, "the fake serves only POST " + served_path);
    if (queue.empty()) return fallback;
    FakeReply reply = std::move(queue.front());
    queue.pop_front();
    return reply;
  }
};

// One connection: read a request, record it, answer as scripted, repeat while the
// client keeps the connection alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Script& script)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), script_(script) {}

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) return;  // closed by the client, or garbage: the test sees it client-side
    RecordedRequest recorded;
    recorded.method = std::string(request_.method_string());
    recorded.target = std::string(request_.target());
    for (const auto& field : request_) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      recorded.headers[name] = std::string(field.value());
    }
    recorded.body = request_.body();
    keep_alive_ = request_.keep_alive();
    reply_ = script_.take_reply(std::move(recorded));
    // Wait out the scripted delay before the status line.
    timer_.expires_after(reply_.delay);
    timer_.async_wait(beast::bind_front_handler(&Session::respond, shared_from_this()));
  }

  void respond(beast::error_code ec) {
    if (ec) return;
    if (reply_.chunks.empty()) {
      auto response = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(reply_.status), 11);
      response->set(http::field::content_type, reply_.content_type);
      response->keep_alive(keep_alive_);
      response->body() = reply_.body;
      response->prepare_payload();
      http::async_write(stream_, *response,
                        [self = shared_from_this(), response](beast::error_code ec, size_t) {
                          self->on_response_sent(ec);
                        });
      return;
    }
    header_ = std::make_unique<http::response<http::empty_body>>(
        static_cast<http::status>(reply_.status), 11);
    header_->set(http::field::content_type, reply_.content_type);
    header_->set(http::field::cache_control, "no-cache");
    header_->keep_alive(keep_alive_);
    header_->chunked(true);
    serializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*header_);
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (!ec) self->write_chunk(0);
                             });
  }

  // Chunk i, then a pause, then the next; after the last, the terminating chunk.
  void write_chunk(size_t i) {
    if (i == reply_.chunks.size()) {
      net::async_write(stream_, http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         self->on_response_sent(ec);
                       });
      return;
    }
    net::async_write(stream_, http::make_chunk(net::buffer(reply_.chunks[i])),
                     [self = shared_from_this(), i](beast::error_code ec, size_t) {
                       if (ec) return;
                       self->timer_.expires_after(self->reply_.chunk_pause);
                       self->timer_.async_wait([self, i](beast::error_code ec) {
                         if (!ec) self->write_chunk(i + 1);
                       });
                     });
  }

  void on_response_sent(beast::error_code ec) {
    if (ec) return;
    if (!keep_alive_) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    read();
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  Script& script_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  FakeReply reply_;
  bool keep_alive_ = true;
  std::unique_ptr<http::response<http::empty_body>> header_;
  std::unique_ptr<http::response_serializer<http::empty_body>> serializer_;
};

}  // namespace

struct FakeOpenAiServer::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  Script script;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed: the fake is going away
      {
        std::lock_guard lock(script.mutex);
        ++script.connections;
      }
      std::make_shared<Session>(std::move(socket), script)->start();
      accept();
    });
  }
};

FakeOpenAiServer::FakeOpenAiServer(std::string served_path) : impl_(std::make_unique<Impl>()) {
  impl_->script.served_path = std::move(served_path);
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

FakeOpenAiServer::~FakeOpenAiServer() {
  // Stopping the context abandons sessions mid-reply (a delayed reply never comes);
  // destroying it then frees them and closes their sockets.
  impl_->ioc.stop();
  impl_->thread.join();
}

uint16_t FakeOpenAiServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string FakeOpenAiServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

std::string FakeOpenAiServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + impl_->script.served_path;
}

void FakeOpenAiServer::enqueue(FakeReply reply) {
  std::lock_guard lock(impl_->script.mutex);
  impl_->script.queue.push_back(std::move(reply));
}

void FakeOpenAiServer::set_default(FakeReply reply) {
  std::lock_guard lock(impl_->script.mutex);
  impl_->script.fallback = std::move(reply);
}

std::vector<RecordedRequest> FakeOpenAiServer::requests() const {
  std::lock_guard lock(impl_->script.mutex);
  return impl_->script.requests;
}

bool FakeOpenAiServer::wait_for_requests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->script.mutex);
  return impl_->script.arrived.wait_for(lock, timeout,
                                        [&] { return impl_->script.requests.size() >= n; });
}

size_t FakeOpenAiServer::connections() const {
  std::lock_guard lock(impl_->script.mutex);
  return impl_->script.connections;
}

}  // namespace sb::test
