// Shell-style globs for page URLs: '*' any run of characters (slashes included),
// '?' one character, "[a-z]" / "[!0-9]" one of (or none of) a set, '\' escapes.
#pragma once

#include <string>
#include <string_view>

namespace sb::routing_graph {

// False, with why, for a glob with an unclosed '[' or a trailing '\'.
bool is_valid_glob(std::string_view glob, std::string& why);

// Whether text matches all of glob (which must be valid). Case-sensitive.
bool glob_matches(std::string_view glob, std::string_view text);

}  // namespace sb::routing_graph
