// Plugins changing while the host runs: a file dropped in is loaded once it is
// complete, a replaced build is unmapped when its last instance goes, a removed
// plugin keeps its running instances but makes no new ones.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "abi_test_support.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"

using namespace sb::plugin_host;
using namespace sb::abi_test;

namespace {

HostOptions swap_options_with(const CapturedLog& log) {
  HostOptions options;
  options.logger = log.logger;
  return options;
}

// The lines of this process's memory map naming `file`, as the kernel shows it (a
// replaced file's old inode is listed as "FILE (deleted)").
std::vector<std::string> mappings_of(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::vector<std::string> lines;
  const std::string name = fs::canonical(file.parent_path()) / file.filename();
  for (std::string line; std::getline(maps, line);)
    if (line.find(name) != std::string::npos) lines.push_back(line);
  return lines;
}

bool any_deleted(const std::vector<std::string>& lines) {
  return std::any_of(lines.begin(), lines.end(),
                     [](const std::string& line) { return line.ends_with("(deleted)"); });
}

// Puts a test plugin in place the way installers do: a new file renamed over.
void install(const char* plugin, const fs::path& target) {
  const fs::path incoming = target.parent_path() / "incoming.tmp";
  fs::copy_file(fs::path(SB_TEST_PLUGIN_DIR) / (std::string(plugin) + ".so"), incoming);
  fs::rename(incoming, target);
}

// As if the file had been written a while ago (rescan leaves fresh files alone).
void age(const fs::path& file) {
  fs::last_write_time(file, fs::last_write_time(file) - std::chrono::seconds(5));
}

int route_index(const std::shared_ptr<Instance>& instance) {
  boost::asio::io_context io;
  const std::vector<AgentCandidate> candidates = {{"agent-a", "A", 0, 3}, {"agent-b", "B", 2, 3}};
  RouteQuery query;
  query.candidates = &candidates;
  return RoutingClient(instance).route(query, io.get_executor(), [](CallResult) {}).index;
}

}  // namespace

TEST_CASE("a replaced build is unmapped when its last instance is freed, not before") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router"});
  const fs::path file = dir.path() / "abi-c-router.so";
  CapturedLog log;
  PluginHost host(dir.path(), swap_options_with(log));
  host.scan();
  std::string error;
  auto old_instance = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(old_instance);
  std::weak_ptr<const LoadedPlugin> old_build = old_instance->build();
  CHECK(old_instance->info().generation == 1);

  install("abi-c-router-v2", file);
  age(file);
  const auto report = host.rescan();
  CHECK(report.replaced == std::vector<std::string>{"abi-c-router"});
  CHECK_FALSE(host.is_current(*old_instance));
  auto new_instance = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(new_instance);
  CHECK(new_instance->info().generation == 2);
  CHECK(host.is_current(*new_instance));

  // Both builds mapped: the old inode (its file replaced) and the new one.
  INFO("mappings: " << Catch::Detail::stringify(mappings_of(file)));
  CHECK(any_deleted(mappings_of(file)));
  auto builds = host.builds();
  REQUIRE(builds.size() == 2);
  CHECK((builds[0].current && builds[0].info.generation == 2 && builds[0].instances == 1));
  CHECK((!builds[1].current && builds[1].info.generation == 1 && builds[1].instances == 1));
  // A call on the old instance still runs the old code.
  CHECK(route_index(old_instance) == 0);
  CHECK(route_index(new_instance) == 1);

  old_instance.reset();
  CHECK(old_build.expired());
  CHECK(log.count("unloading plugin abi-c-router 0.1.0 (generation 1") == 1);
  INFO("mappings after: " << Catch::Detail::stringify(mappings_of(file)));
  CHECK_FALSE(any_deleted(mappings_of(file)));
  CHECK_FALSE(mappings_of(file).empty());  // the new build stays
  REQUIRE(host.builds().size() == 1);
  CHECK(host.builds()[0].info.generation == 2);
}

