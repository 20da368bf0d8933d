// The outbound HTTP client against a real local server (the fake OpenAI server of
// tests/support, on port 0): answers, streamed bodies in pieces, keep-alive reuse,
// the time limit, refused connections and the buffered-body cap.
#include "http_client/http_client.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "support/fake_openai.hpp"

using namespace sb::http_client;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;
using namespace std::chrono_literals;

namespace {

// A client on its own I/O thread, as the host runs it.
struct Fixture {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
  Client client;
  FakeOpenAiServer server;

  Fixture() : work(io.get_executor()), client(io.get_executor()) {
    thread = std::thread([this] { io.run(); });
  }
  ~Fixture() {
    work.reset();
    io.stop();
    thread.join();
  }

  std::string url(const std::string& path = "/v1/chat/completions") const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
  }

  // Sends a request and waits for its end; chunks (when streamed) land in *chunks.
  Response send(Request request, std::vector<std::string>* chunks = nullptr) {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<Response> done;
    int done_calls = 0;
    OnChunk on_chunk;
    if (chunks) on_chunk = [chunks](std::string_view c) { chunks->emplace_back(c); };
    const std::string why = client.request(std::move(request), on_chunk, [&](Response r) {
      std::lock_guard lock(mutex);
      ++done_calls;
      done = std::move(r);
      cv.notify_all();
    });
    REQUIRE(why.empty());
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return done.has_value(); }));
    lock.unlock();
    std::this_thread::sleep_for(10ms);  // a second on_done would show up here
    lock.lock();
    CHECK(done_calls == 1);
    return *done;
  }

  Request post(const std::string& body = R"({"q":1})") const {
    Request r;
    r.method = "POST";
    r.url = url();
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0k"}};
    r.body = body;
    r.timeout = 3s;
    return r;
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "http client: a plain answer with its status, type and body") {
  server.enqueue(FakeReply::raw(201, "application/json", R"({"agent_id":"a1"})"));
  const Response r = send(post());
  CHECK(r.error.empty());
  CHECK(r.status == 201);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"agent_id":"a1"})");
  // Every header as received (a forwarding node passes them on).
  const auto type = std::find_if(r.headers.begin(), r.headers.end(),
                                 [](const auto& h) { return h.first == "Content-Type"; });
  REQUIRE(type != r.headers.end());
  CHECK(type->second == "application/json");
  REQUIRE(server.wait_for_requests(1));
  const auto seen = server.requests()[0];
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/v1/chat/completions");
  CHECK(seen.headers.at("authorization") == "Bearer t0k");
  CHECK(seen.headers.at("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen.body == R"({"q":1})");
}

TEST_CASE_METHOD(Fixture,
                 "http client: a chunked body arrives in pieces as the server sends them") {
  FakeReply reply;
  reply.content_type = "text/event-stream";
  reply.chunks = {"data: one\n\n", "data: two\n\n", "data: [DONE]\n\n"};
  reply.chunk_pause = 80ms;
  server.enqueue(reply);
  std::vector<std::string> chunks;
  const auto started = std::chrono::steady_clock::now();
  const Response r = send(post(), &chunks);
  CHECK(r.error.empty());
  CHECK(r.status == 200);
  CHECK(r.body.empty());  // streamed, not buffered
  std::string joined;
  for (const auto& c : chunks) joined += c;
  CHECK(joined == "data: one\n\ndata: two\n\ndata: [DONE]\n\n");
  // Delivered as they came, not gathered at the end.
  CHECK(chunks.size() >= 3);
  CHECK(std::chrono::steady_clock::now() - started >= 160ms);
}

TEST_CASE_METHOD(Fixture, "http client: sequential requests to one host share one connection") {
  server.enqueue(FakeReply::raw(200, "text/plain", "first"));
  server.enqueue(FakeReply::raw(200, "text/plain", "second"));
  CHECK(send(post()).body == "first");
  CHECK(client.idle_connections() == 1);
  CHECK(send(post()).body == "second");
  CHECK(server.connections() == 1);
  CHECK(server.requests().size() == 2);
}

TEST_CASE_METHOD(Fixture, "http client: the time limit covers the whole request") {
  server.enqueue(FakeReply::raw(200, "text/plain", "too late").after(1500ms));
  Request request = post();
  request.timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const Response r = send(request);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(r.status == 0);
  CHECK(r.error == "timeout");
  CHECK(took >= 190ms);
  CHECK(took < 1000ms);
  // The timed-out connection is not reused: the next request still works.
  server.enqueue(FakeReply::raw(200, "text/plain", "fine"));
  CHECK(send(post()).body == "fine");
}

TEST_CASE_METHOD(Fixture, "http client: a refused connection and a non-TLS server say so") {
  // A port that was just free: bind, note it, close.
  uint16_t closed_port;
  {
    boost::asio::io_context tmp;
    boost::asio::ip::tcp::acceptor a(tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  Request request = post();
  request.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/";
  const Response refused = send(request);
  CHECK(refused.status == 0);
  CHECK_THAT(refused.error, Catch::StartsWith("connect: ") && Catch::Contains("refused"));

  request.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  const Response not_tls = send(request);
  CHECK(not_tls.status == 0);
  CHECK_THAT(not_tls.error, Catch::StartsWith("tls: "));
}

TEST_CASE_METHOD(Fixture,
                 "http client: a buffered body is capped at 8 MiB, a streamed one is not") {
  const std::string big(8 * 1024 * 1024 + 1, 'x');
  server.enqueue(FakeReply::raw(200, "text/plain", big));
  const Response capped = send(post());
  CHECK(capped.status == 0);
  CHECK(capped.error == "body larger than 8388608 bytes");
  CHECK(capped.body.empty());

  server.enqueue(FakeReply::raw(200, "text/plain", big));
  std::vector<std::string> chunks;
  const Response streamed = send(post(), &chunks);
  CHECK(streamed.error.empty());
  size_t total = 0;
  for (const auto& c : chunks) total += c.size();
  CHECK(total == big.size());

  const std::string exact(8 * 1024 * 1024, 'y');
  server.enqueue(FakeReply::raw(200, "text/plain", exact));
  CHECK(send(post()).body.size() == exact.size());
}

TEST_CASE_METHOD(Fixture, "http client: malformed requests are refused before anything is sent") {
  bool called = false;
  auto done = [&](Response) { called = true; };
  Request bad = post();
  bad.url = "gopher://x/";
  CHECK_THAT(client.request(bad, {}, done), Catch::Contains("only http:// and https://"));
  bad = post();
  bad.method = "FETCH";
  CHECK_THAT(client.request(bad, {}, done), Catch::Contains("unknown HTTP method"));
  bad = post();
  bad.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  CHECK_THAT(client.request(bad, {}, done), Catch::Contains("line break"));
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(called);
  CHECK(server.requests().empty());
}
