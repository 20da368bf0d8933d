#include "tenants/tenant_directory.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

namespace {

std::string tenant(const std::string& name, int max_connections = 1000) {
  return "name = \"" + name + "\"\n[limits]\nmax_connections = " + std::to_string(max_connections) +
         "\n";
}

std::vector<std::string> ids(const std::vector<std::shared_ptr<const TenantConfig>>& configs) {
  std::vector<std::string> out;
  for (const auto& config : configs) out.push_back(config->id);
  std::sort(out.begin(), out.end());
  return out;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("the first refresh loads every tenant file and skips other files") {
  TempDir dir;
  dir.write("alpha.toml", tenant("Alpha"));
  dir.write("beta.toml", tenant("Beta"));
  dir.write("README.md", "not a tenant");
  dir.write(".#alpha.toml", "editor lock file");
  std::filesystem::create_directory(dir.path / "sub.toml");
  TenantDirectory tenants(dir.path, fake_plugins(), "storage-sqlite");

  auto changes = tenants.refresh();
  CHECK(ids(changes.changed) == Ids{"alpha", "beta"});
  CHECK(changes.removed.empty());
  CHECK(changes.errors.empty());
  CHECK(ids(tenants.current()) == Ids{"alpha", "beta"});
}

TEST_CASE("hot reload: edit, broken edit, fix, unchanged, delete") {
  TempDir dir;
  dir.write("alpha.toml", tenant("Alpha", 10));
  dir.write("beta.toml", tenant("Beta"));
  TenantDirectory tenants(dir.path, fake_plugins(), "storage-sqlite");
  REQUIRE(tenants.refresh().changed.size() == 2);

  // Same size, written right away: timestamps may not even tick, content decides.
  dir.write("alpha.toml", tenant("Alpha", 20));
  auto edited = tenants.refresh();
  REQUIRE(ids(edited.changed) == Ids{"alpha"});
  CHECK(edited.changed[0]->limits.max_connections == 20);
  CHECK(edited.removed.empty());
  CHECK(edited.errors.empty());

  SECTION("unchanged files give nothing") {
    auto quiet = tenants.refresh();
    CHECK(quiet.changed.empty());
    CHECK(quiet.removed.empty());
    CHECK(quiet.errors.empty());
  }

  SECTION("a broken edit keeps the last good config and is reported once") {
    dir.write("alpha.toml", tenant("Alpha", 20) + "bogus = 1\n");
    auto broken = tenants.refresh();
    CHECK(broken.changed.empty());
    CHECK(broken.removed.empty());
    REQUIRE(broken.errors.size() == 1);
    CHECK(broken.errors[0].key == "limits.bogus");
    CHECK(broken.errors[0].line == 4);
    CHECK(broken.errors[0].file == (dir.path / "alpha.toml").string());

    auto live = tenants.current();
    REQUIRE(ids(live) == Ids{"alpha", "beta"});
    CHECK(live[0]->limits.max_connections == 20);

    auto again = tenants.refresh();
    CHECK(again.errors.empty());
    CHECK(again.changed.empty());

    SECTION("a fix applies") {
      dir.write("alpha.toml", tenant("Alpha", 30));
      auto fixed = tenants.refresh();
      REQUIRE(ids(fixed.changed) == Ids{"alpha"});
      CHECK(fixed.changed[0]->limits.max_connections == 30);
      CHECK(fixed.errors.empty());
      CHECK(tenants.current()[0]->limits.max_connections == 30);
    }

    SECTION("a file deleted while broken takes its live tenant with it") {
      std::filesystem::remove(dir.path / "alpha.toml");
      auto gone = tenants.refresh();
      CHECK(gone.removed == Ids{"alpha"});
      CHECK(ids(tenants.current()) == Ids{"beta"});
    }
  }

  SECTION("a deleted file removes its tenant, once") {
    std::filesystem::remove(dir.path / "beta.toml");
    auto gone = tenants.refresh();
    CHECK(gone.removed == Ids{"beta"});
    CHECK(gone.changed.empty());
    CHECK(ids(tenants.current()) == Ids{"alpha"});
    CHECK(tenants.refresh().removed.empty());
  }

  SECTION("a new file is picked up") {
    dir.write("gamma.toml", tenant("Gamma"));
    auto added = tenants.refresh();
    CHECK(ids(added.changed) == Ids{"gamma"});
    CHECK(ids(tenants.current()) == Ids{"alpha", "beta", "gamma"});
  }

  SECTION("touching a file without changing it is not a change") {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::filesystem::last_write_time(dir.path / "beta.toml",
                                     std::filesystem::file_time_type::clock::now());
    auto touched = tenants.refresh();
    CHECK(touched.changed.empty());
    CHECK(touched.errors.empty());
  }
}

TEST_CASE("a file that was never valid is reported once and never goes live") {
  TempDir dir;
  dir.write("alpha.toml", "name = 5\n");
  TenantDirectory tenants(dir.path, fake_plugins(), "storage-sqlite");
  auto first = tenants.refresh();
  CHECK(first.changed.empty());
  REQUIRE(first.errors.size() == 1);
  CHECK(first.errors[0].key == "name");
  CHECK(tenants.current().empty());
  CHECK(tenants.refresh().errors.empty());

  std::filesystem::remove(dir.path / "alpha.toml");
  CHECK(tenants.refresh().removed.empty());  // it never was a tenant
}

TEST_CASE("recheck_all re-validates unchanged files against the installed plugins") {
  TempDir dir;
  dir.write("alpha.toml", tenant("Alpha"));
  bool installed = false;
  PluginLookup lookup = [&](std::string_view name) {
    return installed ? fake_plugins()(name) : nullptr;
  };
  TenantDirectory tenants(dir.path, lookup, "storage-sqlite");
  CHECK(tenants.refresh().errors.size() == 2);  // storage and routing plugins missing
  CHECK(tenants.refresh().errors.empty());

  installed = true;
  tenants.recheck_all();
  CHECK(ids(tenants.refresh().changed) == Ids{"alpha"});
}

TEST_CASE("recheck_failed serves a file that waited for a plugin, and reloads no valid one") {
  TempDir dir;
  dir.write("alpha.toml", tenant("Alpha"));
  dir.write("beta.toml", tenant("Beta") + "[routing]\nchain = [\"routing-late\"]\n");
  bool late_installed = false;
  PluginLookup lookup = [&](std::string_view name) -> const PluginSchema* {
    static const PluginSchema late{"routing-late", SB_KIND_ROUTING, {}};
    if (name == "routing-late") return late_installed ? &late : nullptr;
    return fake_plugins()(name);
  };
  TenantDirectory tenants(dir.path, lookup, "storage-sqlite");
  auto first = tenants.refresh();
  CHECK(ids(first.changed) == Ids{"alpha"});
  REQUIRE(first.errors.size() == 1);
  CHECK_THAT(first.errors[0].message, Catch::Contains("'routing-late' is not installed"));

  late_installed = true;
  tenants.recheck_failed();
  auto healed = tenants.refresh();
  CHECK(ids(healed.changed) == Ids{"beta"});
  CHECK(healed.errors.empty());
  CHECK(ids(tenants.current()) == Ids{"alpha", "beta"});
  // Nothing failed any more: a further recheck reloads nothing.
  tenants.recheck_failed();
  CHECK(tenants.refresh().changed.empty());
}

TEST_CASE("a missing tenants directory is reported once and keeps nothing live") {
  TempDir dir;
  TenantDirectory tenants(dir.path / "missing", fake_plugins(), "storage-sqlite");
  auto first = tenants.refresh();
  REQUIRE(first.errors.size() == 1);
  CHECK_THAT(first.errors[0].message, Catch::Contains("tenants directory"));
  CHECK(tenants.refresh().errors.empty());
  CHECK(tenants.current().empty());
}

TEST_CASE("an edit in a tenant's own directory reloads that tenant, and only it") {
  TempDir dir;
  dir.write("alpha.toml", tenant("Alpha"));
  dir.write("beta.toml", tenant("Beta"));
  std::filesystem::create_directories(dir.path / "alpha" / "kb");
  dir.write("alpha/faq.toml", "[[entries]]\n");
  TenantDirectory tenants(dir.path, fake_plugins(), "storage-sqlite");
  REQUIRE(ids(tenants.refresh().changed) == Ids{"alpha", "beta"});
  const auto alpha = tenants.current()[0];
  const auto stamp = alpha->own_files_stamp;
  CHECK_THAT(stamp, Catch::Contains("faq.toml"));
  CHECK(tenants.current()[1]->own_files_stamp.empty());
  CHECK(tenants.refresh().changed.empty());

  // A knowledge base saved again with other content (an editor, the admin API).
  dir.write("alpha/faq.toml", "[[entries]]\nid = \"x\"\n");
  auto edited = tenants.refresh();
  REQUIRE(ids(edited.changed) == Ids{"alpha"});
  CHECK(edited.changed[0]->own_files_stamp != stamp);
  CHECK(edited.changed[0]->limits == alpha->limits);
  CHECK(tenants.refresh().changed.empty());

  // Hidden files (an editor's swap file, an upload being checked) do not.
  dir.write("alpha/.faq.toml.swp", "x");
  CHECK(tenants.refresh().changed.empty());

  // A new file in a subdirectory, and a removed one, count too.
  dir.write("alpha/kb/more.toml", "");
  CHECK(ids(tenants.refresh().changed) == Ids{"alpha"});
  std::filesystem::remove(dir.path / "alpha" / "faq.toml");
  CHECK(ids(tenants.refresh().changed) == Ids{"alpha"});
  CHECK(tenants.refresh().changed.empty());
}