TEST_CASE("a plugin dropped in is loaded by the next rescan once its file has settled") {
  TempDir dir;
  CapturedLog log;
  PluginHost host(dir.path(), swap_options_with(log));
  host.scan();
  CHECK(host.plugins().empty());

  install("abi-c-router", dir.path() / "abi-c-router.so");
  // Just written: it may still be growing (cp, install), so it waits.
  CHECK_FALSE(host.rescan().any());
  CHECK(host.plugins().empty());

  age(dir.path() / "abi-c-router.so");
  const auto report = host.rescan();
  CHECK(report.added == std::vector<std::string>{"abi-c-router"});
  REQUIRE(host.schema("abi-c-router") != nullptr);
  std::string error;
  CHECK(host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error));
  CHECK(log.count("loaded plugin abi-c-router 0.1.0 (routing, ABI") == 1);
  CHECK_FALSE(host.rescan().any());
}

TEST_CASE("a refused file is reported once, and again only when it changes") {
  TempDir dir;
  CapturedLog log;
  PluginHost host(dir.path(), swap_options_with(log));
  std::ofstream(dir.path() / "garbage.so") << "not an ELF file";
  age(dir.path() / "garbage.so");
  host.scan();
  host.rescan();
  host.rescan();
  CHECK(log.count("refused plugin") == 1);

  std::ofstream(dir.path() / "garbage.so") << "still not an ELF file, but longer";
  age(dir.path() / "garbage.so");
  host.rescan();
  CHECK(log.count("refused plugin") == 2);
}

namespace {

// Takes every free descriptor number of this process (under a lowered limit) until
// it goes out of scope: while it lives, opening anything fails with EMFILE.
class DescriptorsExhausted {
 public:
  DescriptorsExhausted() {
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved_) == 0);
    rlimit lowered = saved_;
    lowered.rlim_cur = 1024;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) taken_.push_back(fd);
    REQUIRE(errno == EMFILE);
  }
  ~DescriptorsExhausted() {
    for (const int fd : taken_) close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> taken_;
};

}  // namespace

TEST_CASE("a directory that cannot be listed is reported once, and when it can be again") {
  TempDir dir;
  CapturedLog log;
  PluginHost host(dir.path(), swap_options_with(log));
  host.scan();
  {
    DescriptorsExhausted exhausted;
    for (int poll = 0; poll < 5; ++poll) CHECK_FALSE(host.rescan().any());
  }
  CHECK(log.count("cannot list plugin directory " + dir.path().string() +
                  ": Too many open files") == 1);
  CHECK(log.count("can be listed again") == 0);

  install("abi-c-router", dir.path() / "abi-c-router.so");
  age(dir.path() / "abi-c-router.so");
  CHECK(host.rescan().added == std::vector<std::string>{"abi-c-router"});
  CHECK(log.count("plugin directory " + dir.path().string() + " can be listed again") == 1);
  host.rescan();
  CHECK(log.count("can be listed again") == 1);
}

TEST_CASE("a plugin removed while in use keeps its instances working and makes no new ones") {
  TempDir dir;
  copy_test_plugins(dir.path(), {"abi-c-router"});
  const fs::path file = dir.path() / "abi-c-router.so";
  CapturedLog log;
  PluginHost host(dir.path(), swap_options_with(log));
  host.scan();
  std::string error;
  auto running = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
  REQUIRE(running);

  fs::remove(file);
  const auto report = host.rescan();
  CHECK(report.removed == std::vector<std::string>{"abi-c-router"});
  CHECK(log.count("its file " + file.string() + " was removed while 1 instance(s) use it") == 1);
  // The running instance keeps the code it runs.
  CHECK(route_index(running) == 0);
  CHECK_FALSE(host.has("abi-c-router"));
  CHECK(host.schema("abi-c-router") == nullptr);
  CHECK_FALSE(host.create_instance("abi-c-router", "globex", {}, dir.path() / "data", error));
  CHECK_THAT(error, Catch::Contains("no plugin named abi-c-router"));
  REQUIRE(host.builds().size() == 1);
  CHECK_FALSE(host.builds()[0].current);
  CHECK(any_deleted(mappings_of(file)));

  running.reset();
  CHECK(log.count("unloading plugin abi-c-router") == 1);
  CHECK(mappings_of(file).empty());
  CHECK(host.builds().empty());

  SECTION("put back, it is loaded again as a new generation") {
    install("abi-c-router", file);
    age(file);
    CHECK(host.rescan().added == std::vector<std::string>{"abi-c-router"});
    auto again = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
    REQUIRE(again);
    CHECK(again->info().generation == 2);
  }
}
