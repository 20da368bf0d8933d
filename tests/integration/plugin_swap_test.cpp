// Plugins changed in the plugin directory of a running server, as an operator
// installs them: a new build of the storage and routing plugins renamed over the
// old files, or copied over them in place (cp), under a steady chat load, a plugin
// dropped in that a tenant file was waiting for, and a plugin removed while a
// tenant uses it. The server maps private copies, never the directory's files, and
// leaves none behind.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/polling.hpp"

using namespace sb::it;
namespace fs = std::filesystem;

namespace {

// A plugin directory of this test's own, with copies of the built plugins (all but
// `leave_out`), so files can be replaced and removed without touching the build;
// the options of a deployment that loads its plugins from there.
DeploymentOptions own_plugin_dir(const fs::path& dir, const std::set<std::string>& leave_out = {}) {
  for (const auto& entry : fs::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
    if (entry.path().extension() == ".so" && !leave_out.count(entry.path().stem().string()))
      fs::copy_file(entry.path(), dir / entry.path().filename());
  DeploymentOptions options;
  options.plugin_dir = dir;
  return options;
}

// Installs the built plugin into dir the way install(1) to a temporary name and mv
// do: a complete new file renamed over the old one (a new inode).
void install_plugin(const fs::path& dir, const std::string& plugin) {
  const fs::path incoming = dir / (plugin + ".so.incoming");
  fs::copy_file(fs::path(SWITCHBOARD_PLUGIN_DIR) / (plugin + ".so"), incoming);
  fs::rename(incoming, dir / (plugin + ".so"));
}

// Waits until the server log contains `needle`; true when it did in time.
bool log_shows(Deployment& deployment, const std::string& needle,
               std::chrono::milliseconds limit = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (deployment.server().log().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

// The switchboard_plugin_instances lines of /metrics for one plugin.
std::vector<std::string> plugin_metrics(Deployment& deployment, const std::string& plugin) {
  const auto metrics = sb::test::http_get(deployment.port(), "/metrics").body;
  std::vector<std::string> lines;
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("switchboard_plugin_instances{plugin=\"" + plugin + "\""))
      lines.push_back(line);
  return lines;
}

// The files of a process's memory map under `dir` (each once).
std::set<std::string> mapped_files_under(int pid, const fs::path& dir) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const std::string prefix = fs::weakly_canonical(dir).string() + "/";
  std::set<std::string> files;
  for (std::string line; std::getline(maps, line);)
    if (const auto at = line.find(prefix); at != std::string::npos) files.insert(line.substr(at));
  return files;
}

// The private copies of one plugin (named "N-PLUGIN.so") the server maps.
std::set<std::string> mapped_copies_of(Deployment& deployment, const std::string& plugin) {
  std::set<std::string> copies;
  for (const auto& file :
       mapped_files_under(deployment.server().pid(), deployment.root() / "data" / "loaded-plugins"))
    if (file.ends_with("-" + plugin + ".so")) copies.insert(file);
  return copies;
}

// Writes the built plugin over the file in place as cp does (the same inode,
// opened with O_TRUNC, then written), in `chunks` writes. Between two writes it
// pauses until the server has refused the half-written file (a new "refused
// replacement" line: it looked at the file once it had settled), or for `pause` at
// most, so a server that loads the half-written file still gets the whole pause.
void copy_over_in_place(Deployment& deployment, const fs::path& dir, const std::string& plugin,
                        int chunks, std::chrono::milliseconds pause) {
  const std::string bytes =
      sb::test::read_file(fs::path(SWITCHBOARD_PLUGIN_DIR) / (plugin + ".so"));
  const std::string refused = "refused replacement of plugin " + plugin + " from ";
  const auto refusals = [&] { return sb::test::count_of(deployment.server().log(), refused); };
  const int fd = ::open((dir / (plugin + ".so")).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const size_t chunk = bytes.size() / static_cast<size_t>(chunks) + 1;
  size_t refused_before = 0;
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    if (at > 0) sb::test::eventually([&] { return refusals() > refused_before; }, pause);
    refused_before = refusals();
    const size_t size = std::min(chunk, bytes.size() - at);
    REQUIRE(::write(fd, bytes.data() + at, size) == static_cast<ssize_t>(size));
  }
  ::close(fd);
}

struct Acked {
  std::string conversation_id;
  int64_t seq = 0;
  std::string text;
};

// What the sending threads saw; Catch's assertions stay on the test's thread.
struct Ledger {
  std::mutex mutex;
  std::vector<Acked> acked;
  std::vector<std::string> failures;
  void ack(const json::object& reply, const std::string& text) {
    std::lock_guard lock(mutex);
    acked.push_back({str(reply, "conversation_id"), num(reply, "seq"), text});
  }
  void fail(const std::string& why) {
    std::lock_guard lock(mutex);
    failures.push_back(why);
  }
  size_t count() {
    std::lock_guard lock(mutex);
    return acked.size();
  }
};

// Sends numbered messages one after another, each after the previous one's ack,
// until stop; an error frame or a missing ack is a failure.
template <class Send>
void send_until(std::atomic<bool>& stop, Ledger& ledger, const std::string& sender,
                sb::test::WsClient& ws, Send send) {
  try {
    for (int i = 0; !stop; ++i) {
      const std::string text = sender + "-" + std::to_string(i);
      send(text);
      auto reply = reply_to(ws, text, 20s);
      if (str(reply, "type") != "ack") {
        ledger.fail(text + " answered " + json::serialize(reply));
        return;
      }
      ledger.ack(reply, text);
      ws.take_buffered("message");  // the other side's messages: not what this checks
      std::this_thread::sleep_for(5ms);
    }
  } catch (const std::exception& e) {
    ledger.fail(sender + ": " + e.what());
  }
}

// acme, with rate limits the load below stays under and two agents to chat with,
// with room for every newcomer of a long test (about five a second).
TenantSpec busy_acme() {
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;
  tenant.messages_per_second = 5000;
  tenant.agents = {{"alice", "Alice", "agent", 100},
                   {"carol", "Carol", "agent", 100},
                   {"root", "Acme Admin", "admin", 2}};
  return tenant;
}

// A steady chat load on busy_acme() until stop(): four visitors chatting with
// alice and carol, each side sending continuously, and new visitors arriving, so
// the storage and routing plugins are asked throughout.
class ChatLoad {
 public:
  explicit ChatLoad(Deployment& deployment) : deployment_(deployment) {
    agents_.emplace("alice", deployment.connect_agent("acme", "alice"));
    agents_.emplace("carol", deployment.connect_agent("acme", "carol"));
    std::map<std::string, std::vector<std::string>> conversations_of;  // agent -> conversations
    for (int v = 0; v < 4; ++v) {
      visitors_.push_back(deployment.connect_visitor("acme"));
      const auto conversation_id = str(visitors_.back().send_message("hello"), "conversation_id");
      const auto assigned = visitors_.back().ws.next_of_type("conversation.assigned");
      const auto agent_id = str(obj(assigned, "agent"), "id");
      agents_.at(agent_id).ws.next_of_type("conversation.assigned");
      conversations_of[agent_id].push_back(conversation_id);
    }
    for (size_t v = 0; v < visitors_.size(); ++v) {
      senders_.emplace_back([this, v] {
        auto& ws = visitors_[v].ws;
        send_until(stop_, ledger, "visitor" + std::to_string(v), ws, [&](const std::string& text) {
          ws.send_json(
              {{"type", "message"}, {"client_msg_id", text}, {"text", text}, {"ref", text}});
        });
      });
    }
    for (auto& [agent_id, conversations] : conversations_of) {
      senders_.emplace_back([this, agent_id = agent_id, conversations = conversations] {
        auto& ws = agents_.at(agent_id).ws;
        size_t next = 0;
        send_until(stop_, ledger, agent_id, ws, [&](const std::string& text) {
          ws.send_json({{"type", "message"},
                        {"conversation_id", conversations[next++ % conversations.size()]},
                        {"client_msg_id", text},
                        {"text", text},
                        {"ref", text}});
        });
      });
    }
    senders_.emplace_back([this] { welcome_newcomers(); });
  }
  ~ChatLoad() { stop(); }
  ChatLoad(const ChatLoad&) = delete;
  ChatLoad& operator=(const ChatLoad&) = delete;

  void stop() {
    stop_ = true;
    for (auto& sender : senders_)
      if (sender.joinable()) sender.join();
  }
  int newcomers_served() const { return newcomers_served_; }

  Ledger ledger;

 private:
  void welcome_newcomers() {
    try {
      for (int n = 0; !stop_; ++n) {
        auto visitor = deployment_.connect_visitor("acme");
        const std::string text = "newcomer-" + std::to_string(n);
        visitor.ws.send_json(
            {{"type", "message"}, {"client_msg_id", text}, {"text", text}, {"ref", text}});
        auto reply = reply_to(visitor.ws, text, 20s);
        if (str(reply, "type") != "ack") return ledger.fail(text + ": " + json::serialize(reply));
        ledger.ack(reply, text);
        visitor.ws.next_of_type("conversation.assigned", 20s);
        ++newcomers_served_;
        std::this_thread::sleep_for(200ms);
      }
    } catch (const std::exception& e) {
      ledger.fail(std::string("newcomer: ") + e.what());
    }
  }

  Deployment& deployment_;
  std::map<std::string, AgentSession> agents_;
  std::vector<VisitorSession> visitors_;
  std::atomic<bool> stop_{false};
  std::atomic<int> newcomers_served_{0};
  std::vector<std::thread> senders_;
};

// Every message the load sent was answered with an ack.
void require_no_failures(Ledger& ledger) {
  std::lock_guard lock(ledger.mutex);
  INFO("failures: " << Catch::Detail::stringify(ledger.failures));
  REQUIRE(ledger.failures.empty());
}

// Every acknowledged message is in its conversation's history exactly once, at the
// seq its ack gave, each conversation's seqs are gapless, and one sender's messages
// keep their order.
void check_acked_in_history(Deployment& deployment, Ledger& ledger,
                            const std::string& admin_token) {
  std::lock_guard lock(ledger.mutex);
  std::map<std::string, std::vector<Acked>> by_conversation;
  for (const auto& acked : ledger.acked) by_conversation[acked.conversation_id].push_back(acked);
  for (const auto& [conversation_id, acks] : by_conversation) {
    const auto history = deployment.full_history("acme", conversation_id, admin_token);
    std::map<int64_t, std::string> text_at;
    std::map<std::string, int> copies;
    int64_t expected_seq = 1;
    bool gapless = true;
    for (const auto& message : history) {
      const auto& m = message.as_object();
      const int64_t seq = num(m, "seq");
      gapless = gapless && seq == expected_seq++;
      text_at[seq] = str(m, "text");
      ++copies[str(m, "text")];
    }
    INFO("conversation " << conversation_id << " has " << history.size() << " messages, "
                         << acks.size() << " acked by the test");
    CHECK(gapless);
    for (const auto& acked : acks) {
      INFO("acked " << acked.text << " at seq " << acked.seq);
      CHECK(text_at[acked.seq] == acked.text);
      CHECK(copies[acked.text] == 1);
    }
  }
  std::map<std::string, std::vector<int64_t>> seqs_by_sender_and_conversation;
  for (const auto& acked : ledger.acked) {
    const std::string sender = acked.text.substr(0, acked.text.rfind('-'));
    seqs_by_sender_and_conversation[sender + " in " + acked.conversation_id].push_back(acked.seq);
  }
  for (const auto& [who, seqs] : seqs_by_sender_and_conversation) {
    INFO(who);
    CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  }
}

// Waits until each plugin has one build in /metrics, of `generation`, current and
// used by one instance, mapped from one private copy (the replaced builds are
// unloaded and their copies gone); then checks that.
void check_only_build(Deployment& deployment, const std::vector<std::string>& plugins,
                      int generation) {
  std::map<std::string, std::vector<std::string>> lines;
  std::map<std::string, std::set<std::string>> copies;
  const auto settled = [&] {
    for (const auto& plugin : plugins)
      if (lines[plugin].size() != 1 || copies[plugin].size() != 1) return false;
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    for (const auto& plugin : plugins) {
      lines[plugin] = plugin_metrics(deployment, plugin);
      copies[plugin] = mapped_copies_of(deployment, plugin);
    }
    if (settled()) break;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < deadline);
  for (const auto& plugin : plugins) {
    INFO(plugin << ": metrics " << Catch::Detail::stringify(lines[plugin]) << ", mapped copies "
                << Catch::Detail::stringify(copies[plugin]));
    REQUIRE(lines[plugin].size() == 1);
    CHECK_THAT(lines[plugin][0],
               Catch::Contains("generation=\"" + std::to_string(generation) + "\"") &&
                   Catch::Contains("current=\"true\"") && Catch::EndsWith(" 1"));
    CHECK(copies[plugin].size() == 1);
  }
}

}  // namespace

TEST_CASE(
    "storage and routing plugins replaced under chat load lose, duplicate and reorder nothing, "
    "and the old builds are unloaded",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  Deployment deployment({busy_acme()}, own_plugin_dir(plugins.path()));
  const auto admin_token = deployment.login("acme", "root");

  for (const char* plugin : {"storage-sqlite", "routing-least-busy"}) {
    const auto before = plugin_metrics(deployment, plugin);
    REQUIRE(before.size() == 1);
    CHECK_THAT(before[0], Catch::Contains("generation=\"1\"") && Catch::EndsWith(" 1"));
  }

  ChatLoad load(deployment);
  std::this_thread::sleep_for(1500ms);
  const size_t acked_before_swap = load.ledger.count();
  const int newcomers_before_swap = load.newcomers_served();
  install_plugin(plugins.path(), "storage-sqlite");
  install_plugin(plugins.path(), "routing-least-busy");
  const bool storage_moved =
      log_shows(deployment, "tenant acme: storage moved from storage-sqlite");
  const bool routing_moved = log_shows(deployment, "tenant acme: plugin routing-least-busy");
  // Chat goes on on the new builds for a while.
  std::this_thread::sleep_for(1500ms);
  const size_t acked_after_swap = load.ledger.count();
  const int newcomers_after_swap = load.newcomers_served();
  load.stop();

  const auto log = deployment.server().log();
  INFO("server log:\n" << log);
  REQUIRE(storage_moved);
  REQUIRE(routing_moved);
  require_no_failures(load.ledger);
  INFO("acked before the swap " << acked_before_swap << ", after " << acked_after_swap);
  CHECK(acked_before_swap > 20);
  CHECK(acked_after_swap > acked_before_swap + 20);
  CHECK(newcomers_after_swap > newcomers_before_swap);
  check_acked_in_history(deployment, load.ledger, admin_token);

  // The new builds serve: generation 2 holds the tenant's instances and the old
  // builds are unloaded, so the process maps one copy of each plugin, and nothing
  // of the plugin directory.
  check_only_build(deployment, {"storage-sqlite", "routing-least-busy"}, 2);
  CHECK(mapped_files_under(deployment.server().pid(), plugins.path()).empty());
  CHECK_THAT(log, Catch::Contains("unloading plugin storage-sqlite") &&
                      Catch::Contains("unloading plugin routing-least-busy"));

  // And after it all, a fresh visitor is routed and stored by the new builds.
  auto late = deployment.connect_visitor("acme");
  auto ack = late.send_message("after the swap");
  CHECK(num(ack, "seq") == 1);
  CHECK_NOTHROW(late.ws.next_of_type("conversation.assigned"));
}

// Operators do `cp new.so plugins/x.so` over a loaded plugin: cp truncates the file
// and writes it again in the same inode. While the server mapped that file, the
// truncation took the running code's pages away and the next call into the plugin
// killed the server (SIGBUS). Now the server maps a private copy, and the file,
// seen between cp's writes, is refused as cut short until it is whole.
TEST_CASE(
    "storage and routing plugins copied over in place by a slow cp under chat load serve on, "
    "lose nothing, and their new builds load once whole",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  Deployment deployment({busy_acme()}, own_plugin_dir(plugins.path()));
  const auto admin_token = deployment.login("acme", "root");
  REQUIRE(mapped_files_under(deployment.server().pid(), plugins.path()).empty());

  ChatLoad load(deployment);
  std::this_thread::sleep_for(1500ms);
  const size_t acked_before_copy = load.ledger.count();
  // Each half-written file stays until the server has refused it: it looks at a file
  // once unchanged for its settle time (1 s), at its next look at the directory
  // (every 1 s), so it sees each plugin file half-written and complete-looking.
  copy_over_in_place(deployment, plugins.path(), "storage-sqlite", 3, 2200ms);
  copy_over_in_place(deployment, plugins.path(), "routing-least-busy", 3, 2200ms);
  const bool storage_moved =
      log_shows(deployment, "tenant acme: storage moved from storage-sqlite");
  const bool routing_moved = log_shows(deployment, "tenant acme: plugin routing-least-busy");
  std::this_thread::sleep_for(1500ms);
  const size_t acked_after_copy = load.ledger.count();
  load.stop();

  const auto log = deployment.server().log();
  INFO("server log:\n" << log);
  REQUIRE(deployment.server().running());
  REQUIRE(storage_moved);
  REQUIRE(routing_moved);
  require_no_failures(load.ledger);
  INFO("acked before the copies " << acked_before_copy << ", after " << acked_after_copy);
  CHECK(acked_before_copy > 20);
  CHECK(acked_after_copy > acked_before_copy + 50);
  // The half-written files were seen and refused with a line, never loaded.
  CHECK_THAT(log, Catch::Contains("refused replacement of plugin storage-sqlite from " +
                                  (plugins.path() / "storage-sqlite.so").string() +
                                  ": the file is cut short"));
  CHECK_THAT(log, Catch::Contains("reloaded plugin storage-sqlite") &&
                      Catch::Contains("reloaded plugin routing-least-busy"));
  check_acked_in_history(deployment, load.ledger, admin_token);
  // The last refusal was not the end: the whole file is the build now serving.
  check_only_build(deployment, {"storage-sqlite", "routing-least-busy"}, 2);
  CHECK(mapped_files_under(deployment.server().pid(), plugins.path()).empty());

  auto late = deployment.connect_visitor("acme");
  CHECK(num(late.send_message("after the copies"), "seq") == 1);
  CHECK_NOTHROW(late.ws.next_of_type("conversation.assigned"));
}

TEST_CASE(
    "a dropped-in plugin serves the tenant file that named it, and once removed it still serves "
    "that tenant while a new tenant naming it is refused",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  auto globex = globex_tenant();
  globex.routing_chain = {"routing-round-robin"};
  Deployment deployment({acme_tenant(), globex},
                        own_plugin_dir(plugins.path(), {"routing-round-robin"}));

  // Not installed yet: the tenant file is refused and globex is not served.
  CHECK_THAT(deployment.server().log(),
             Catch::Contains("plugin 'routing-round-robin' is not installed"));
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=globex") ==
        404);

