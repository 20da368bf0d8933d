#include "test_host.hpp"

#include <dlfcn.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace llm_openai_test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// What host->complete delivered for the one op in flight.
struct OpState {
  std::mutex mutex;
  std::condition_variable done;
  int completions = 0;
  int32_t status = -1;
  std::string result;
  std::string error;
};

struct TestCtx {
  net::io_context* ioc;
};

void host_log(sb_host_ctx*, int32_t, sb_str) {}
int64_t host_monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}
int64_t host_wall_clock_ms() {
  return host_monotonic_ms();
}
int32_t host_config_get(sb_host_ctx*, const char*, sb_str*) {
  return 0;
}

void host_complete(sb_op* op, int32_t status, sb_str result, sb_str error) {
  auto* state = reinterpret_cast<OpState*>(op);
  std::lock_guard lock(state->mutex);
  if (++state->completions == 1) {
    state->status = status;
    state->result = std::string(sb::view(result));
    state->error = std::string(sb::view(error));
  }
  state->done.notify_all();
}

// One HTTP exchange: connect, write, read the header, then the body in pieces
// (to on_chunk, or into one buffer), all under one deadline.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(net::io_context& ioc, const sb_http_request& req, sb_http_chunk_fn on_chunk,
           sb_http_done_fn on_done, void* user)
      : stream_(ioc), on_chunk_(on_chunk), on_done_(on_done), user_(user) {
    const std::string url(sb::view(req.url));
    const auto authority = url.find("://") + 3;
    const auto path = url.find('/', authority);
    const std::string host_port = url.substr(authority, path - authority);
    const auto colon = host_port.find(':');
    endpoint_ = tcp::endpoint(net::ip::make_address(host_port.substr(0, colon)),
                              static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1))));
    request_ = {http::string_to_verb(sb::view(req.method)), url.substr(path), 11};
    request_.set(http::field::host, host_port);
    if (req.headers_json.len) {
      const json::value headers = json::parse(sb::view(req.headers_json));
      for (const auto& [name, value] : headers.as_object())
        request_.set(std::string(name), std::string(value.as_string()));
    }
    request_.body() = std::string(sb::view(req.body));
    request_.prepare_payload();
    timeout_ = std::chrono::milliseconds(req.timeout_ms ? req.timeout_ms : 10000);
    parser_.body_limit(8 << 20);
  }

  void start() {
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish(ec, "connect");
      http::async_write(self->stream_, self->request_, [self](beast::error_code ec, size_t) {
        if (ec) return self->finish(ec, "write");
        http::async_read_header(self->stream_, self->buffer_, self->parser_,
                                [self](beast::error_code ec, size_t) {
                                  if (ec) return self->finish(ec, "read");
                                  self->read_body();
                                });
      });
    });
  }

 private:
  void read_body() {
    if (parser_.is_done()) return finish({}, "");
    parser_.get().body().data = piece_;
    parser_.get().body().size = sizeof(piece_);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::need_buffer) ec = {};
                       if (ec) return self->finish(ec, "read");
                       const size_t got = sizeof(self->piece_) - self->parser_.get().body().size;
                       if (got) {
                         if (self->on_chunk_)
                           self->on_chunk_(self->user_, sb_str{self->piece_, got});
                         else
                           self->body_.append(self->piece_, got);
                       }
                       self->read_body();
                     });
  }

  void finish(beast::error_code ec, const char* step) {
    std::string error;
    if (ec == beast::error::timeout)
      error = "timeout";
    else if (ec)
      error = std::string(step) + ": " + ec.message();
    const std::string content_type =
        parser_.is_header_done() ? std::string(parser_.get()[http::field::content_type]) : "";
    const sb_http_response response{
        sizeof(sb_http_response),
        parser_.is_header_done() ? static_cast<int32_t>(parser_.get().result_int()) : 0,
        sb::str(body_), sb::str(content_type), sb::str(error)};
    on_done_(user_, &response);
  }

  beast::tcp_stream stream_;
  tcp::endpoint endpoint_;
  http::request<http::string_body> request_;
  std::chrono::milliseconds timeout_{};
  beast::flat_buffer buffer_;
  http::response_parser<http::buffer_body> parser_;
  char piece_[4096];
  std::string body_;
  sb_http_chunk_fn on_chunk_;
  sb_http_done_fn on_done_;
  void* user_;
};

