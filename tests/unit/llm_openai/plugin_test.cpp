// The llm-openai plugin loaded as a host loads it, talking HTTP to the fake
// OpenAI-compatible server: what the host gets back for each way a provider can
// answer, and what the provider receives.
#include <stdlib.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "support/fake_openai.hpp"
#include "switchboard/sb_plugin.h"
#include "test_host.hpp"

using llm_openai_test::ChatOutcome;
using llm_openai_test::LlmTestHost;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kPluginMessages =
    R"([{"role":"system","content":"You are Demo Shop's assistant. Answer briefly."},
        {"role":"user","content":"Where is my order 12345?"}])";

std::string config_for(const FakeOpenAiServer& fake, json::object extra = {}) {
  json::object config{{"base_url", fake.base_url()}, {"model", "shop-model"}};
  for (auto& [key, value] : extra) config[key] = value;
  return json::serialize(config);
}

// A host with the plugin opened on config; fails the test when it is refused.
std::unique_ptr<LlmTestHost> open_host(const std::string& config) {
  auto host = std::make_unique<LlmTestHost>(LLM_OPENAI_SO);
  std::string error;
  INFO(error);
  REQUIRE(host->open(config, error));
  return host;
}

json::value plugin_result_of(const ChatOutcome& outcome) {
  INFO("status " << outcome.status << ", error: " << outcome.error);
  REQUIRE(outcome.status == SB_OK);
  REQUIRE(outcome.completions == 1);
  return json::parse(outcome.result);
}

std::string error_of(const ChatOutcome& outcome) {
  INFO("status " << outcome.status << ", result: " << outcome.result);
  REQUIRE(outcome.status == SB_ERROR);
  return outcome.error;
}

// Past the deadline, the host's own timer or the plugin's request time limit (set
// to the deadline) ends the call, whichever fires first; either is an error.
void check_deadline_error(const ChatOutcome& outcome) {
  const std::string error = error_of(outcome);
  if (!outcome.timed_out) CHECK_THAT(error, Catch::StartsWith("no complete answer within"));
}

}  // namespace

TEST_CASE("plugin: a whole answer completes with its text and the provider's usage") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::answer("Order 12345 ships today.", 31, 6));
  auto host = open_host(config_for(fake));
  const auto result = plugin_result_of(host->chat(kPluginMessages));
  CHECK(result.at("text") == "Order 12345 ships today.");
  CHECK(result.at("usage").at("prompt_tokens") == 31);
  CHECK(result.at("usage").at("completion_tokens") == 6);
}

TEST_CASE("plugin: the request carries the model, the messages and the limits") {
  FakeOpenAiServer fake;
  auto host = open_host(config_for(fake, {{"temperature", 0.2}, {"max_tokens", 300}}));
  plugin_result_of(host->chat(kPluginMessages, /*max_tokens=*/120));
  REQUIRE(fake.wait_for_requests(1));
  const auto request = fake.requests().at(0);
  CHECK(request.method == "POST");
  CHECK(request.target == "/v1/chat/completions");
  CHECK(request.headers.at("content-type") == "application/json");
  CHECK_FALSE(request.headers.count("authorization"));  // no api_key_env, no key
  const auto body = request.json();
  CHECK(body.at("model") == "shop-model");
  CHECK(body.at("messages") == json::parse(kPluginMessages));  // system prompt first, as given
  CHECK(body.at("max_tokens") == 120);                         // the host's limit wins
  CHECK(body.at("temperature").as_double() == Approx(0.2));
  CHECK(body.at("stream") == false);
}

TEST_CASE("plugin: Authorization carries the key from the named environment variable") {
  FakeOpenAiServer fake;
  REQUIRE(setenv("SB_TEST_LLM_KEY", "sk-test-9f8e7d", 1) == 0);
  auto host = open_host(config_for(fake, {{"api_key_env", "SB_TEST_LLM_KEY"}}));
  plugin_result_of(host->chat(kPluginMessages));
  REQUIRE(fake.wait_for_requests(1));
  CHECK(fake.requests().at(0).headers.at("authorization") == "Bearer sk-test-9f8e7d");
  unsetenv("SB_TEST_LLM_KEY");
}

TEST_CASE("plugin: a missing key variable fails instance creation, naming the variable") {
  FakeOpenAiServer fake;
  unsetenv("SB_TEST_LLM_MISSING_KEY");
  LlmTestHost host(LLM_OPENAI_SO);
  std::string error;
  CHECK_FALSE(host.open(config_for(fake, {{"api_key_env", "SB_TEST_LLM_MISSING_KEY"}}), error));
  CHECK_THAT(error, Catch::Contains("SB_TEST_LLM_MISSING_KEY") && Catch::Contains("not set"));
}

TEST_CASE("plugin: a stream is assembled from its events as they arrive") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::stream({"Order 12345 ", "ships ", "today."}, true, 30ms));
  auto host = open_host(config_for(fake, {{"stream", true}}));
  const auto outcome = host->chat(kPluginMessages);
  const auto result = plugin_result_of(outcome);
  CHECK(result.at("text") == "Order 12345 ships today.");
  CHECK(result.at("usage").at("prompt_tokens") == 13);  // the fake's usage event
  CHECK(outcome.took >= 150ms);  // 6 events, 30 ms apart: it really was streamed
  const auto request = fake.requests().at(0);
  CHECK(request.json().at("stream") == true);
  CHECK(request.headers.at("accept") == "text/event-stream");
}

