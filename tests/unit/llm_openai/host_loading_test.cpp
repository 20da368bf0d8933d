// The real plugin host loads llm-openai as an LLM plugin and learns its config keys
// (what check-config validates a tenant's [plugins.llm-openai] table against).
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "plugin_host/plugin_host.hpp"

namespace fs = std::filesystem;

TEST_CASE("host: llm-openai loads as an LLM plugin of ABI 1.1 with its config keys") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("sb-llm-test-" + std::to_string(rd()));
  fs::create_directories(dir);
  fs::copy_file(LLM_OPENAI_SO, dir / "llm-openai.so");
  {
    sb::plugin_host::PluginHost host(dir, {});
    host.scan();
    const auto plugins = host.plugins();
    REQUIRE(plugins.size() == 1);
    CHECK(plugins[0].name == "llm-openai");
    CHECK(plugins[0].kind == SB_KIND_LLM);
    CHECK(plugins[0].abi_major == 1);
    CHECK(plugins[0].abi_minor == 1);
    const auto* schema = host.schema("llm-openai");
    REQUIRE(schema);
    CHECK(schema->keys ==
          std::vector<std::pair<std::string, int32_t>>{{"base_url", SB_CONFIG_STRING},
                                                       {"model", SB_CONFIG_STRING},
                                                       {"api_key_env", SB_CONFIG_STRING},
                                                       {"stream", SB_CONFIG_BOOLEAN},
                                                       {"temperature", SB_CONFIG_FLOAT},
                                                       {"max_tokens", SB_CONFIG_INTEGER},
                                                       {"timeout_ms", SB_CONFIG_INTEGER},
                                                       {"headers", SB_CONFIG_TABLE}});
  }
  fs::remove_all(dir);
}
