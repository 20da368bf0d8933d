// sb_http_cpp.hpp against hand-made host tables: a host without sb_http_v1 (a 1.0
// host) refuses cleanly, and with the service the wrapper hands over a well-formed
// request and runs the plugin's callbacks once each.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "switchboard/sb_http_cpp.hpp"

namespace {

// What the fake service saw, and the callbacks it was given.
struct Seen {
  std::string method, url, headers_json, body;
  uint32_t timeout_ms = 0;
  sb_http_chunk_fn on_chunk = nullptr;
  sb_http_done_fn on_done = nullptr;
  void* user = nullptr;
} seen;
bool refuse_next = false;

int32_t fake_request(sb_host_ctx*, const sb_http_request* req, sb_http_chunk_fn on_chunk,
                     sb_http_done_fn on_done, void* user, sb_error* err) {
  if (refuse_next) {
    sb_error_set(err, "url: no host");
    return SB_ERROR;
  }
  seen = {std::string(sb::view(req->method)),
          std::string(sb::view(req->url)),
          std::string(sb::view(req->headers_json)),
          std::string(sb::view(req->body)),
          req->timeout_ms,
          on_chunk,
          on_done,
          user};
  return SB_OK;
}

const sb_http_api kFakeHttp = {sizeof(sb_http_api), fake_request};
bool offer_http = false;

const void* fake_get_api(const char* name) {
  return offer_http && std::string(name) == SB_HTTP_API_V1 ? &kFakeHttp : nullptr;
}
std::vector<std::string> logged;
void fake_log(sb_host_ctx*, int32_t, sb_str line) {
  logged.emplace_back(sb::view(line));
}

sb_host_api fake_host() {
  sb_host_api host{};
  host.struct_size = sizeof(host);
  host.log = fake_log;
  host.get_api = fake_get_api;
  return host;
}

}  // namespace

TEST_CASE("sdk http: a host without the service refuses and calls nothing") {
  offer_http = false;
  const sb_host_api host = fake_host();
  sb::http::Client client(sb::Host{&host, nullptr});
  CHECK_FALSE(client.available());
  bool called = false;
  CHECK(client.request("GET", "http://x/", {}, {}, 0, nullptr, [&](const sb::http::Response&) {
    called = true;
  }) == "this host has no sb_http_v1 service");
  CHECK_FALSE(called);
  CHECK_FALSE(sb::http::Client().available());
}

TEST_CASE("sdk http: the request goes over as the ABI describes and callbacks run once each") {
  offer_http = true;
  refuse_next = false;
  const sb_host_api host = fake_host();
  sb::http::Client client(sb::Host{&host, nullptr});
  REQUIRE(client.available());

  std::string streamed;
  int done_calls = 0;
  sb::http::Response last;
  std::string last_body;
  const std::string why = client.request(
      "POST", "https://api.example/v1", {{"Authorization", "Bearer k\"1"}, {"X-A", "b"}},
      R"({"q":1})", 2500, [&](std::string_view chunk) { streamed += chunk; },
      [&](const sb::http::Response& r) {
        ++done_calls;
        last = r;
        last_body = std::string(r.error);
      });
  REQUIRE(why.empty());
  CHECK(seen.method == "POST");
  CHECK(seen.url == "https://api.example/v1");
  CHECK(seen.headers_json == R"({"Authorization":"Bearer k\"1","X-A":"b"})");
  CHECK(seen.body == R"({"q":1})");
  CHECK(seen.timeout_ms == 2500);
  REQUIRE(seen.on_chunk);
  REQUIRE(seen.on_done);

  seen.on_chunk(seen.user, sb_str_from("data: a\n\n"));
  seen.on_chunk(seen.user, sb_str_from("data: b\n\n"));
  sb_http_response response{sizeof(sb_http_response), 0, {}, {}, sb_str_from("timeout")};
  seen.on_done(seen.user, &response);
  CHECK(streamed == "data: a\n\ndata: b\n\n");
  CHECK(done_calls == 1);
  CHECK(last.status == 0);
  CHECK(last_body == "timeout");

  SECTION("without on_chunk the body is buffered: no chunk callback is handed over") {
    REQUIRE(client.request("GET", "http://x/", {}, {}, 0, nullptr, [](const sb::http::Response&) {})
                .empty());
    CHECK(seen.on_chunk == nullptr);
    seen.on_done(seen.user, &response);  // frees the call
  }
  SECTION("a refused request says why and calls nothing") {
    refuse_next = true;
    bool called = false;
    CHECK(client.request("GET", "nonsense", {}, {}, 0, nullptr,
                         [&](const sb::http::Response&) { called = true; }) == "url: no host");
    CHECK_FALSE(called);
  }
  SECTION("an exception in a callback stays in the plugin and is logged") {
    logged.clear();
    REQUIRE(client
                .request("GET", "http://x/", {}, {}, 0, nullptr,
                         [](const sb::http::Response&) { throw std::runtime_error("cb boom"); })
                .empty());
    seen.on_done(seen.user, &response);
    CHECK(logged == std::vector<std::string>{"cb boom"});
  }
}
