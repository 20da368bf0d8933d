#include "server/data_dir_lock.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "support/temp_dir.hpp"

using sb::server::DataDirLock;

TEST_CASE("one data dir has one holder at a time, and the next one after it lets go") {
  sb::test::TempDir root;
  const auto data_dir = root.path() / "data";  // not there yet: made by the lock
  std::string error;
  auto first = DataDirLock::acquire(data_dir, error);
  REQUIRE(first);
  CHECK(std::filesystem::is_directory(data_dir));

  // flock conflicts between two opens of the file, so one process stands for two.
  CHECK_FALSE(DataDirLock::acquire(data_dir, error));
  CHECK(error == "the data directory " + data_dir.string() +
                     " is in use by another switchboard (pid " + std::to_string(::getpid()) +
                     "); stop it first, or give this server its own --data-dir");

  // A moved-from lock holds nothing; the lock goes with the object it moved to.
  std::optional<DataDirLock> moved(std::move(*first));
  first.reset();
  CHECK_FALSE(DataDirLock::acquire(data_dir, error));
  moved.reset();
  error.clear();
  CHECK(DataDirLock::acquire(data_dir, error));
  CHECK(error.empty());
}

TEST_CASE("a data dir that cannot be made is named with the reason") {
  sb::test::TempDir root;
  std::ofstream(root.path() / "file") << "not a directory";
  std::string error;
  CHECK_FALSE(DataDirLock::acquire(root.path() / "file" / "data", error));
  CHECK(error.find("cannot create the data directory " +
                   (root.path() / "file" / "data").string()) == 0);
}

TEST_CASE("a relative data dir is named in full when another server holds it") {
  sb::test::TempDir root;
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(root.path());
  std::string error;
  auto held = DataDirLock::acquire("var", error);
  const bool refused = !DataDirLock::acquire("var", error);
  std::filesystem::current_path(before);
  REQUIRE(held);
  CHECK(refused);
  const auto full = std::filesystem::canonical(root.path()) / "var";
  CHECK(error.find("the data directory " + full.string() + " is in use") == 0);
}
