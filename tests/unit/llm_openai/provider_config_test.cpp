#include "provider_config.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>
#include <string>

using switchboard::llm_openai::ProviderConfig;
using switchboard::llm_openai::read_config;

namespace {

switchboard::llm_openai::EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string config_error(const std::string& json,
                         switchboard::llm_openai::EnvLookup env = fake_env({})) {
  try {
    read_config(json, env);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no error for " << json);
  return {};
}

std::map<std::string, std::string> headers_of(const ProviderConfig& config) {
  return {config.headers.begin(), config.headers.end()};
}

}  // namespace

TEST_CASE("config: base_url and model give the endpoint, defaults for the rest") {
  const auto config =
      read_config(R"({"base_url":"http://127.0.0.1:8000/v1/","model":"qwen"})", fake_env({}));
  CHECK(config.chat_url == "http://127.0.0.1:8000/v1/chat/completions");
  CHECK(config.model == "qwen");
  CHECK_FALSE(config.stream);
  CHECK_FALSE(config.temperature);
  CHECK(config.max_tokens == 0);
  CHECK(config.timeout_ms == 30000);
  const auto headers = headers_of(config);
  CHECK(headers.at("Content-Type") == "application/json");
  CHECK(headers.at("Accept") == "application/json");
  CHECK_FALSE(headers.count("Authorization"));
}

TEST_CASE("config: the key comes from the named environment variable") {
  const auto config = read_config(
      R"({"base_url":"https://api.example.com/v1","model":"m","api_key_env":"SHOP_LLM_KEY",
          "stream":true,"temperature":0.2,"max_tokens":300,"timeout_ms":9000,
          "headers":{"X-Project":"shop"}})",
      fake_env({{"SHOP_LLM_KEY", "sk-test-123"}}));
  const auto headers = headers_of(config);
  CHECK(headers.at("Authorization") == "Bearer sk-test-123");
  CHECK(headers.at("X-Project") == "shop");
  CHECK(headers.at("Accept") == "text/event-stream");
  CHECK(config.stream);
  CHECK(config.temperature == Approx(0.2));
  CHECK(config.max_tokens == 300);
  CHECK(config.timeout_ms == 9000);
}

TEST_CASE("config: a missing or empty key variable is a clear error naming it") {
  const std::string json = R"({"base_url":"http://h/v1","model":"m","api_key_env":"SHOP_KEY"})";
  for (const auto& env : {fake_env({}), fake_env({{"SHOP_KEY", ""}})}) {
    const std::string error = config_error(json, env);
    CHECK_THAT(error, Catch::Contains("api_key_env") && Catch::Contains("SHOP_KEY") &&
                          Catch::Contains("not set"));
  }
}

TEST_CASE("config: a key pasted into api_key_env is refused without being echoed") {
  const std::string key = "sk-proj-AbCdEf0123456789AbCdEf0123456789";
  const std::string error =
      config_error(R"({"base_url":"http://h/v1","model":"m","api_key_env":")" + key + "\"}");
  CHECK_THAT(error, Catch::Contains("NAME of an environment variable"));
  CHECK_THAT(error, !Catch::Contains("sk-proj"));
}

TEST_CASE("config: mistakes name the key") {
  CHECK_THAT(config_error(R"({"model":"m"})"), Catch::Contains("base_url is required"));
  CHECK_THAT(config_error(R"({"base_url":"api.openai.com/v1","model":"m"})"),
             Catch::Contains("base_url must start with http"));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1/chat/completions","model":"m"})"),
             Catch::Contains("without \"/chat/completions\""));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1"})"), Catch::Contains("model is required"));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1","model":"m","temperature":3})"),
             Catch::Contains("temperature must be from 0 to 2"));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1","model":"m","timeout_ms":0})"),
             Catch::Contains("timeout_ms must be an integer from 1"));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1","model":"m",
                              "headers":{"authorization":"Bearer x"}})"),
             Catch::Contains("headers.authorization is not allowed"));
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1","model":"m","headers":{"X-A":1}})"),
             Catch::Contains("headers.X-A must be a string"));
  // The plugin picks Accept by `stream`; a second one would contradict it.
  CHECK_THAT(config_error(R"({"base_url":"http://h/v1","model":"m","headers":{"ACCEPT":"*/*"}})"),
             Catch::Contains("headers.ACCEPT is set by the plugin"));
}
