// Plugins changing while the host runs: a file dropped in is loaded once it is
// complete, a replaced build is unmapped when its last instance goes, a removed
// plugin keeps its running instances but makes no new ones. Every build is mapped
// from a private copy, so a file written over in place changes no running code.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "abi_test_support.hpp"
#include "plugin_host/loaded_plugin.hpp"
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
// removed file's inode is listed as "FILE (deleted)").
std::vector<std::string> mappings_of(const fs::path& file) {
  std::ifstream maps("/proc/self/maps");
  std::vector<std::string> lines;
  const std::string name = fs::canonical(file.parent_path()) / file.filename();
  for (std::string line; std::getline(maps, line);)
    if (line.find(name) != std::string::npos) lines.push_back(line);
  return lines;
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

// abi-c-router in a plugin directory of the test's own, loaded by a host that logs
// to `log`; instance() makes one for a tenant (error says why not).
struct LoadedRouter {
  LoadedRouter() {
    copy_test_plugins(dir.path(), {"abi-c-router"});
    host.scan();
  }
  std::shared_ptr<Instance> instance(const char* tenant = "acme") {
    return host.create_instance("abi-c-router", tenant, {}, dir.path() / "data", error);
  }

  TempDir dir;
  const fs::path file = dir.path() / "abi-c-router.so";
  CapturedLog log;
  PluginHost host{dir.path(), swap_options_with(log)};
  std::string error;
};

}  // namespace

