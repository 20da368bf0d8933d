// UTF-8 as RFC 3629 has it, for text that arrives as bytes (a request target, a
// header) and goes on into JSON, where a plugin reads it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb {

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code
// points past U+10FFFF.
bool is_utf8(std::string_view text);

// `text` with each ill-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace sb
