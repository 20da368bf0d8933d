// Plugins changed in the plugin directory of a running server, as an operator
// installs them: a new build of the storage and routing plugins renamed over the
// old files under a steady chat load, a plugin dropped in that a tenant file was
// waiting for, and a plugin removed while a tenant uses it.
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

using namespace sb::it;
namespace fs = std::filesystem;

namespace {

// A plugin directory of this test's own, with copies of the built plugins (all but
// `leave_out`), so files can be replaced and removed without touching the build.
void fill_plugin_dir(const fs::path& dir, const std::set<std::string>& leave_out = {}) {
  for (const auto& entry : fs::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
    if (entry.path().extension() == ".so" && !leave_out.count(entry.path().stem().string()))
      fs::copy_file(entry.path(), dir / entry.path().filename());
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

// The server's memory map lines that name a plugin file whose inode is gone.
std::vector<std::string> deleted_mappings(int pid, const std::string& plugin_file) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::vector<std::string> lines;
  for (std::string line; std::getline(maps, line);)
    if (line.find(plugin_file) != std::string::npos && line.ends_with("(deleted)"))
      lines.push_back(line);
  return lines;
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

}  // namespace

TEST_CASE(
    "storage and routing plugins replaced under chat load lose, duplicate and reorder nothing, "
    "and the old builds are unloaded",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  fill_plugin_dir(plugins.path());
  auto tenant = acme_tenant();
  tenant.connection_messages_per_second = 1000;
  tenant.messages_per_second = 5000;
  tenant.agents = {{"alice", "Alice", "agent", 30},
                   {"carol", "Carol", "agent", 30},
                   {"root", "Acme Admin", "admin", 2}};
  DeploymentOptions options;
  options.plugin_dir = plugins.path();
  Deployment deployment({tenant}, options);
  const auto admin_token = deployment.login("acme", "root");

  for (const char* plugin : {"storage-sqlite", "routing-least-busy"}) {
    const auto before = plugin_metrics(deployment, plugin);
    REQUIRE(before.size() == 1);
    CHECK_THAT(before[0], Catch::Contains("generation=\"1\"") && Catch::EndsWith(" 1"));
  }

  // Four visitors chatting with two agents, each side sending continuously.
  std::map<std::string, AgentSession> agents;
  agents.emplace("alice", deployment.connect_agent("acme", "alice"));
  agents.emplace("carol", deployment.connect_agent("acme", "carol"));
  std::vector<VisitorSession> visitors;
  std::map<std::string, std::vector<std::string>> conversations_of;  // agent -> conversations
  for (int v = 0; v < 4; ++v) {
    visitors.push_back(deployment.connect_visitor("acme"));
    const auto conversation_id = str(visitors.back().send_message("hello"), "conversation_id");
    const auto assigned = visitors.back().ws.next_of_type("conversation.assigned");
    const auto agent_id = str(obj(assigned, "agent"), "id");
    agents.at(agent_id).ws.next_of_type("conversation.assigned");
    conversations_of[agent_id].push_back(conversation_id);
  }

  Ledger ledger;
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (size_t v = 0; v < visitors.size(); ++v) {
    senders.emplace_back([&, v] {
      auto& ws = visitors[v].ws;
      send_until(stop, ledger, "visitor" + std::to_string(v), ws, [&](const std::string& text) {
        ws.send_json({{"type", "message"}, {"client_msg_id", text}, {"text", text}, {"ref", text}});
      });
    });
  }
  for (auto& [agent_id, conversations] : conversations_of) {
    senders.emplace_back([&, agent_id = agent_id, conversations = conversations] {
      auto& ws = agents.at(agent_id).ws;
      size_t next = 0;
      send_until(stop, ledger, agent_id, ws, [&](const std::string& text) {
        ws.send_json({{"type", "message"},
                      {"conversation_id", conversations[next++ % conversations.size()]},
                      {"client_msg_id", text},
                      {"text", text},
                      {"ref", text}});
      });
    });
  }
  // New visitors keep arriving, so the routing plugin is asked throughout.
  std::atomic<int> newcomers_served{0};
  std::vector<std::string> newcomer_conversations;
  senders.emplace_back([&] {
    try {
      for (int n = 0; !stop; ++n) {
        auto visitor = deployment.connect_visitor("acme");
        const std::string text = "newcomer-" + std::to_string(n);
        visitor.ws.send_json(
            {{"type", "message"}, {"client_msg_id", text}, {"text", text}, {"ref", text}});
        auto reply = reply_to(visitor.ws, text, 20s);
        if (str(reply, "type") != "ack") return ledger.fail(text + ": " + json::serialize(reply));
        ledger.ack(reply, text);
        {
          std::lock_guard lock(ledger.mutex);
          newcomer_conversations.push_back(str(reply, "conversation_id"));
        }
        visitor.ws.next_of_type("conversation.assigned", 20s);
        ++newcomers_served;
        std::this_thread::sleep_for(200ms);
      }
    } catch (const std::exception& e) {
      ledger.fail(std::string("newcomer: ") + e.what());
    }
  });

  std::this_thread::sleep_for(1500ms);
  const size_t acked_before_swap = ledger.count();
  const int newcomers_before_swap = newcomers_served;
  install_plugin(plugins.path(), "storage-sqlite");
  install_plugin(plugins.path(), "routing-least-busy");
  const bool storage_moved =
      log_shows(deployment, "tenant acme: storage moved from storage-sqlite");
  const bool routing_moved = log_shows(deployment, "tenant acme: plugin routing-least-busy");
  // Chat goes on on the new builds for a while.
  std::this_thread::sleep_for(1500ms);
  const size_t acked_after_swap = ledger.count();
  const int newcomers_after_swap = newcomers_served;
  stop = true;
  for (auto& sender : senders) sender.join();

  const auto log = deployment.server().log();
  INFO("server log:\n" << log);
  REQUIRE(storage_moved);
  REQUIRE(routing_moved);
  {
    std::lock_guard lock(ledger.mutex);
    INFO("failures: " << Catch::Detail::stringify(ledger.failures));
    REQUIRE(ledger.failures.empty());
  }
  INFO("acked before the swap " << acked_before_swap << ", after " << acked_after_swap);
  CHECK(acked_before_swap > 20);
  CHECK(acked_after_swap > acked_before_swap + 20);
  CHECK(newcomers_after_swap > newcomers_before_swap);

  // Every acknowledged message is in its conversation's history exactly once, at the
  // seq its ack gave, and each conversation's seqs are gapless.
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
  // One sender's messages keep their order.
  std::map<std::string, std::vector<int64_t>> seqs_by_sender_and_conversation;
  for (const auto& acked : ledger.acked) {
    const std::string sender = acked.text.substr(0, acked.text.rfind('-'));
    seqs_by_sender_and_conversation[sender + " in " + acked.conversation_id].push_back(acked.seq);
  }
  for (const auto& [who, seqs] : seqs_by_sender_and_conversation) {
    INFO(who);
    CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  }

  // The new builds serve: generation 2 holds the tenant's instances and the old
  // builds are unloaded, so the process maps no replaced plugin file any more.
  std::vector<std::string> storage_lines, routing_lines, still_mapped;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    storage_lines = plugin_metrics(deployment, "storage-sqlite");
    routing_lines = plugin_metrics(deployment, "routing-least-busy");
    still_mapped = deleted_mappings(deployment.server().pid(), "storage-sqlite.so");
    auto routing_mapped = deleted_mappings(deployment.server().pid(), "routing-least-busy.so");
    still_mapped.insert(still_mapped.end(), routing_mapped.begin(), routing_mapped.end());
    if (storage_lines.size() == 1 && routing_lines.size() == 1 && still_mapped.empty()) break;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < deadline);
  INFO("metrics: " << Catch::Detail::stringify(storage_lines)
                   << Catch::Detail::stringify(routing_lines));
  REQUIRE(storage_lines.size() == 1);
  CHECK_THAT(storage_lines[0], Catch::Contains("generation=\"2\"") &&
                                   Catch::Contains("current=\"true\"") && Catch::EndsWith(" 1"));
  REQUIRE(routing_lines.size() == 1);
  CHECK_THAT(routing_lines[0], Catch::Contains("generation=\"2\"") &&
                                   Catch::Contains("current=\"true\"") && Catch::EndsWith(" 1"));
  INFO("old builds still mapped: " << Catch::Detail::stringify(still_mapped));
  CHECK(still_mapped.empty());
  CHECK_THAT(log, Catch::Contains("unloading plugin storage-sqlite") &&
                      Catch::Contains("unloading plugin routing-least-busy"));

  // And after it all, a fresh visitor is routed and stored by the new builds.
  auto late = deployment.connect_visitor("acme");
  auto ack = late.send_message("after the swap");
  CHECK(num(ack, "seq") == 1);
  CHECK_NOTHROW(late.ws.next_of_type("conversation.assigned"));
}

TEST_CASE(
    "a dropped-in plugin serves the tenant file that named it, and once removed it still serves "
    "that tenant while a new tenant naming it is refused",
    "[plugins][swap]") {
  sb::test::TempDir plugins("switchboard-plugins");
  fill_plugin_dir(plugins.path(), {"routing-round-robin"});
  auto globex = globex_tenant();
  globex.routing_chain = {"routing-round-robin"};
  DeploymentOptions options;
  options.plugin_dir = plugins.path();
  Deployment deployment({acme_tenant(), globex}, options);

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
  fill_plugin_dir(plugins.path(), {"routing-round-robin"});
  DeploymentOptions options;
  options.plugin_dir = plugins.path();
  Deployment deployment({acme_tenant()}, options);

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