int32_t http_request(sb_host_ctx* ctx, const sb_http_request* req, sb_http_chunk_fn on_chunk,
                     sb_http_done_fn on_done, void* user, sb_error* err) {
  try {
    auto& ioc = *reinterpret_cast<TestCtx*>(ctx)->ioc;
    auto exchange = std::make_shared<Exchange>(ioc, *req, on_chunk, on_done, user);
    net::post(ioc, [exchange] { exchange->start(); });
    return SB_OK;
  } catch (const std::exception& e) {
    sb_error_set(err, e.what());
    return SB_ERROR;
  }
}

const sb_http_api kHttpApi = {sizeof(sb_http_api), &http_request};

const void* host_get_api(const char* name) {
  return std::string_view(name) == SB_HTTP_API_V1 ? &kHttpApi : nullptr;
}

const sb_host_api kHostApi = {sizeof(sb_host_api), SB_ABI_MAJOR,        SB_ABI_MINOR,
                              &std::malloc,        &std::free,          &host_log,
                              &host_monotonic_ms,  &host_wall_clock_ms, &host_complete,
                              &host_config_get,    &host_get_api};

}  // namespace

struct LlmTestHost::Impl {
  void* library = nullptr;
  const sb_plugin_descriptor* descriptor = nullptr;
  sb_instance* instance = nullptr;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  std::thread io_thread;
  TestCtx ctx{&ioc};
  std::unique_ptr<OpState> last_op;
};

LlmTestHost::LlmTestHost(const std::string& plugin_so) : impl_(std::make_unique<Impl>()) {
  impl_->library = dlopen(plugin_so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!impl_->library) throw std::runtime_error(std::string("dlopen: ") + dlerror());
  auto entry = reinterpret_cast<sb_plugin_entry_fn>(dlsym(impl_->library, SB_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error("no sb_plugin_entry");
  impl_->descriptor = entry(&kHostApi);
  if (!impl_->descriptor || impl_->descriptor->kind != SB_KIND_LLM)
    throw std::runtime_error("not an LLM plugin");
  impl_->io_thread = std::thread([this] { impl_->ioc.run(); });
}

LlmTestHost::~LlmTestHost() {
  // Let requests still in flight end (their deadlines bound this), as the real host
  // frees an instance only after on_done of each of its requests.
  impl_->work.reset();
  impl_->io_thread.join();
  if (impl_->instance) impl_->descriptor->instance_free(impl_->instance);
  // The library stays loaded: a second dlopen in the next test gets the same copy.
}

bool LlmTestHost::open(const std::string& config_json, std::string& error) {
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  const sb_instance_args args{sizeof(sb_instance_args), reinterpret_cast<sb_host_ctx*>(&impl_->ctx),
                              sb::str("tenant-a"),      sb::str(config_json),
                              sb::str("/tmp"),          sb::str("/tmp")};
  if (impl_->descriptor->instance_new(&args, &impl_->instance, &err) != SB_OK) {
    error = buffer;
    return false;
  }
  return true;
}

ChatOutcome LlmTestHost::chat(const std::string& messages_json, uint32_t max_tokens,
                              std::chrono::milliseconds deadline, std::chrono::milliseconds wait) {
  impl_->last_op = std::make_unique<OpState>();
  OpState& op = *impl_->last_op;
  const auto start = Clock::now();
  const sb_llm_request request{sizeof(sb_llm_request), max_tokens, sb::str("conv-1"),
                               sb::str(messages_json),
                               deadline.count() ? host_monotonic_ms() + deadline.count() : 0};
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  const auto* api = static_cast<const sb_llm_api*>(impl_->descriptor->kind_api);
  ChatOutcome outcome;
  const int32_t status = api->chat(impl_->instance, &request, reinterpret_cast<sb_op*>(&op), &err);
  if (status != SB_PENDING) {
    outcome.status = status;
    outcome.error = buffer;
    return outcome;
  }
  std::unique_lock lock(op.mutex);
  op.done.wait_for(lock, wait, [&] { return op.completions > 0; });
  outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  outcome.status = op.status;
  outcome.result = op.result;
  outcome.error = op.error;
  outcome.completions = op.completions;
  return outcome;
}

int LlmTestHost::completions_after(std::chrono::milliseconds settle) {
  std::this_thread::sleep_for(settle);
  std::lock_guard lock(impl_->last_op->mutex);
  return impl_->last_op->completions;
}

}  // namespace llm_openai_test
