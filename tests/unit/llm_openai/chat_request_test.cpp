#include "chat_request.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "usage.hpp"

using switchboard::llm_openai::build_chat_body;
using switchboard::llm_openai::ChatBody;
using switchboard::llm_openai::ProviderConfig;

namespace {

const std::string kMessages =
    R"([{"role":"system","content":"You are the shop's assistant."},
        {"role":"user","content":"Where is my order?","extra":1}])";

boost::json::object body_of(const ProviderConfig& config, uint32_t max_tokens) {
  ChatBody body;
  std::string error;
  REQUIRE(build_chat_body(config, kMessages, max_tokens, body, error));
  return boost::json::parse(body.json).as_object();
}

}  // namespace

TEST_CASE("request: model, messages and the stream flag") {
  ProviderConfig config;
  config.model = "deepseek-chat";
  const auto body = body_of(config, 0);
  CHECK(body.at("model") == "deepseek-chat");
  CHECK(body.at("stream") == false);
  CHECK_FALSE(body.contains("stream_options"));
  CHECK_FALSE(body.contains("max_tokens"));
  CHECK_FALSE(body.contains("temperature"));
  // Only role and content are passed on, in order.
  CHECK(body.at("messages") ==
        boost::json::parse(R"([{"role":"system","content":"You are the shop's assistant."},
                              {"role":"user","content":"Where is my order?"}])"));
}

TEST_CASE("request: streaming asks for usage, limits fall back to the config") {
  ProviderConfig config;
  config.model = "m";
  config.stream = true;
  config.max_tokens = 256;
  config.temperature = 0.3;
  auto body = body_of(config, 0);
  CHECK(body.at("stream") == true);
  CHECK(body.at("stream_options").at("include_usage") == true);
  CHECK(body.at("max_tokens") == 256);
  CHECK(body.at("temperature").as_double() == Approx(0.3));
  // The host's own limit wins.
  body = body_of(config, 64);
  CHECK(body.at("max_tokens") == 64);
}

TEST_CASE("request: the prompt estimate counts every message") {
  ProviderConfig config;
  config.model = "m";
  ChatBody body;
  std::string error;
  REQUIRE(build_chat_body(config, R"([{"role":"user","content":"12345678"}])", 0, body, error));
  CHECK(body.estimated_prompt_tokens == 2 + switchboard::llm_openai::kEstimatedTokensPerMessage);
}

TEST_CASE("request: messages that are not [{role, content}] are refused with the index") {
  ProviderConfig config;
  ChatBody body;
  std::string error;
  CHECK_FALSE(build_chat_body(config, "not json", 0, body, error));
  CHECK_THAT(error, Catch::Contains("not JSON"));
  CHECK_FALSE(build_chat_body(config, "[]", 0, body, error));
  CHECK_THAT(error, Catch::Contains("non-empty array"));
  CHECK_FALSE(build_chat_body(
      config, R"([{"role":"user","content":"a"},{"role":"user","content":null}])", 0, body, error));
  CHECK_THAT(error, Catch::Contains("messages_json[1]"));
  CHECK_FALSE(build_chat_body(config, R"([{"content":"a"}])", 0, body, error));
  CHECK_THAT(error, Catch::Contains("messages_json[0]"));
}
