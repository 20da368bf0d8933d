// The search hit's text (ABI 1.3): the message around its first match, the same for
// every storage backend.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace switchboard::sqlite {

// Characters (code points) in UTF-8 text.
size_t code_points(std::string_view text);

// The whole text when it is short, else about 100 characters around the first
// (ASCII case-insensitive) match of q, with "…" where it was cut.
std::string snippet(std::string_view text, std::string_view q);

}  // namespace switchboard::sqlite
