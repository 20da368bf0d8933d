// Versioned migrations: schema_migrations records each step once, however many
// instances start, and a database of a newer version is refused before anything in
// it is touched.
#include <catch2/catch.hpp>
#include <thread>

#include "pg_test_support.hpp"

using namespace storage_test;

TEST_CASE("migrations are recorded once, also when many tenants start together and restart",
          "[postgres]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  {
    std::vector<std::thread> starting;
    std::vector<std::unique_ptr<Storage>> instances(6);
    for (int i = 0; i < 6; ++i) dirs.push_back(std::make_unique<TempDir>());
    for (int i = 0; i < 6; ++i)
      starting.emplace_back([&, i] { instances[i] = std::make_unique<Storage>(dirs[i]->str()); });
    for (auto& t : starting) t.join();
    for (auto& instance : instances) REQUIRE(instance);
  }
  Storage again(dirs[0]->str());
  CHECK(postgres().psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                        "schema_migrations") == "1,2,3\n");
}

TEST_CASE("a database of a newer schema version is refused with both versions named",
          "[postgres]") {
  {
    TempDir migrated;  // the schema exists before it is made to look newer
    Storage s(migrated.str());
  }
  postgres().psql("INSERT INTO schema_migrations (version, description) VALUES (99, 'future')");
  TempDir dir;
  const std::string why = Storage::open_error(dir.str());
  postgres().psql("DELETE FROM schema_migrations WHERE version = 99");
  CHECK_THAT(why, Catch::Contains("99") && Catch::Contains("newer"));
}
