#pragma once
// The bilingual shop intents and their held-out sentences, read once per test.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "intent_loader.hpp"

namespace intent_test {

struct LabelledSentence {
  std::string text;
  std::string expected_intent;
};

struct HeldOut {
  std::vector<LabelledSentence> sentences;
  std::vector<std::string> unrelated;
};

inline std::vector<switchboard::intent::IntentDefinition> shop_intents() {
  return switchboard::intent::load_intent_file(INTENT_FIXTURE_DIR "/shop_intents.toml");
}

inline HeldOut held_out() {
  HeldOut out;
  const auto root = toml::parse_file(INTENT_FIXTURE_DIR "/heldout_sentences.toml");
  for (const auto& node : *root["sentences"].as_array()) {
    const auto& t = *node.as_table();
    out.sentences.push_back(
        {t["text"].value_or(std::string{}), t["expect"].value_or(std::string{})});
  }
  for (const auto& node : *root["unrelated"].as_array()) {
    out.unrelated.push_back(node.as_table()->at("text").value_or(std::string{}));
  }
  return out;
}

}  // namespace intent_test
