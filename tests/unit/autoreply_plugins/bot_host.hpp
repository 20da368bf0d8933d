// A plugin host with just the two auto-reply plugins, and one visitor message at a
// time through an instance's reply(), the way the pipeline calls it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "plugin_host/plugin_host.hpp"
#include "support/temp_dir.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

namespace autoreply_test {

namespace fs = std::filesystem;
using sb::plugin_host::CallResult;
using sb::plugin_host::Instance;

// Where demo.toml lives: the demo's [plugins.*] tables name files relative to it.
inline const fs::path kTenantsDir = fs::path(SWITCHBOARD_SOURCE_DIR) / "tenants";

struct Reply {
  int32_t status = 0;  // SB_OK (answered), SB_DEFER, SB_ERROR
  boost::json::object result;
  std::string error;
};

class BotHost {
 public:
  BotHost() {
    for (const char* name : {"autoreply-faq", "autoreply-intent"}) {
      const auto file = std::string(name) + ".so";
      fs::copy_file(fs::path(SWITCHBOARD_PLUGIN_DIR) / file, plugins_.path() / file);
    }
    host_ = std::make_unique<sb::plugin_host::PluginHost>(plugins_.path(),
                                                          sb::plugin_host::HostOptions{});
    host_->scan();
  }

  // The instance, or nullptr with error set (instance_new refused the config).
  std::shared_ptr<Instance> create(const std::string& plugin, const std::string& config_json,
                                   const fs::path& config_dir, std::string& error) {
    sb::plugin_host::InstanceConfig config;
    config.config_json = config_json;
    config.config_dir = config_dir.string();
    return host_->create_instance(plugin, "demo", config, data_.subdir(plugin), error);
  }

  std::shared_ptr<Instance> create(const std::string& plugin, const std::string& config_json) {
    std::string error;
    auto instance = create(plugin, config_json, kTenantsDir, error);
    INFO(error);
    REQUIRE(instance);
    return instance;
  }

  Reply reply(const std::shared_ptr<Instance>& bot, const std::string& text,
              const std::string& context_json = "{}", const std::string& language = "") {
    const sb_autoreply_api* api = bot->autoreply_api();
    REQUIRE(api);
    sb_autoreply_request req{};
    req.struct_size = sizeof(req);
    req.text = sb::str(text);
    req.language = sb::str(language);
    req.attributes_json = sb::str("{}");
    req.context_json = sb::str(context_json);
    std::optional<CallResult> got;
    bot->call_async([&](sb_instance* inst, sb_op* op,
                        sb_error* err) { return api->reply(inst, &req, op, err); },
                    io_.get_executor(), [&](CallResult r) { got = std::move(r); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!got && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
    }
    REQUIRE(got);
    Reply out{got->status, {}, got->error};
    if (!got->result.empty()) out.result = boost::json::parse(got->result).as_object();
    return out;
  }

 private:
  sb::test::TempDir plugins_{"autoreply-plugins"};
  sb::test::TempDir data_{"autoreply-data"};
  boost::asio::io_context io_;
  std::unique_ptr<sb::plugin_host::PluginHost> host_;
};

inline std::string text_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace autoreply_test
