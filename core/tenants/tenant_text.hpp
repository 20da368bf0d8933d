// The text of a tenant file as the writers of its sections see it (internal to
// sb_tenants): its lines and the lines where its tables are declared.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sb::tenants::text {

// The file parsed, or nullopt and why (with the line) when it does not parse.
std::optional<toml::table> parse(std::string_view text, std::string& why);

// lines[0] is line 1; no line ends with its '\n'.
std::vector<std::string_view> split_lines(std::string_view text);

std::string_view trimmed(std::string_view line);
bool blank_or_comment(std::string_view line);

// The last line (1-based) of the table whose header is on line `header`: the line
// before the next header in `headers`, or the file's last line; comments and blank
// lines right above the next header describe that one, so they are not counted.
uint32_t table_end(const std::vector<std::string_view>& lines, const std::set<uint32_t>& headers,
                   uint32_t header);

}  // namespace sb::tenants::text