  install_plugin(plugins.path(), "routing-round-robin");
  const auto dropped_at = std::chrono::steady_clock::now();
  int status = 0;
  while ((status = sb::test::WsClient::upgrade_status(deployment.port(),
                                                      "/v1/ws/visitor?tenant=globex")) != 101 &&
         std::chrono::steady_clock::now() - dropped_at < 10s)
    std::this_thread::sleep_for(200ms);
  INFO("server log:\n" << deployment.server().log());
  REQUIRE(status == 101);
  CHECK(std::chrono::steady_clock::now() - dropped_at < 5s);
  CHECK_THAT(deployment.server().log(), Catch::Contains("loaded plugin routing-round-robin"));
  auto bob = deployment.connect_agent("globex", "bob");
  auto first = deployment.connect_visitor("globex");
  first.send_message("routed by the plugin that just arrived");
  CHECK(str(obj(first.ws.next_of_type("conversation.assigned"), "agent"), "id") == "bob");

  // Removed while globex uses it: refused for the running instance, which keeps
  // routing; a tenant that would be created now gets the unknown-plugin error.
  fs::remove(plugins.path() / "routing-round-robin.so");
  REQUIRE(log_shows(deployment, "was removed while 1 instance(s) use it"));
  auto second = deployment.connect_visitor("globex");
  second.send_message("still routed after the removal");
  CHECK(str(obj(second.ws.next_of_type("conversation.assigned"), "agent"), "id") == "bob");

