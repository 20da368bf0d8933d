#pragma once
// Reads a tenant's flow files (the DSL is described in README.md) into a FlowSet and
// checks it as a whole: every target names an existing node, every {param} is
// captured somewhere, every regex compiles and matches no empty message, every text
// has the default language, nothing forwards in a circle, at most one default flow.
//
// Start-up and tenant-reload path: errors are thrown as FlowLoadError naming file,
// line and key ("flows.order_status.nodes.ask_number.capture.pattern"), with a stable
// code and the values a translation needs (LoadError::problem(); e.g. unknown_node
// with flow and node; core/api/bot_file_problem.hpp lists them). Problems
// that do not stop the flow from working (a node no transition reaches, a flow
// nothing starts) are returned as warnings in the same format.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "flow_model.hpp"
#include "toml_list_reader.hpp"

namespace switchboard::flow {

// Flow files report mistakes exactly as the FAQ and intents files do.
using FlowLoadError = autoreply::LoadError;

struct LoadedFlows {
  FlowSet flows;
  std::vector<std::string> warnings;  // "[<code>] <file>:<line>: <key>: <reason>"
};

// One flow file's text; name is what errors call it.
struct FlowSource {
  std::string name;
  std::string text;
};

inline constexpr std::int64_t kMaxExpireAfterS = 30LL * 24 * 3600;
inline constexpr std::uint32_t kMaxRetries = 10;

// Files are read in order; flow names and table names are shared by all of them.
LoadedFlows load_flow_files(const std::vector<std::filesystem::path>& files,
                            const std::string& default_language = "en");
LoadedFlows parse_flows(const std::vector<FlowSource>& sources,
                        const std::string& default_language = "en");

}  // namespace switchboard::flow
