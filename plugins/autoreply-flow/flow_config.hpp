#pragma once
// The plugin's [plugins.autoreply-flow] table and what it reads from each request,
// kept apart from the ABI glue so both are tested without a host.
//
//   [plugins.autoreply-flow]
//   files = ["demo/flows.toml"]   # required; relative to the tenant file's directory
//   default_language = "en"       # optional; the language every text must have
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "flow_engine.hpp"

namespace switchboard::flow {

struct FlowConfig {
  std::vector<std::filesystem::path> files;  // resolved against the config directory
  std::string default_language = "en";
};

// config_json is the instance's config table as JSON. Relative file names are
// resolved against config_dir; an empty config_dir (a host older than ABI 1.1) makes
// a relative name an error rather than a guess. Throws std::invalid_argument naming
// the key.
FlowConfig parse_flow_config(std::string_view config_json, const std::filesystem::path& config_dir);

// The intent an earlier stage put in context_json ({"intent":{"name":"..."}}), or "".
// A context that is not such an object has no intent: it is never an error.
std::string intent_from_context(std::string_view context_json);
// context.intent.confidence; 1 when the intent stage gave none (it was sure).
double intent_confidence_from_context(std::string_view context_json);

// context.intent_candidates (autoreply-intent's best guesses, best first: [{"name",
// "confidence"}...]); entries without a name are skipped, a missing list is empty.
std::vector<IntentCandidate> intent_candidates_from_context(std::string_view context_json);

// The flow node the conversation is to start at ({"flow_node":"order_status"} or
// "flow/node"), or "": how the routing graph or an intent's flow_node action sends
// a conversation into a flow.
std::string flow_node_from_context(std::string_view context_json);

}  // namespace switchboard::flow
