#pragma once
// The loaded form of a tenant's flow files: immutable after load, shared by every
// conversation of the tenant (the engine only reads it, so no lock is needed).
// flow_loader.hpp builds it and checks that every reference in it resolves.
#include <boost/regex.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::flow {

// A text in one or more languages: {"en": "...", "zh": "..."}. Always holds the
// set's default language (the loader checks it), which answers any other language.
using LocalizedText = std::map<std::string, std::string, std::less<>>;

// Where a transition goes: a node of the same flow or of another one.
struct Target {
  std::string flow;
  std::string node;
  bool operator==(const Target&) const = default;
};

struct Option {
  LocalizedText label;  // shown as a quick reply; typing any translation picks it
  Target next;
};

struct KeywordTransition {
  std::vector<std::string> keywords;  // normalised (see flow_text.hpp)
  Target next;
};

struct IntentTransition {
  std::string intent;  // context_json {"intent":{"name":...}} from an earlier stage
  Target next;
};

// Reads a value out of the visitor's message, e.g. an order number.
struct Capture {
  std::string param;    // stored under this name, shown as {param} in messages
  std::string pattern;  // as written, for messages
  boost::regex regex;   // searched in the message; group 1 when it has one, else all
  Target next;          // where a valid value goes
  LocalizedText retry;  // said after an invalid answer; empty = the node's message
  std::uint32_t max_retries = 2;
  std::optional<Target> on_max_retries;  // absent: the flow ends and the turn is deferred
};

// Looks a captured value up in a table of the flow files.
struct Lookup {
  std::string table;
  std::string key_param;   // the parameter whose value is looked up
  std::string into_param;  // receives the table's text in the visitor's language
  Target found;
  Target missing;
};

struct Handoff {
  std::string group;  // empty: any agent
};

struct Node {
  std::string name;
  std::uint32_t line = 0;  // in its flow's file, for messages
  LocalizedText message;   // empty for a node that only acts or forwards
  LocalizedText fallback;  // re-prompt for an unmatched answer; empty = the message
  std::vector<Option> options;
  std::vector<KeywordTransition> on_keyword;
  std::vector<IntentTransition> on_intent;
  std::optional<Capture> capture;
  std::optional<Lookup> lookup;
  std::vector<std::pair<std::string, std::string>> set_attributes;  // values interpolated
  std::optional<Handoff> handoff;
  bool close = false;
  bool ask_llm = false;
  std::optional<Target> next;  // go on at once, without waiting for the visitor

  // The visitor answers this node: the flow stops here until the next message.
  bool waits() const {
    return !options.empty() || !on_keyword.empty() || !on_intent.empty() || capture.has_value();
  }
};

struct Flow {
  std::string name;
  std::string file;  // for log lines
  std::string start;
  std::vector<std::string> keywords;  // normalised; any of them starts the flow
  std::vector<std::string> intents;
  // One of intents starts the flow only when the intent stage is at least this sure
  // (0..1): a flow started by mistake answers a question nobody asked.
  double intent_confidence = 0;
  bool is_default = false;  // offered on a conversation's first message when nothing matched
  std::int64_t expire_after_ms = 30 * 60 * 1000;  // idle time after which it starts over
  std::uint32_t max_fallbacks = 2;  // re-prompts for unmatched answers before deferring
  std::map<std::string, Node, std::less<>> nodes;

  const Node* node(std::string_view node_name) const {
    auto it = nodes.find(node_name);
    return it == nodes.end() ? nullptr : &it->second;
  }
};

struct FlowSet {
  std::string default_language = "en";
  // In the order of the files and of the flows in each file. A deque: the loader
  // keeps pointers to targets inside flows while it adds more.
  std::deque<Flow> flows;
  // table -> normalised key -> text
  std::map<std::string, std::map<std::string, LocalizedText, std::less<>>, std::less<>> tables;

  const Flow* flow(std::string_view flow_name) const {
    for (const auto& f : flows)
      if (f.name == flow_name) return &f;
    return nullptr;
  }
  const Node* node(const Target& target) const {
    const Flow* f = flow(target.flow);
    return f ? f->node(target.node) : nullptr;
  }
};

}  // namespace switchboard::flow
