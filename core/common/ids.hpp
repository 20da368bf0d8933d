// Identifiers handed to clients: a short kind prefix and 128 random bits, e.g.
// "c_1f0c9a2b7d4e4f5a8b6c3d2e1f0a9b8c" for a conversation. Random, so they never
// reveal counts or collide across nodes.
#pragma once

#include <string>
#include <string_view>

namespace sb {

std::string new_id(std::string_view prefix);

}  // namespace sb
