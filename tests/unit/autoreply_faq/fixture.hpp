#pragma once
// The bilingual shop fixture and its held-out queries, read once per test.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "faq_loader.hpp"

namespace faq_test {

struct LabelledQuery {
  std::string text;
  std::string expected_id;
};

struct HeldOut {
  std::vector<LabelledQuery> queries;
  std::vector<std::string> unrelated;
};

inline std::vector<switchboard::faq::FaqEntry> shop_entries() {
  return switchboard::faq::load_faq_file(FAQ_FIXTURE_DIR "/shop_faq.toml");
}

inline HeldOut held_out() {
  HeldOut out;
  const auto root = toml::parse_file(FAQ_FIXTURE_DIR "/heldout_queries.toml");
  for (const auto& node : *root["queries"].as_array()) {
    const auto& t = *node.as_table();
    out.queries.push_back({t["text"].value_or(std::string{}), t["expect"].value_or(std::string{})});
  }
  for (const auto& node : *root["unrelated"].as_array()) {
    out.unrelated.push_back(node.as_table()->at("text").value_or(std::string{}));
  }
  return out;
}

}  // namespace faq_test
