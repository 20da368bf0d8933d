// The fake OpenAI-compatible server other tests rely on, checked with the plain
// test HTTP client, and its replies read by the plugin's own answer reader.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>

#include "chat_call.hpp"
#include "support/build_speed.hpp"
#include "support/fake_openai.hpp"
#include "support/http_client.hpp"

using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;
using namespace std::chrono_literals;

namespace {

const std::string kRequest = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

sb::test::HttpResponse post_chat(const FakeOpenAiServer& fake,
                                 std::chrono::milliseconds timeout = 5s) {
  return sb::test::http_request(
      fake.port(), "POST", "/v1/chat/completions", kRequest,
      {{"Authorization", "Bearer k1"}, {"Content-Type", "application/json"}}, timeout);
}

switchboard::llm_openai::Outcome read_as_plugin(const sb::test::HttpResponse& response,
                                                bool stream) {
  switchboard::llm_openai::ChatCall call(stream, 1, 1000);
  if (!stream) return call.on_done(response.status, response.body, "");
  call.on_chunk(response.body);
  return call.on_done(response.status, "", "");
}

}  // namespace

TEST_CASE("fake server: answers in order, then the default, and records each request") {
  FakeOpenAiServer fake;
  CHECK(fake.base_url() == "http://127.0.0.1:" + std::to_string(fake.port()) + "/v1");
  fake.enqueue(FakeReply::answer("first"));
  fake.enqueue(FakeReply::error(429, "slow down"));

  auto completion = read_as_plugin(post_chat(fake), false);
  REQUIRE(completion.ok);
  CHECK(boost::json::parse(completion.result_json).at("text") == "first");
  const auto limited = post_chat(fake);
  CHECK(limited.status == 429);
  CHECK(read_as_plugin(limited, false).error == "the provider answered HTTP 429: slow down");
  CHECK(post_chat(fake).json().at("choices").at(0).at("message").at("content") == "ok");

  REQUIRE(fake.wait_for_requests(3));
  const auto requests = fake.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/v1/chat/completions");
  CHECK(requests[0].headers.at("authorization") == "Bearer k1");
  CHECK(requests[0].json().at("messages").at(0).at("content") == "hi");
}

TEST_CASE("fake server: a stream arrives as chunked server-sent events") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::stream({"Your order ", "ships today."}, true, 5ms));
  const auto response = post_chat(fake);
  CHECK(response.status == 200);
  CHECK(response.headers.at("content-type") == "text/event-stream");
  CHECK(response.headers.at("transfer-encoding") == "chunked");
  const auto completion = read_as_plugin(response, true);
  REQUIRE(completion.ok);
  const auto result = boost::json::parse(completion.result_json);
  CHECK(result.at("text") == "Your order ships today.");
  CHECK(result.at("usage").at("prompt_tokens") == 13);
}

TEST_CASE("fake server: a delayed reply keeps the client waiting") {
  // The test client stretches its 300 ms limit in a sanitized build (to 1.5 s,
  // support/build_speed.hpp), so the reply comes and the bound lies that much later
  // there too; in a release build they are 2 s and 1.5 s.
  const auto client_limit = sb::test::harness_deadline(300ms);
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::answer("late").after(client_limit + 1700ms));
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(post_chat(fake, 300ms), std::runtime_error);
  CHECK(std::chrono::steady_clock::now() - start < client_limit + 1200ms);
}

TEST_CASE("fake server: other paths get a 404 in OpenAI's error shape") {
  FakeOpenAiServer fake;
  const auto response = sb::test::http_get(fake.port(), "/v1/models");
  CHECK(response.status == 404);
  CHECK_THAT(std::string(response.json().at("error").at("message").as_string()),
             Catch::Contains("only POST /v1/chat/completions"));
}
