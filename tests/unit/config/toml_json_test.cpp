// What an admin sends as JSON, as the TOML the tenant file's reader then checks.
#include "config/toml_json.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using sb::config::json_to_toml;
using sb::config::toml_to_json;

TEST_CASE("JSON becomes the TOML it says, nulls left out, and reads back the same") {
  const auto json = boost::json::parse(R"({
    "color": "#aa3300", "logo": null, "max": 20, "ratio": 0.5, "on": true,
    "origins": ["https://a.example", null, "https://b.example"],
    "texts": {"zh": {"title": "客服"}, "en": {"title": null}}
  })");
  const toml::table table = json_to_toml(json.as_object());
  CHECK(table["color"].value_or(std::string()) == "#aa3300");
  CHECK_FALSE(table.contains("logo"));
  CHECK(table["max"].is_integer());
  CHECK(table["max"].value_or(0) == 20);
  CHECK(table["ratio"].is_floating_point());
  CHECK(table["on"].value_or(false));
  REQUIRE(table["origins"].as_array());
  CHECK(table["origins"].as_array()->size() == 2);
  CHECK(table["texts"]["zh"]["title"].value_or(std::string()) == "客服");
  CHECK(table["texts"]["en"].as_table()->empty());

  // A number past int64 is no TOML integer: it arrives as a float, which an
  // integer key of the reader refuses.
  CHECK(json_to_toml(boost::json::parse(R"({"n": 18446744073709551615})").as_object())["n"]
            .is_floating_point());

  const auto back = toml_to_json(table);
  CHECK(back.at("origins") == boost::json::parse(R"(["https://a.example","https://b.example"])"));
  CHECK(back.at("texts").at("zh").at("title") == "客服");
}
