#include "pg_test_support.hpp"

#include <catch2/catch.hpp>

namespace storage_test {

std::string tenant_of(const TempDir& dir) {
  return dir.path().filename().string();
}

std::unique_ptr<pqxx::connection> connect_as_app() {
  return std::make_unique<pqxx::connection>(postgres().connection());
}

std::unique_ptr<pqxx::connection> connect_as_superuser() {
  return std::make_unique<pqxx::connection>(postgres().connection("postgres"));
}

std::string ok_result(const Call& call) {
  const Completion c = Storage::wait(call);
  INFO(c.error);
  REQUIRE(c.ok());
  return c.result;
}

}  // namespace storage_test