  auto initech = globex;
  initech.id = "initech";
  initech.name = "Initech";
  deployment.write_tenant(initech);
  REQUIRE(log_shows(deployment, "initech.toml"));
  CHECK_THAT(deployment.server().log(),
             Catch::Contains("initech.toml") &&
                 Catch::Contains("plugin 'routing-round-robin' is not installed"));
  CHECK(sb::test::WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=initech") ==
        404);
  // The plugin is no longer in the listing new instances come from.
  const auto lines = plugin_metrics(deployment, "routing-round-robin");
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("current=\"false\"") && Catch::EndsWith(" 1"));
}

// A new build renamed into place whole is the way, but a copy or a build cut off and
// then renamed happens too: dlopen mapped the short file's segments past its end, and
// the first touch of them killed the server with SIGBUS, with no line in its log.
TEST_CASE("a plugin file cut short is refused with a line saying so, and the server goes on",
          "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  Deployment deployment({acme_tenant()}, own_plugin_dir(plugins.path(), {"routing-round-robin"}));

  // Half of each file: a new plugin dropped in, and a new build of the one acme routes with.
  for (const std::string plugin : {"routing-round-robin", "routing-least-busy"}) {
    const fs::path built = fs::path(SWITCHBOARD_PLUGIN_DIR) / (plugin + ".so");
    std::string bytes = sb::test::read_file(built);
    bytes.resize(bytes.size() / 2);
    sb::test::write_file_atomically(plugins.path() / (plugin + ".so"), bytes);
    INFO("server log:\n" << deployment.server().log());
    REQUIRE(log_shows(deployment, plugin + ".so: the file is cut short"));
    REQUIRE(deployment.server().running());
  }
  // The running build of routing-least-busy goes on serving acme.
  auto alice = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto ack = visitor.send_message("routed by the build that was running");
  CHECK(num(ack, "seq") == 1);
  CHECK(str(obj(alice.ws.next_of_type("conversation.assigned"), "conversation"), "id") ==
        str(ack, "conversation_id"));
}

