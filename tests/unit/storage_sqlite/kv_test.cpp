// The small document store: put, get, list, delete, per namespace.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "storage_harness.hpp"

using namespace storage_test;
namespace json = boost::json;

TEST_CASE("kv: put, get, overwrite, list and delete, namespaces kept apart") {
  TempDir dir;
  Storage s(dir.str());
  REQUIRE(
      Storage::wait(s.kv_put("agents", "sam", R"({"name":"Sam","skills":{"billing":3}})")).ok());
  REQUIRE(Storage::wait(s.kv_put("agents", "ann", R"({"name":"安娜"})")).ok());
  REQUIRE(Storage::wait(s.kv_put("dialog", "sam", "42")).ok());

  Completion got = Storage::wait(s.kv_get("agents", "sam"));
  REQUIRE(got.ok());
  CHECK(got.result == R"({"name":"Sam","skills":{"billing":3}})");

  Completion absent = Storage::wait(s.kv_get("agents", "nobody"));
  CHECK(absent.ok());
  CHECK(absent.result.empty());

  Completion listed = Storage::wait(s.kv_list("agents"));
  REQUIRE(listed.ok());
  CHECK(json::parse(listed.result) ==
        json::parse(R"({"items":[{"key":"ann","value":{"name":"安娜"}},
      {"key":"sam","value":{"name":"Sam","skills":{"billing":3}}}]})"));
  CHECK(json::parse(Storage::wait(s.kv_list("dialog")).result) ==
        json::parse(R"({"items":[{"key":"sam","value":42}]})"));
  CHECK(Storage::wait(s.kv_list("empty")).result == R"({"items":[]})");

  REQUIRE(Storage::wait(s.kv_put("agents", "sam", R"("replaced")")).ok());
  CHECK(Storage::wait(s.kv_get("agents", "sam")).result == R"("replaced")");

  // An empty value deletes.
  REQUIRE(Storage::wait(s.kv_put("agents", "sam", "")).ok());
  CHECK(Storage::wait(s.kv_get("agents", "sam")).result.empty());
  CHECK(json::parse(Storage::wait(s.kv_list("agents")).result).at("items").as_array().size() == 1);
  CHECK(Storage::wait(s.kv_get("dialog", "sam")).result == "42");
}

TEST_CASE("kv: a value that is not JSON fails at once") {
  TempDir dir;
  Storage s(dir.str());
  Call c = s.kv_put("agents", "x", "{not json");
  CHECK(c.status == SB_REFUSED);
  CHECK_THAT(c.error, Catch::Contains("JSON"));
}

TEST_CASE("kv: a read issued after a write completed sees it") {
  TempDir dir;
  Storage s(dir.str());
  for (int i = 0; i < 200; ++i) {
    REQUIRE(Storage::wait(s.kv_put("n", "k", std::to_string(i))).ok());
    REQUIRE(Storage::wait(s.kv_get("n", "k")).result == std::to_string(i));
  }
}
