// Writing one table of a tenant file ([widget], [groups.NAME]) for the admin API,
// the way a person would edit it: a key whose value did not change keeps its line,
// a changed key gets a new value on its own line (a comment after it stays), a key
// no longer wanted goes, a new key joins the table's others; every comment and
// every other table stays as it was. When the table is written in a form this
// cannot edit line by line (dotted keys, an inline table), it is written anew in
// its place. Either way the result is parsed back and must hold exactly the new
// table and, apart from it, exactly what the file held before.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::tenants {

// The file text with the table at `path` (e.g. {"groups", "support"}) holding
// exactly `content`; content nullptr takes the table out. A table the file does
// not have yet goes after the last table under the same parent (other groups),
// else at the end. nullopt and why when the text does not parse.
std::optional<std::string> with_table(std::string_view text, const std::vector<std::string>& path,
                                      const toml::table* content, std::string& why);

}  // namespace sb::tenants