// The server maps private copies, so the plugin directory's file can go (rm, a
// package's removal) while the storage plugin serves a chat: the removal is refused
// for the running instance with its line, and chat goes on on the copy. Written back
// with a plain cp, the file is a new build the tenant moves to.
TEST_CASE(
    "the storage plugin's file deleted under chat load: the running instance keeps serving from "
    "its private copy, and a copy written back is loaded as a new build",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  Deployment deployment({busy_acme()}, own_plugin_dir(plugins.path()));
  const auto admin_token = deployment.login("acme", "root");

  ChatLoad load(deployment);
  std::this_thread::sleep_for(1000ms);
  fs::remove(plugins.path() / "storage-sqlite.so");
  const bool refused =
      log_shows(deployment, "its file " + (plugins.path() / "storage-sqlite.so").string() +
                                " was removed while 1 instance(s) use it");
  std::this_thread::sleep_for(1500ms);
  const size_t acked_while_gone = load.ledger.count();
  const auto copies_while_gone = mapped_copies_of(deployment, "storage-sqlite");
  fs::copy_file(fs::path(SWITCHBOARD_PLUGIN_DIR) / "storage-sqlite.so",
                plugins.path() / "storage-sqlite.so");
  const bool moved = log_shows(deployment, "tenant acme: storage moved from storage-sqlite");
  std::this_thread::sleep_for(1000ms);
  const size_t acked_after = load.ledger.count();
  load.stop();

  INFO("server log:\n" << deployment.server().log());
  REQUIRE(deployment.server().running());
  REQUIRE(refused);
  require_no_failures(load.ledger);
  CHECK(copies_while_gone.size() == 1);
  REQUIRE(moved);
  INFO("acked while the file was gone " << acked_while_gone << ", in all " << acked_after);
  CHECK(acked_while_gone > 20);
  CHECK(acked_after > acked_while_gone + 20);
  check_acked_in_history(deployment, load.ledger, admin_token);
  check_only_build(deployment, {"storage-sqlite"}, 2);
  CHECK(mapped_files_under(deployment.server().pid(), plugins.path()).empty());
}