TEST_CASE("plugin: a stream split mid-line, with CRLF and comments, without usage") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::sse(
      {": keep-alive\r\n\r\n", "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r",
       "\n\r\ndata: {\"choices\":[{\"del",
       "ta\":{\"content\":\"lo 你好\"}}]}\r\n\r\n: ping\r\n\r\n", "data: [DONE]\r\n\r\n"},
      10ms));
  auto host = open_host(config_for(fake, {{"stream", true}}));
  const auto result = plugin_result_of(host->chat(kPluginMessages));
  CHECK(result.at("text") == "Hello 你好");
  // No usage event: estimated, and marked so.
  CHECK(result.at("usage").at("estimated") == true);
  CHECK(result.at("usage").at("completion_tokens").as_int64() > 0);
  CHECK(result.at("usage").at("prompt_tokens").as_int64() > 8);
}

TEST_CASE("plugin: an answer later than the deadline completes with an error, in time") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::answer("too late").after(3s));
  auto host = open_host(config_for(fake));
  const auto outcome = host->chat(kPluginMessages, 0, /*deadline=*/400ms, /*wait=*/5s);
  check_deadline_error(outcome);
  CHECK(outcome.took >= 350ms);
  CHECK(outcome.took < 1500ms);
  CHECK(host->completions_after(100ms) == 1);
}

TEST_CASE("plugin: a stream that stalls past the deadline completes with an error") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::sse(
      {"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n", "data: [DONE]\n\n"}, 3s));
  auto host = open_host(config_for(fake, {{"stream", true}}));
  const auto outcome = host->chat(kPluginMessages, 0, 400ms, 5s);
  check_deadline_error(outcome);
  CHECK(outcome.took < 1500ms);
}

TEST_CASE("plugin: HTTP errors complete with the provider's message") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::error(500, "The server had an error while processing your request"));
  fake.enqueue(FakeReply::error(429, "Rate limit reached for requests"));
  fake.enqueue(FakeReply::error(401, "Incorrect API key provided"));
  SECTION("whole answers") {
    auto host = open_host(config_for(fake));
    CHECK(error_of(host->chat(kPluginMessages)) ==
          "the provider answered HTTP 500: The server had an error while processing your request");
    CHECK(error_of(host->chat(kPluginMessages)) ==
          "the provider answered HTTP 429: Rate limit reached for requests");
    CHECK(error_of(host->chat(kPluginMessages)) ==
          "the provider answered HTTP 401: Incorrect API key provided");
  }
  SECTION("streamed") {
    auto host = open_host(config_for(fake, {{"stream", true}}));
    CHECK(error_of(host->chat(kPluginMessages)) ==
          "the provider answered HTTP 500: The server had an error while processing your request");
  }
}

TEST_CASE("plugin: malformed JSON and empty content complete with an error") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::raw(200, "application/json", "{\"choices\":[{\"message\":"));
  fake.enqueue(FakeReply::answer(""));
  fake.enqueue(FakeReply::raw(200, "text/html", "<html>gateway</html>"));
  auto host = open_host(config_for(fake));
  CHECK_THAT(error_of(host->chat(kPluginMessages)),
             Catch::StartsWith("malformed answer: not JSON"));
  CHECK_THAT(error_of(host->chat(kPluginMessages)),
             Catch::StartsWith("the provider returned an empty answer"));
  CHECK_THAT(error_of(host->chat(kPluginMessages)),
             Catch::StartsWith("malformed answer: not JSON"));
}

TEST_CASE("plugin: an empty or malformed stream completes with an error") {
  FakeOpenAiServer fake;
  fake.enqueue(FakeReply::stream({}, true, 5ms));
  fake.enqueue(FakeReply::sse({"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n",
                               "data: {not json}\n\n", "data: [DONE]\n\n"},
                              5ms));
  fake.enqueue(
      FakeReply::sse({"data: {\"choices\":[{\"delta\":{\"content\":\"Half an\"}}]}\n\n"}, 5ms));
  auto host = open_host(config_for(fake, {{"stream", true}}));
  CHECK_THAT(error_of(host->chat(kPluginMessages)),
             Catch::StartsWith("the provider returned an empty answer"));
  CHECK_THAT(error_of(host->chat(kPluginMessages)), Catch::StartsWith("malformed stream: event 2"));
  CHECK_THAT(error_of(host->chat(kPluginMessages)), Catch::Contains("ended before"));
}

TEST_CASE("plugin: no server listening completes with an error") {
  std::string base_url;
  {
    FakeOpenAiServer gone;
    base_url = gone.base_url();
  }
  LlmTestHost host(LLM_OPENAI_SO);
  std::string error;
  REQUIRE(host.open(json::serialize(json::object{{"base_url", base_url}, {"model", "m"}}), error));
  CHECK_THAT(error_of(host.chat(kPluginMessages)), Catch::StartsWith("the request failed"));
}

TEST_CASE("plugin: bad messages and a passed deadline fail without a request") {
  FakeOpenAiServer fake;
  auto host = open_host(config_for(fake));
  const auto bad = host->chat(R"([{"role":"user"}])");
  CHECK(bad.status == SB_ERROR);
  CHECK_THAT(bad.error, Catch::Contains("messages_json[0]"));
  const auto late = host->chat(kPluginMessages, 0, -5ms);
  CHECK(late.status == SB_ERROR);
  CHECK(fake.requests().empty());
}
