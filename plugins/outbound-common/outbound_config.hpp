// The keys every plugin that calls a tenant's or a vendor's HTTP API reads alike:
//
//   api_key_env  the NAME of the environment variable holding the key; the key
//                itself never sits in a tenant file (nor in a log: an error about
//                a pasted key does not repeat it).
//   headers      a table of extra request headers, each one line. Authorization
//                (that is api_key_env's job) and the headers the plugin or the HTTP
//                client set are refused, not silently replaced.
//
// Errors are std::invalid_argument "<plugin>: <key> <what is wrong>".
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::outbound {

// The value of an environment variable, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// The key from the variable api_key_env names; empty when the key is absent. A
// named variable must be set, non-empty and one line. example_variable shows the
// admin what a name looks like ("OPENAI_API_KEY").
std::string read_api_key(const boost::json::object& table, const EnvLookup& env,
                         std::string_view plugin, std::string_view example_variable);

using Headers = std::vector<std::pair<std::string, std::string>>;
// The headers table; plugin_sets names (lower case) the headers the plugin adds
// itself, refused like Content-Type, Content-Length, Host and Authorization.
Headers read_headers(const boost::json::object& table, std::string_view plugin,
                     std::initializer_list<std::string_view> plugin_sets = {});

}  // namespace switchboard::outbound
