#include "routing_graph/object_reader.hpp"

#include <algorithm>
#include <cmath>

namespace sb::routing_graph {

namespace json = boost::json;

bool is_valid_node_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
  });
}

std::optional<Position> ObjectReader::position(std::string_view key) {
  const json::value* v = value(key, Need::optional);
  if (!v) return std::nullopt;
  auto coordinate = [](const json::value* c) -> std::optional<double> {
    if (!c) return std::nullopt;
    if (c->is_int64()) return static_cast<double>(c->get_int64());
    if (c->is_uint64()) return static_cast<double>(c->get_uint64());
    if (c->is_double() && std::isfinite(c->get_double())) return c->get_double();
    return std::nullopt;
  };
  const json::object* o = v->if_object();
  auto x = o ? coordinate(o->if_contains("x")) : std::nullopt;
  auto y = o ? coordinate(o->if_contains("y")) : std::nullopt;
  if (!x || !y || o->size() != 2) {
    error("invalid_field", key, "must be {\"x\": number, \"y\": number}");
    return std::nullopt;
  }
  return Position{*x, *y};
}

}  // namespace sb::routing_graph
