// The "HOST:PORT" form of listen addresses, shared by the config file and --listen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::config {

// Accepts "IPv4:PORT", "localhost:PORT" and "[IPv6]:PORT" (host comes back without
// the brackets, ready for a resolver). Port 0 is allowed and means "any free port",
// which tests use. Outputs are untouched when the text is rejected.
bool parse_listen(std::string_view text, std::string& host, uint16_t& port);

}  // namespace sb::config
