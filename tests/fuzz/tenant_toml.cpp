// A tenant file (tenants/<id>.toml) as the loader reads it at start-up, on a hot
// reload and for the admin pages' writes (which check the whole new text first).
// Every problem must come back as a config error, never as a crash or a throw.
#include <map>
#include <string>

#include "fuzz_input.hpp"
#include "tenants/tenant_loader.hpp"

namespace {

// The plugins the loader may find installed, with the keys they declare.
const sb::tenants::PluginLookup& fuzz_plugins() {
  using sb::tenants::PluginSchema;
  static const std::map<std::string, PluginSchema, std::less<>> installed = {
      {"storage-sqlite",
       {"storage-sqlite",
        SB_KIND_STORAGE,
        {{"path", SB_CONFIG_STRING}, {"busy_timeout_ms", SB_CONFIG_INTEGER}}}},
      {"routing-least-busy", {"routing-least-busy", SB_KIND_ROUTING, {}}},
      {"routing-sticky", {"routing-sticky", SB_KIND_ROUTING, {}}},
      {"routing-skills", {"routing-skills", SB_KIND_ROUTING, {{"weights", SB_CONFIG_TABLE}}}},
      {"autoreply-faq",
       {"autoreply-faq",
        SB_KIND_AUTOREPLY,
        {{"threshold", SB_CONFIG_FLOAT}, {"files", SB_CONFIG_ARRAY}}}},
      {"autoreply-flow", {"autoreply-flow", SB_KIND_AUTOREPLY, {{"files", SB_CONFIG_ARRAY}}}},
      {"llm-openai", {"llm-openai", SB_KIND_LLM, {{"model", SB_CONFIG_STRING}}}},
  };
  static const sb::tenants::PluginLookup lookup = [](std::string_view name) -> const PluginSchema* {
    auto it = installed.find(name);
    return it == installed.end() ? nullptr : &it->second;
  };
  return lookup;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sb::ConfigErrors errors;
  // The file is named as a tenants directory's would be; nothing next to it exists.
  (void)sb::tenants::load_tenant_text(sb::fuzz::as_text(data, size),
                                      "/nonexistent/tenants/shop.toml", fuzz_plugins(),
                                      "storage-sqlite", errors);
  return 0;
}
