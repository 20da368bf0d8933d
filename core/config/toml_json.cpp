#include "config/toml_json.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <sstream>

namespace sb::config {

namespace {

template <class T>
std::string streamed(const T& value) {
  std::ostringstream out;
  out << value;
  return std::move(out).str();
}

}  // namespace

boost::json::value toml_to_json(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: {
      boost::json::object object;
      for (auto&& [key, child] : *node.as_table()) object[key.str()] = toml_to_json(child);
      return object;
    }
    case toml::node_type::array: {
      boost::json::array array;
      for (const toml::node& child : *node.as_array()) array.push_back(toml_to_json(child));
      return array;
    }
    case toml::node_type::string:
      return boost::json::string(node.as_string()->get());
    case toml::node_type::integer:
      return node.as_integer()->get();
    case toml::node_type::floating_point: {
      double number = node.as_floating_point()->get();
      if (!std::isfinite(number)) return nullptr;
      return number;
    }
    case toml::node_type::boolean:
      return node.as_boolean()->get();
    case toml::node_type::date:
      return boost::json::string(streamed(node.as_date()->get()));
    case toml::node_type::time:
      return boost::json::string(streamed(node.as_time()->get()));
    case toml::node_type::date_time:
      return boost::json::string(streamed(node.as_date_time()->get()));
    case toml::node_type::none:
      break;
  }
  return nullptr;
}

namespace {

toml::array json_to_toml_array(const boost::json::array& array);

// Hands put the TOML form of value; nothing for null.
template <class Put>
void json_value(const boost::json::value& value, Put&& put) {
  switch (value.kind()) {
    case boost::json::kind::object:
      return put(json_to_toml(value.get_object()));
    case boost::json::kind::array:
      return put(json_to_toml_array(value.get_array()));
    case boost::json::kind::string:
      return put(std::string(value.get_string()));
    case boost::json::kind::int64:
      return put(value.get_int64());
    case boost::json::kind::uint64:
      // Past int64 TOML has no integer: as a double, which an integer key refuses.
      return put(static_cast<double>(value.get_uint64()));
    case boost::json::kind::double_:
      return put(value.get_double());
    case boost::json::kind::bool_:
      return put(value.get_bool());
    case boost::json::kind::null:
      return;
  }
}

toml::array json_to_toml_array(const boost::json::array& array) {
  toml::array out;
  for (const auto& item : array) json_value(item, [&](auto&& v) { out.push_back(std::move(v)); });
  return out;
}

}  // namespace

toml::table json_to_toml(const boost::json::object& object) {
  toml::table table;
  // (No structured binding: clang before 16 cannot capture one in the lambda.)
  for (const auto& entry : object)
    json_value(entry.value(),
               [&](auto&& v) { table.insert(std::string_view(entry.key()), std::move(v)); });
  return table;
}

std::string toml_to_text(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return node.as_string()->get();
    case toml::node_type::integer:
      return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: {
      // Shortest text that reads back as the same double: "0.5", not "5E-1".
      char buffer[64];
      auto result = std::to_chars(buffer, buffer + sizeof buffer, node.as_floating_point()->get());
      return std::string(buffer, result.ptr);
    }
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return toml_to_json(node).as_string().c_str();
    default:
      return boost::json::serialize(toml_to_json(node));
  }
}

}  // namespace sb::config
