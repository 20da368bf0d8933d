#include "tenants/bot_reader.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "common/plugin_kind.hpp"
#include "tenants/plugin_sections.hpp"

namespace sb::tenants {

namespace {

void read_pipeline(config::TableReader& table, BotConfig& out, const PluginLookup& plugins) {
  const toml::array* stages = table.array("pipeline", config::TableReader::Presence::required);
  if (!stages || !table.string_array("pipeline", out.pipeline)) return;
  if (out.pipeline.empty())
    table.sink().add(stages->source(), table.key_path("pipeline"),
                     "must name at least one auto-reply or LLM plugin");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < out.pipeline.size(); ++i) {
    const std::string& name = out.pipeline[i];
    const std::string key = table.key_path("pipeline") + "[" + std::to_string(i) + "]";
    const auto& where = stages->get(i)->source();
    if (!seen.insert(name).second) {
      table.sink().add(where, key, "plugin '" + name + "' is already in the pipeline");
      continue;
    }
    const PluginSchema* schema = require_plugin(plugins, name, 0, where, key, table.sink());
    if (schema && schema->kind != SB_KIND_AUTOREPLY && schema->kind != SB_KIND_LLM)
      table.sink().add(where, key,
                       "plugin '" + name + "' is a " + plugin_kind_name(schema->kind) +
                           " plugin, not an auto-reply or llm plugin");
  }
}

// Phrases are matched in lower case (ASCII letters; other scripts as written).
std::vector<std::string> lower_cased(std::vector<std::string> phrases) {
  for (auto& p : phrases)
    std::transform(p.begin(), p.end(), p.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return phrases;
}

}  // namespace

BotConfig read_bot(config::TableReader& table, const PluginLookup& plugins) {
  BotConfig out;
  read_pipeline(table, out, plugins);
  if (table.localized_text("name", out.name) && out.name.empty())
    table.sink().add(table.where("name"), table.key_path("name"), "must not be empty");
  table.boolean("bot_first", out.bot_first);
  table.integer("timeout_ms", out.timeout_ms, 100, 600'000);
  table.integer("stage_timeout_ms", out.stage_timeout_ms, 100, 600'000);
  table.localized_text("holding_reply", out.holding_reply);
  table.localized_text("handoff_reply", out.handoff_reply);
  table.string("system_prompt", out.system_prompt);
  table.integer("faq_context_entries", out.faq_context_entries, 0, 20);
  table.integer("max_tokens", out.max_tokens, 0, 1'000'000);
  table.integer("daily_token_budget", out.daily_token_budget, 0,
                std::numeric_limits<int64_t>::max());
  table.integer("breaker_failures", out.breaker_failures, 1, 1000);
  table.integer("breaker_cooldown_s", out.breaker_cooldown_s, 1, 86'400);
  if (table.toml_table().contains("handoff_phrases")) {
    out.handoff_phrases.clear();
    table.string_array("handoff_phrases", out.handoff_phrases);
  }
  out.handoff_phrases = lower_cased(std::move(out.handoff_phrases));
  if (table.toml_table().contains("handoff_intents")) {
    out.handoff_intents.clear();
    table.string_array("handoff_intents", out.handoff_intents);
  }
  table.boolean("feedback", out.feedback);
  table.number("low_confidence", out.low_confidence, 0, 1);
  table.reject_unknown();
  return out;
}

}  // namespace sb::tenants
