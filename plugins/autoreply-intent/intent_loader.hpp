#pragma once
// Reads a tenant's intents file:
//
//   [[intents]]
//   name = "human"                                   # unique in the file
//   examples = ["talk to a person", "转人工", "人工客服"]  # at least 3
//   action = { handoff = true }                      # or { flow_node = "order_status" }
//                                                    # or { faq_tag = "refunds" }
//
// `action` is optional (the intent is then only reported) except that the intent named
// `human` always hands off: it may omit `action`, and any other action is an error.
// At least 2 intents, each with at least 3 non-blank examples that contain words;
// at most 256 intents and 1,000 examples per intent, which bounds training time.
// Any other key is an error (a typo such as `example =` would otherwise drop an
// intent's examples silently).
// Start-up and admin path: errors are thrown as IntentLoadError naming file, line, key
// (the reader is shared with the FAQ knowledge base: toml_list_reader.hpp).
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include "intent_classifier.hpp"
#include "toml_list_reader.hpp"

namespace switchboard::intent {

// file(), line() (1-based; 0 when unknown) and key() (e.g. "intents[2].action.flow_node";
// empty for syntax errors) say where the mistake is.
using IntentLoadError = autoreply::LoadError;

inline constexpr std::size_t kMinIntents = 2;
inline constexpr std::size_t kMaxIntents = 256;
inline constexpr std::size_t kMinExamplesPerIntent = 3;
inline constexpr std::size_t kMaxExamplesPerIntent = 1000;

// Message format: "[<code> <values>] <file>:<line>: <key>: <reason>"; problem() holds
// the code (too_few_examples, ...) and its values.
std::vector<IntentDefinition> load_intent_file(const std::filesystem::path& path);

// The same from text already in memory (an admin upload); source_name is what errors
// call the file.
std::vector<IntentDefinition> parse_intents(std::string_view toml_text,
                                            std::string_view source_name);

}  // namespace switchboard::intent
