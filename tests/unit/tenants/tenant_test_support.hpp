// Shared by the tenant tests: a fake set of installed plugins and temp files.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "tenants/tenant_loader.hpp"

namespace sb::tenants::test {

// The plugins the tests pretend are installed, with the kinds and keys they declare.
inline const PluginLookup& fake_plugins() {
  static const std::map<std::string, PluginSchema, std::less<>> installed = {
      {"storage-sqlite",
       {"storage-sqlite",
        SB_KIND_STORAGE,
        {{"path", SB_CONFIG_STRING},
         {"busy_timeout_ms", SB_CONFIG_INTEGER},
         {"wal", SB_CONFIG_BOOLEAN}}}},
      {"storage-postgres", {"storage-postgres", SB_KIND_STORAGE, {{"dsn", SB_CONFIG_STRING}}}},
      {"routing-least-busy", {"routing-least-busy", SB_KIND_ROUTING, {}}},
      {"routing-round-robin", {"routing-round-robin", SB_KIND_ROUTING, {}}},
      {"routing-sticky", {"routing-sticky", SB_KIND_ROUTING, {}}},
      {"autoreply-flow",
       {"autoreply-flow",
        SB_KIND_AUTOREPLY,
        {{"files", SB_CONFIG_ARRAY}, {"default_language", SB_CONFIG_STRING}}}},
      {"autoreply-faq",
       {"autoreply-faq",
        SB_KIND_AUTOREPLY,
        {{"threshold", SB_CONFIG_FLOAT},
         {"answers", SB_CONFIG_ARRAY},
         {"greeting", SB_CONFIG_TABLE},
         {"files", SB_CONFIG_ARRAY},
         {"context_entries", SB_CONFIG_INTEGER},
         {"synonyms", SB_CONFIG_STRING},
         {"clarify", SB_CONFIG_BOOLEAN},
         {"clear_winner_threshold", SB_CONFIG_FLOAT}}}},
      {"autoreply-intent",
       {"autoreply-intent",
        SB_KIND_AUTOREPLY,
        {{"file", SB_CONFIG_STRING},
         {"threshold", SB_CONFIG_FLOAT},
         {"handoff", SB_CONFIG_ARRAY},
         {"handoff_group", SB_CONFIG_STRING},
         {"handoff_reply", SB_CONFIG_STRING},
         {"handoff_about_tag", SB_CONFIG_STRING}}}},
      {"autoreply-flow", {"autoreply-flow", SB_KIND_AUTOREPLY, {}}},
      {"llm-openai", {"llm-openai", SB_KIND_LLM, {{"model", SB_CONFIG_STRING}}}},
  };
  static const PluginLookup lookup = [](std::string_view name) -> const PluginSchema* {
    auto it = installed.find(name);
    return it == installed.end() ? nullptr : &it->second;
  };
  return lookup;
}

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("sb-tenants-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto file = path / name;
    std::ofstream(file, std::ios::trunc) << text;
    return file;
  }
};

struct Loaded {
  std::shared_ptr<const TenantConfig> config;
  ConfigErrors errors;

  const ConfigError* error(const std::string& key) const {
    for (const auto& e : errors)
      if (e.key == key) return &e;
    return nullptr;
  }
  std::string all() const {
    std::string out;
    for (const auto& e : errors) out += e.to_string() + "\n";
    return out;
  }
};

// Loads text as tenants/<file_name> in a temp dir.
inline Loaded load(const std::string& text, const std::string& file_name = "shop.toml") {
  TempDir dir;
  Loaded loaded;
  loaded.config =
      load_tenant_file(dir.write(file_name, text), fake_plugins(), "storage-sqlite", loaded.errors);
  return loaded;
}

// A valid argon2id-shaped hash; the loader checks the form, not the password.
inline const std::string kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";

}  // namespace sb::tenants::test
