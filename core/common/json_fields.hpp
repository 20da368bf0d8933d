// Reading a JSON object against what it may hold: every problem is collected (not
// just the first), each with its field path ("rules[2].conditions[0].value") and a
// message a person can act on, and keys nobody asked for are refused. The routing
// graph's forms read with it; REST bodies, client frames and bot answers can too.
//
//   json_fields::FieldErrors errors;
//   json_fields::ObjectReader r(body, "", "", errors);
//   auto text = r.string("text", Need::required);
//   auto limit = r.integer("limit", 1, 100, Need::optional);
//   r.reject_unknown();
//   if (!errors.empty()) ... answer with them
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sb::json_fields {

struct FieldError {
  std::string code;   // "missing_field", "invalid_field", "unknown_field", or the reader's own
  std::string field;  // the path: "rules[2].conditions[0].value"; "" for the whole object
  std::string message;
};
using FieldErrors = std::vector<FieldError>;

class ObjectReader {
 public:
  enum class Need { optional, required };

  // path: the object's field path ("rules[2]", "" at the top); label: who it is, for
  // messages ("rule 'vip'", or ""). A value that is not an object is reported at once.
  ObjectReader(const boost::json::value& value, std::string path, std::string label,
               FieldErrors& errors);

  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  const std::string& label() const { return label_; }
  void set_label(std::string label) { label_ = std::move(label); }
  // The path of key inside this object.
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
  // The array under key (each element is the caller's to read).
  const boost::json::array* array(std::string_view key, Need need);

  // Reports every key no accessor asked for.
  void reject_unknown();

  // Records a problem with key (or the object itself when key is empty).
  void error(std::string code, std::string_view key, std::string_view message);
  // Something was reported since this reader was made.
  bool failed() const { return errors_.size() != errors_before_; }

 private:
  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::string label_;
  FieldErrors& errors_;
  std::size_t errors_before_;
  std::set<std::string, std::less<>> known_;
};

// "a string", "an array", ... as a user would name a JSON value's type.
std::string a_json_type(const boost::json::value& value);

}  // namespace sb::json_fields
