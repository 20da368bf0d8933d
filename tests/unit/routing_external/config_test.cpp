// The [plugins.routing-external] table: what is accepted, and a message naming the
// key for what is not.
#include "config.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

using switchboard::routing_external::Config;
using switchboard::routing_external::read_config;

namespace {

std::optional<std::string> env_of(const std::string& name) {
  static const std::map<std::string, std::string> env = {{"DESK_KEY", "s3cret"}, {"EMPTY_KEY", ""}};
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

Config read(const std::string& json) {
  return read_config(json, env_of);
}

std::string header(const Config& config, const std::string& name) {
  for (const auto& [key, value] : config.headers)
    if (key == name) return value;
  return {};
}

}  // namespace

TEST_CASE("config: url alone, with the defaults") {
  const Config config = read(R"({"url":"http://127.0.0.1:9/route"})");
  CHECK(config.url == "http://127.0.0.1:9/route");
  CHECK(config.timeout_ms == 2000);
  CHECK(header(config, "Content-Type") == "application/json");
  CHECK(header(config, "Authorization").empty());
}

TEST_CASE("config: timeout, headers and the key from the environment") {
  const Config config = read(
      R"({"url":"https://desk.test/r","timeout_ms":750,"headers":{"X-Desk":"eu"},"api_key_env":"DESK_KEY"})");
  CHECK(config.timeout_ms == 750);
  CHECK(header(config, "X-Desk") == "eu");
  CHECK(header(config, "Authorization") == "Bearer s3cret");
}

TEST_CASE("config: every mistake names its key") {
  auto refused = [](const std::string& json, const std::string& says) {
    INFO(json);
    CHECK_THROWS_WITH(read(json), Catch::Contains(says));
  };
  refused("{}", "routing-external: url is required");
  refused(R"({"url":7})", "url must be a string");
  refused(R"({"url":"ftp://x/"})", "url must start with http:// or https://");
  refused(R"({"url":"http://x/","timeout_ms":0})", "timeout_ms must be an integer from 1 to 60000");
  refused(R"({"url":"http://x/","timeout_ms":60001})", "timeout_ms");
  refused(R"({"url":"http://x/","headers":{"Authorization":"Bearer k"}})",
          "headers.Authorization is not allowed");
  refused(R"({"url":"http://x/","headers":{"X-A":1}})", "headers.X-A must be a string");
  refused(R"({"url":"http://x/","api_key_env":"NOT_SET"})",
          "names the environment variable NOT_SET, which is not set");
  refused(R"({"url":"http://x/","api_key_env":"EMPTY_KEY"})", "EMPTY_KEY");
}

TEST_CASE("config: a key pasted instead of a variable name is not echoed") {
  try {
    read(R"({"url":"http://x/","api_key_env":"sk-live-abc123/xyz"})");
    FAIL("accepted a key as a variable name");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("NAME of an environment variable"));
    CHECK_THAT(e.what(), !Catch::Contains("sk-live"));
  }
}
