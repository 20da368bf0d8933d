#include "common/json_fields.hpp"

#include <boost/json.hpp>

namespace sb::json_fields {

namespace json = boost::json;

std::string a_json_type(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object:
      return "an object";
    case json::kind::array:
      return "an array";
    case json::kind::string:
      return "a string";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::null:
      return "null";
    default:
      return "a number";
  }
}

ObjectReader::ObjectReader(const json::value& value, std::string path, std::string label,
                           FieldErrors& errors)
    : object_(value.if_object()),
      path_(std::move(path)),
      label_(std::move(label)),
      errors_(errors),
      errors_before_(errors.size()) {
  if (!object_) error("invalid_field", "", "must be an object, not " + a_json_type(value));
}

std::string ObjectReader::field(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void ObjectReader::error(std::string code, std::string_view key, std::string_view message) {
  std::string text = label_;
  if (!key.empty()) text += (text.empty() ? "" : ": ") + std::string(key);
  text += (text.empty() ? "" : " ") + std::string(message);
  errors_.push_back(FieldError{std::move(code), field(key), std::move(text)});
}

const json::value* ObjectReader::value(std::string_view key, Need need) {
  known_.emplace(key);
  if (!object_) return nullptr;
  const json::value* found = object_->if_contains(key);
  if (!found && need == Need::required) error("missing_field", key, "is required");
  return found;
}

std::optional<std::string> ObjectReader::string(std::string_view key, Need need) {
  const json::value* v = value(key, need);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error("invalid_field", key, "must be a string, not " + a_json_type(*v));
    return std::nullopt;
  }
  if (v->get_string().empty()) {
    error("invalid_field", key,
          need == Need::required ? "must not be empty" : "must not be empty (leave it out)");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::string> ObjectReader::choice(std::string_view key,
                                                std::initializer_list<const char*> choices,
                                                Need need) {
  const json::value* v = value(key, need);
  if (!v) return std::nullopt;
  if (v->is_string())
    for (const char* c : choices)
      if (v->get_string() == c) return std::string(c);
  std::string list;
  for (const char* c : choices) list += std::string(list.empty() ? "" : ", ") + "\"" + c + "\"";
  error("invalid_field", key, "must be one of " + list);
  return std::nullopt;
}

std::optional<std::vector<std::string>> ObjectReader::strings(std::string_view key, Need need) {
  const json::value* v = value(key, need);
  if (!v) return std::nullopt;
  const json::array* items = v->if_array();
  if (!items || items->empty()) {
    error("invalid_field", key, "must be a non-empty array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json::value& item = (*items)[i];
    if (!item.is_string() || item.get_string().empty()) {
      error("invalid_field", std::string(key) + "[" + std::to_string(i) + "]",
            "must be a non-empty string");
      return std::nullopt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

std::optional<bool> ObjectReader::boolean(std::string_view key, Need need) {
  const json::value* v = value(key, need);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    error("invalid_field", key, "must be true or false, not " + a_json_type(*v));
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max,
                                             Need need) {
  const json::value* v = value(key, need);
  if (!v) return std::nullopt;
  std::optional<int64_t> number;
  if (v->is_int64()) number = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(max))
    number = static_cast<int64_t>(v->get_uint64());
  if (!number || *number < min || *number > max) {
    error("invalid_field", key,
          "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

const json::array* ObjectReader::array(std::string_view key, Need need) {
  const json::value* v = value(key, need);
  if (!v) return nullptr;
  if (!v->is_array()) {
    error("invalid_field", key, "must be an array, not " + a_json_type(*v));
    return nullptr;
  }
  return &v->get_array();
}

void ObjectReader::reject_unknown() {
  if (!object_) return;
  for (const auto& [key, v] : *object_)
    if (!known_.count(std::string_view(key)))
      error("unknown_field", std::string_view(key), "is not a known field here");
}

}  // namespace sb::json_fields
