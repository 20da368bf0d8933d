// The shared JSON field reader: every problem is reported at once with its path,
// unknown keys are refused, and a value of the wrong type is named as a user would.
#include "common/json_fields.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace sb::json_fields;
using Need = ObjectReader::Need;

namespace {
std::vector<std::string> fields_of(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.code + " " + e.field);
  return out;
}
}  // namespace

TEST_CASE("a valid object reads into its fields") {
  FieldErrors errors;
  const auto body = boost::json::parse(
      R"({"text":"hi","limit":5,"tags":["a","b"],"private":true,"mode":"fast"})");
  ObjectReader r(body, "", "", errors);
  CHECK(r.string("text", Need::required) == "hi");
  CHECK(r.integer("limit", 1, 100, Need::optional) == 5);
  CHECK(r.strings("tags", Need::optional) == std::vector<std::string>{"a", "b"});
  CHECK(r.boolean("private", Need::optional) == true);
  CHECK(r.choice("mode", {"fast", "slow"}, Need::optional) == "fast");
  CHECK_FALSE(r.value("absent", Need::optional));
  r.reject_unknown();
  CHECK(errors.empty());
  CHECK_FALSE(r.failed());
}

TEST_CASE("every problem is collected, each with its path") {
  FieldErrors errors;
  const auto body = boost::json::parse(R"({"limit":0,"tags":["a",""],"private":"yes","extra":1})");
  ObjectReader r(body, "rules[2]", "rule 'vip'", errors);
  r.string("text", Need::required);
  r.integer("limit", 1, 100, Need::optional);
  r.strings("tags", Need::optional);
  r.boolean("private", Need::optional);
  r.reject_unknown();
  CHECK(fields_of(errors) == std::vector<std::string>{
                                 "missing_field rules[2].text",
                                 "invalid_field rules[2].limit",
                                 "invalid_field rules[2].tags[1]",
                                 "invalid_field rules[2].private",
                                 "unknown_field rules[2].extra",
                             });
  CHECK(r.failed());
  // Messages name who it is and what is wrong.
  CHECK(errors[0].message == "rule 'vip': text is required");
  CHECK(errors[1].message == "rule 'vip': limit must be an integer between 1 and 100");
  CHECK(errors[3].message == "rule 'vip': private must be true or false, not a string");
}

TEST_CASE("a value that is not an object is reported once, and reads nothing") {
  FieldErrors errors;
  const auto body = boost::json::parse(R"([1,2])");
  ObjectReader r(body, "fallback", "", errors);
  CHECK_FALSE(r.is_object());
  CHECK_FALSE(r.string("id", Need::required));
  r.reject_unknown();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "fallback");
  CHECK(errors[0].message == "must be an object, not an array");
}

TEST_CASE("an empty optional string is refused with advice") {
  FieldErrors errors;
  const auto body = boost::json::parse(R"({"name":""})");
  ObjectReader r(body, "", "", errors);
  CHECK_FALSE(r.string("name", Need::optional));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message == "name must not be empty (leave it out)");
}
