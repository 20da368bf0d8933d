// Reads one JSON object of a graph against its schema, recording each problem with
// its field path and a label naming the rule it belongs to (internal).
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "routing_graph/forms.hpp"

namespace sb::routing_graph {

class ObjectReader {
 public:
  enum class Need { optional, required };

  // path: the object's field path ("rules[2]"); label: who it is, for messages
  // ("rule 'vip'"). A value that is not an object is reported at once.
  ObjectReader(const boost::json::value& value, std::string path, std::string label,
               Errors& errors);

  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  const std::string& label() const { return label_; }
  void set_label(std::string label) { label_ = std::move(label); }
  std::string field(std::string_view key) const;

  const boost::json::value* value(std::string_view key, Need need);
  // A non-empty string (empty ones are reported: leave an optional key out instead).
  std::optional<std::string> string(std::string_view key, Need need);
  // One of choices.
  std::optional<std::string> choice(std::string_view key,
                                    std::initializer_list<const char*> choices, Need need);
  // A non-empty array of non-empty strings.
  std::optional<std::vector<std::string>> strings(std::string_view key, Need need);
  std::optional<bool> boolean(std::string_view key, Need need);
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max, Need need);
  std::optional<Position> position(std::string_view key);
  // The array under key (each element is the caller's to read).
  const boost::json::array* array(std::string_view key, Need need);

  // Reports every key no accessor asked for.
  void reject_unknown();

  // Records a problem with key (or the object itself when key is empty).
  void error(std::string code, std::string_view key, std::string_view message);
  bool failed() const { return errors_.size() != errors_before_; }

 private:
  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::string label_;
  Errors& errors_;
  std::size_t errors_before_;
  std::set<std::string, std::less<>> known_;
};

// "a string", "an array", ... as a user would name a JSON value's type.
std::string a_json_type(const boost::json::value& value);

// Ids are what the editor keys nodes by: 1-64 of [A-Za-z0-9_.:-].
bool is_valid_node_id(std::string_view id);

}  // namespace sb::routing_graph