TEST_CASE_METHOD(LoadedRouter,
                 "a replaced build is unmapped when its last instance is freed, not before") {
  auto old_instance = instance();
  REQUIRE(old_instance);
  std::weak_ptr<const LoadedPlugin> old_build = old_instance->build();
  const fs::path old_copy = old_instance->build()->copy;
  CHECK(old_instance->info().generation == 1);

  install("abi-c-router-v2", file);
  age(file);
  const auto report = host.rescan();
  CHECK(report.replaced == std::vector<std::string>{"abi-c-router"});
  CHECK_FALSE(host.is_current(*old_instance));
  auto new_instance = instance();
  REQUIRE(new_instance);
  CHECK(new_instance->info().generation == 2);
  CHECK(host.is_current(*new_instance));

  // Both builds mapped, each from its own private copy; nothing from the directory.
  const fs::path new_copy = new_instance->build()->copy;
  CHECK(new_copy != old_copy);
  CHECK_FALSE(mappings_of(old_copy).empty());
  CHECK_FALSE(mappings_of(new_copy).empty());
  CHECK(mappings_of(file).empty());
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
  INFO("mappings after: " << Catch::Detail::stringify(mappings_of(old_copy)));
  CHECK(mappings_of(old_copy).empty());
  CHECK_FALSE(fs::exists(old_copy));
  CHECK_FALSE(mappings_of(new_copy).empty());  // the new build stays
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

TEST_CASE_METHOD(
    LoadedRouter,
    "a plugin removed while in use keeps its instances working and makes no new ones") {
  auto running = instance();
  REQUIRE(running);
  const fs::path copy = running->build()->copy;

  fs::remove(file);
  const auto report = host.rescan();
  CHECK(report.removed == std::vector<std::string>{"abi-c-router"});
  CHECK(log.count("its file " + file.string() + " was removed while 1 instance(s) use it") == 1);
  // The running instance keeps the code it runs.
  CHECK(route_index(running) == 0);
  CHECK_FALSE(host.has("abi-c-router"));
  CHECK(host.schema("abi-c-router") == nullptr);
  CHECK_FALSE(instance("globex"));
  CHECK_THAT(error, Catch::Contains("no plugin named abi-c-router"));
  REQUIRE(host.builds().size() == 1);
  CHECK_FALSE(host.builds()[0].current);
  // Still mapped from its copy, which stays while the instance runs.
  CHECK_FALSE(mappings_of(copy).empty());
  CHECK(fs::exists(copy));

  running.reset();
  CHECK(log.count("unloading plugin abi-c-router") == 1);
  CHECK(mappings_of(copy).empty());
  CHECK_FALSE(fs::exists(copy));
  CHECK(host.builds().empty());

  SECTION("put back, it is loaded again as a new generation") {
    install("abi-c-router", file);
    age(file);
    CHECK(host.rescan().added == std::vector<std::string>{"abi-c-router"});
    auto again = instance();
    REQUIRE(again);
    CHECK(again->info().generation == 2);
  }
}

// cp over a loaded plugin truncates its file and writes it again in the same inode.
// Mapped from that file, the running code lost its pages (SIGBUS at its next call),
// and the loader, finding the inode it had loaded, handed the old code back for the
// new build. Mapped from a private copy, the running code is untouched, the file
// seen half-written is refused, and once whole it is loaded beside the old build.
TEST_CASE_METHOD(
    LoadedRouter,
    "a loaded plugin written over in place changes no running code and, once whole, loads") {
  auto old_instance = instance();
  REQUIRE(old_instance);
  CHECK(route_index(old_instance) == 0);

  std::ifstream in(fs::path(SB_TEST_PLUGIN_DIR) / "abi-c-router-v2.so", std::ios::binary);
  const std::string v2((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t half = v2.size() / 2;
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(v2.data(), half);
  CHECK(route_index(old_instance) == 0);
  age(file);
  CHECK_FALSE(host.rescan().any());
  CHECK(log.count("refused replacement of plugin abi-c-router from " + file.string() +
                  ": the file is cut short") == 1);
  CHECK(host.is_current(*old_instance));

  std::ofstream(file, std::ios::binary | std::ios::app).write(v2.data() + half, v2.size() - half);
  CHECK(route_index(old_instance) == 0);
  age(file);
  CHECK(host.rescan().replaced == std::vector<std::string>{"abi-c-router"});
  CHECK_FALSE(host.is_current(*old_instance));
  auto new_instance = instance();
  REQUIRE(new_instance);
  CHECK(new_instance->info().generation == 2);
  CHECK(route_index(new_instance) == 1);
  CHECK(route_index(old_instance) == 0);
  CHECK(mappings_of(file).empty());
}

TEST_CASE(
    "private copies: an earlier run's are removed at the first scan, a refused file leaves none, "
    "and the directory goes with the host") {
  TempDir dir;
  const fs::path plugins = dir.path() / "plugins";
  const fs::path copies = dir.path() / "copies";
  fs::create_directories(plugins);
  copy_test_plugins(plugins, {"abi-c-router"});
  std::ofstream(plugins / "garbage.so") << "not an ELF file";
  fs::create_directories(copies);
  std::ofstream(copies / "7-abi-c-router.so") << "left by a crash";
  CapturedLog log;
  HostOptions options = swap_options_with(log);
  options.copy_dir = copies;
  {
    PluginHost host(plugins, options);
    host.scan();
    CHECK(log.count("removed 1 private plugin copy left in " + copies.string() +
                    " by an earlier run") == 1);
    CHECK(log.count("refused plugin " + (plugins / "garbage.so").string()) == 1);
    std::string error;
    auto instance = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
    REQUIRE(instance);
    const fs::path copy = instance->build()->copy;
    CHECK(copy.parent_path() == copies);
    std::vector<fs::path> in_copies;
    for (const auto& entry : fs::directory_iterator(copies)) in_copies.push_back(entry.path());
    CHECK(in_copies == std::vector<fs::path>{copy});
    CHECK((fs::status(copies).permissions() & fs::perms::all) == fs::perms::owner_all);
    CHECK((fs::status(copy).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_exec));
    CHECK_FALSE(mappings_of(copy).empty());
  }
  CHECK_FALSE(fs::exists(copies));

  // Without a directory of its own, a host makes one under the temporary directory.
  fs::path temporary;
  {
    PluginHost host(plugins, swap_options_with(log));
    host.scan();
    std::string error;
    auto instance = host.create_instance("abi-c-router", "acme", {}, dir.path() / "data", error);
    REQUIRE(instance);
    temporary = instance->build()->copy.parent_path();
    CHECK(temporary.parent_path() == fs::temp_directory_path());
    CHECK(fs::exists(instance->build()->copy));
  }
  CHECK_FALSE(fs::exists(temporary));
}
