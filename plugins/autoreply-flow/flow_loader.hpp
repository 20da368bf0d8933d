#pragma once
// Reads a tenant's flow files (the DSL is described in README.md) into a FlowSet and
// checks it as a whole: every target names an existing node, every {param} is
// captured somewhere, every regex compiles and matches no empty message, every text
// has the default language, nothing forwards in a circle, at most one default flow.
//
// Start-up and tenant-reload path: errors are thrown as FlowLoadError naming file,
// line and key ("flows.order_status.nodes.ask_number.capture.pattern"). Problems
// that do not stop the flow from working (a node no transition reaches, a flow
// nothing starts) are returned as warnings in the same format.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "flow_model.hpp"

namespace switchboard::flow {

class FlowLoadError : public std::runtime_error {
 public:
  FlowLoadError(std::string file, std::uint32_t line, std::string key, const std::string& reason);
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }     // 1-based; 0 when unknown
  const std::string& key() const { return key_; }  // empty for syntax errors

 private:
  std::string file_;
  std::uint32_t line_;
  std::string key_;
};

struct LoadedFlows {
  FlowSet flows;
  std::vector<std::string> warnings;  // "<file>:<line>: <key>: <reason>"
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