// The copies live in DATA_DIR/loaded-plugins while the server runs. A clean stop
// removes them; a crash leaves them, and the next start removes what it finds.
TEST_CASE(
    "the private plugin copies: one per loaded plugin while serving, none after a clean stop, and "
    "a crash's leftovers removed at the next start",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  Deployment deployment({acme_tenant()}, own_plugin_dir(plugins.path()));
  const fs::path copies = deployment.root() / "data" / "loaded-plugins";
  size_t plugin_files = 0;
  for (const auto& entry : fs::directory_iterator(plugins.path()))
    plugin_files += entry.path().extension() == ".so";
  REQUIRE(plugin_files >= 4);

  const auto files_in = [](const fs::path& dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      names.insert(it->path().filename().string());
    return names;
  };
  INFO("server log:\n" << deployment.server().log());
  REQUIRE(files_in(copies).size() == plugin_files);
  CHECK(mapped_files_under(deployment.server().pid(), copies).size() == plugin_files);
  CHECK(mapped_files_under(deployment.server().pid(), plugins.path()).empty());
  CHECK((fs::status(copies).permissions() & fs::perms::all) == fs::perms::owner_all);

  deployment.server().kill_hard();
  CHECK(files_in(copies).size() == plugin_files);  // left by the crash
  deployment.server().start();
  CHECK_THAT(deployment.server().log(), Catch::Contains("removed " + std::to_string(plugin_files) +
                                                        " private plugin copies left in " +
                                                        copies.string() + " by an earlier run"));
  CHECK(files_in(copies).size() == plugin_files);
  auto visitor = deployment.connect_visitor("acme");
  CHECK(num(visitor.send_message("served after the restart"), "seq") == 1);

  REQUIRE(deployment.server().stop() == 0);
  CHECK_FALSE(fs::exists(copies));
}
