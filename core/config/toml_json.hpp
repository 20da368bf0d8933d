// TOML values as JSON, the form plugin configuration crosses the C ABI in.
#pragma once

#include <toml++/toml.h>

#include <boost/json/value.hpp>
#include <string>

namespace sb::config {

// Tables -> objects, arrays -> arrays, numbers and booleans as themselves; dates and
// times (which JSON lacks) become their TOML text; NaN and infinities become null.
boost::json::value toml_to_json(const toml::node& node);

// The other way, for what an admin sends to be written into a TOML file: objects ->
// tables, arrays -> arrays, strings, integers, doubles and booleans as themselves; a
// null member or item is left out (it means "the default"). The reader of the
// file's section then checks what it got, as it would a hand edit.
toml::table json_to_toml(const boost::json::object& object);

// A value as one line of text: strings as they are, numbers in decimal, booleans
// true/false, arrays and tables as JSON.
std::string toml_to_text(const toml::node& node);

}  // namespace sb::config
