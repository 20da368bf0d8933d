// Reads one JSON object of a graph against its schema (internal): the shared field
// reader (common/json_fields), plus the graph's own field type, an editor position.
#pragma once

#include <optional>
#include <string_view>

#include "common/json_fields.hpp"
#include "routing_graph/forms.hpp"

namespace sb::routing_graph {

class ObjectReader : public json_fields::ObjectReader {
 public:
  using json_fields::ObjectReader::ObjectReader;
  // {"x": number, "y": number}, optional.
  std::optional<Position> position(std::string_view key);
};

using json_fields::a_json_type;

// Ids are what the editor keys nodes by: 1-64 of [A-Za-z0-9_.:-].
bool is_valid_node_id(std::string_view id);

}  // namespace sb::routing_graph
