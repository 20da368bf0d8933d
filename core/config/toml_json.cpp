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
