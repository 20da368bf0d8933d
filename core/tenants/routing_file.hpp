// Writing a routing graph into a tenant file for PUT /v1/tenants/ID/routing. The
// graph goes into a marked section at the end of the file (or where the markers
// already are); every other line, comments included, stays as it was. A graph
// written by hand elsewhere in the file ([[routing.rules]], [routing.fallback], or
// rules/fallback keys of [routing]) is taken out, since the file may hold only one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sb::tenants {

inline constexpr std::string_view kGraphBeginMarker = "# --- routing graph";
inline constexpr std::string_view kGraphEndMarker = "# --- end of routing graph";

// The file text with graph_toml (routing_graph::to_toml) as its graph. nullopt and
// why when the text does not parse as TOML.
std::optional<std::string> with_routing_graph(std::string_view text, std::string_view graph_toml,
                                              std::string& why);

// Replaces file with text atomically (a hidden temporary beside it, fsync, rename),
// so the tenant watcher never reads half a file. False and why on failure, with
// the file untouched.
bool replace_file(const std::filesystem::path& file, std::string_view text, std::string& why);

}  // namespace sb::tenants
