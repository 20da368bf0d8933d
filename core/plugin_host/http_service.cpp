#include "plugin_host/http_service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <thread>

#include "http_client/http_client.hpp"
#include "plugin_host/host_api.hpp"
#include "plugin_host/instance.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::plugin_host {

namespace {

constexpr uint32_t kDefaultTimeoutMs = 10000;

// One I/O thread for every plugin's requests: they only wait on the network, and
// one thread keeps each connection's handlers in order without strands.
class Service {
 public:
  Service() : work_(io_.get_executor()), client_(io_.get_executor()) {
    thread_ = std::thread([this] { io_.run(); });
    // Lives as long as the process: plugins may start requests until the very end,
    // so it is never torn down under them.
    thread_.detach();
  }
  http_client::Client& client() { return client_; }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  http_client::Client client_;
  std::thread thread_;
};

Service& service() {
  static Service* const instance = new Service();
  return *instance;
}

// headers_json as name/value pairs; false when it is not a JSON object of strings.
bool parse_headers(std::string_view json, std::vector<std::pair<std::string, std::string>>& out) {
  if (json.empty()) return true;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return false;
  for (const auto& [name, v] : value.get_object()) {
    if (!v.is_string()) return false;
    out.emplace_back(std::string(name), std::string(v.get_string()));
  }
  return true;
}

int32_t refuse(sb_error* err, const std::string& why) {
  sb_error_set(err, why.c_str());
  return SB_ERROR;
}

int32_t http_request(sb_host_ctx* ctx, const sb_http_request* req, sb_http_chunk_fn on_chunk,
                     sb_http_done_fn on_done, void* user, sb_error* err) {
  try {
    if (!ctx || !req || !on_done) return refuse(err, "ctx, the request and on_done are required");
    if (req->struct_size < sizeof(sb_http_request))
      return refuse(err, "sb_http_request is smaller than in ABI 1.1");
    // The request keeps its instance: instance_free waits until on_done returned.
    std::shared_ptr<Instance> owner =
        ctx->instance ? ctx->instance->weak_from_this().lock() : nullptr;
    if (!owner) return refuse(err, "the instance is being freed; no new requests");

    http_client::Request request;
    request.method = std::string(view(req->method));
    request.url = std::string(view(req->url));
    request.body = std::string(view(req->body));
    request.timeout =
        std::chrono::milliseconds(req->timeout_ms ? req->timeout_ms : kDefaultTimeoutMs);
    if (!parse_headers(view(req->headers_json), request.headers))
      return refuse(err, "headers_json must be a JSON object of strings");

    http_client::OnChunk chunk;
    if (on_chunk) {
      chunk = [on_chunk, user](std::string_view bytes) {
        try {
          on_chunk(user, str(bytes));
        } catch (...) {
          // ABI rule 7 broken by the plugin; the host's I/O thread goes on.
        }
      };
    }
    auto done = [on_done, user, owner = std::move(owner)](http_client::Response r) mutable {
      const sb_http_response response{sizeof(sb_http_response), r.status, str(r.body),
                                      str(r.content_type), str(r.error)};
      try {
        on_done(user, &response);
      } catch (...) {
      }
      owner.reset();  // maybe the last reference: instance_free after on_done, as promised
    };
    const std::string why =
        service().client().request(std::move(request), std::move(chunk), std::move(done));
    if (!why.empty()) return refuse(err, why);
    return SB_OK;
  } catch (const std::exception& e) {
    return refuse(err, std::string("the host could not start the request: ") + e.what());
  }
}

const sb_http_api kHttpApi = {sizeof(sb_http_api), http_request};

}  // namespace

const sb_http_api* http_api() {
  // Started when a plugin asks for the service (as its instance is made, at tenant
  // load), not on its first request: loading the CA store and starting the thread
  // take tens of milliseconds, which would block the strand of the first chat.
  service();
  return &kHttpApi;
}

}  // namespace sb::plugin_host
