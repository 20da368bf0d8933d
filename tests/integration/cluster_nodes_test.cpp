// Several nodes of one cluster (docs/cluster.md): switchboard processes on their
// own ports sharing a private PostgreSQL and a private Redis the test starts. One
// node owns the tenant (rendezvous placement confirmed by its lease); a client on
// another node is relayed to it. Messages flow both ways with acks and gapless
// seq, a visitor resumes on another node, and when the owner is killed (-9) the
// tenant is served again by the survivor within 5 s with nothing acknowledged lost.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <thread>

#include "harness/deployment.hpp"
#include "support/polling.hpp"
#include "support/postgres_server.hpp"
#include "support/redis_server.hpp"

using namespace sb::it;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using sb::test::eventually;

const char* kOwns = "tenant acme: this node owns it now";

struct Cluster {
  sb::test::PostgresServer postgres;
  sb::test::RedisServer redis;
  sb::test::TempDir dir{"sb-cluster-nodes"};
  TenantSpec tenant;
  std::vector<std::unique_ptr<sb::test::ServerProcess>> nodes;

  Cluster() {
    tenant.id = "acme";
    tenant.name = "Acme";
    tenant.agents = {{"ann", "Ann"}};
    tenant.extra_toml =
        "[plugins.storage-postgres]\nconnection = \"" + postgres.connection() + "\"\n";
  }

  sb::test::ServerProcess& add_node(const std::string& id) {
    const fs::path root = dir.subdir(id);
    sb::test::write_file_atomically(root / "switchboard.toml",
                                    "[storage]\n"
                                    "default_plugin = \"storage-postgres\"\n"
                                    "[cluster]\n"
                                    "node_id = \"" +
                                        id +
                                        "\"\n"
                                        "[cluster.bus]\n"
                                        "address = \"" +
                                        redis.address() + "\"\n");
    sb::test::write_file_atomically(dir.subdir(id + "/tenants") / "acme.toml",
                                    render_tenant_toml(tenant));
    // Every node signs and checks tokens with the same key.
    if (!nodes.empty()) {
      const fs::path first_key = nodes.front()->options().data_dir / "secret.key";
      fs::copy_file(first_key, dir.subdir(id + "/data") / "secret.key",
                    fs::copy_options::overwrite_existing);
    }
    sb::test::ServerOptions options;
    options.binary = SWITCHBOARD_BINARY;
    options.config = root / "switchboard.toml";
    options.data_dir = dir.subdir(id + "/data");
    options.plugin_dir = SWITCHBOARD_PLUGIN_DIR;
    options.tenants_dir = dir.subdir(id + "/tenants");
    options.log_dir = dir.subdir(id + "/log");
    nodes.push_back(std::make_unique<sb::test::ServerProcess>(options));
    nodes.back()->start();
    return *nodes.back();
  }

  // Whether a node's log says it owns the tenant now (taken more often than handed
  // over: nodes starting one after the other may move it once).
  static bool owns(sb::test::ServerProcess& node) {
    if (!node.running()) return false;
    const std::string log = node.log();
    auto count = [&](const std::string& what) {
      size_t n = 0;
      for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
      return n;
    };
    return count(kOwns) > count("tenant acme: handed over") + count("tenant acme: dropped at once");
  }
  sb::test::ServerProcess* owner() {
    for (auto& node : nodes)
      if (owns(*node)) return node.get();
    return nullptr;
  }
};

std::string agent_token(uint16_t port, const TenantSpec& tenant) {
  auto r = sb::test::http_post_json(
      port, "/v1/tenants/acme/auth/login",
      json::object{{"email", tenant.email_of("ann")}, {"password", kAgentPassword}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return str(r.json().as_object(), "token");
}

AgentSession connect_agent(uint16_t port, const std::string& token) {
  auto ws = sb::test::WsClient::connect(port, "/v1/ws/agent?tenant=acme", sb::test::bearer(token));
  auto welcome = ws.next_frame();
  REQUIRE(str(welcome, "type") == "welcome");
  return AgentSession{std::move(ws), std::move(welcome), "ann", token};
}

// Says hello until a welcome comes (a node between owners closes with 1012, as a
// real widget's reconnect would see), within timeout.
VisitorSession connect_visitor(uint16_t port, json::object hello,
                               std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      auto ws = sb::test::WsClient::connect(port, "/v1/ws/visitor?tenant=acme");
      hello["type"] = "hello";
      ws.send_json(hello);
      auto welcome = ws.next_of_type("welcome", 1500ms);
      return VisitorSession{std::move(ws), welcome, str(welcome, "visitor_id"),
                            str(welcome, "visitor_token")};
    } catch (const std::exception& e) {
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(100ms);
    }
  }
}

}  // namespace

TEST_CASE(
    "two nodes: one owns the tenant, a visitor relayed from the other chats with an agent on "
    "the owner, replay on another node, the owner killed and the survivor serves within 5 s",
    "[cluster]") {
  Cluster cluster;
  auto& a = cluster.add_node("node-a");
  auto& b = cluster.add_node("node-b");

  // Exactly one of them takes the tenant, confirmed by its lease in PostgreSQL.
  REQUIRE(eventually([&] { return cluster.owner() != nullptr; }, 15s));
  sb::test::ServerProcess* owner = cluster.owner();
  sb::test::ServerProcess* other = owner == &a ? &b : &a;
  std::this_thread::sleep_for(1500ms);
  CHECK(Cluster::owns(*owner));
  CHECK_FALSE(Cluster::owns(*other));
  const std::string owner_id = owner == &a ? "node-a" : "node-b";
  CHECK(cluster.postgres.psql("SELECT owner_node FROM tenant_leases WHERE tenant_id = 'acme'") ==
        owner_id + "\n");

  // The agent on the owner; the visitor on the other node, relayed.
  auto agent = connect_agent(owner->port(), agent_token(other->port(), cluster.tenant));
  auto visitor = connect_visitor(other->port(), {{"name", "Vic"}});
  std::string cid;
  std::vector<std::string> acked;  // message ids acknowledged to anyone
  for (int i = 1; i <= 5; ++i) {
    const auto ack = visitor.send_message("visitor line " + std::to_string(i));
    CHECK(num(ack, "seq") == i);
    if (cid.empty()) {
      cid = str(ack, "conversation_id");
      // The owner's engine assigns it to the agent on the owner node.
      CHECK(str(obj(agent.ws.next_of_type("conversation.assigned"), "conversation"), "id") == cid);
    } else {
      // Live, in order, on the agent's socket.
      CHECK(num(message_from(agent.ws, "visitor"), "seq") == i);
    }
    CHECK(str(ack, "conversation_id") == cid);
    acked.push_back(str(ack, "message_id"));
  }
  // Back the other way: the owner's fan-out reaches the relayed visitor, in order.
  for (int i = 6; i <= 7; ++i) {
    const auto ack = agent.send_message(cid, "agent line " + std::to_string(i));
    CHECK(num(ack, "seq") == i);
    acked.push_back(str(ack, "message_id"));
  }
  CHECK(num(message_from(visitor.ws, "agent"), "seq") == 6);
  CHECK(num(message_from(visitor.ws, "agent"), "seq") == 7);

  // A resend with the same client_msg_id through the relay gets the original ack.
  const auto again = visitor.send_message("visitor line 5 again", "");
  CHECK(num(again, "seq") == 8);
  acked.push_back(str(again, "message_id"));
  const std::string cmid = "resend-" + cid;
  const auto first = visitor.send_message("once", cmid);
  const auto resent = visitor.send_message("once", cmid);
  CHECK(num(first, "seq") == 9);
  CHECK(str(resent, "message_id") == str(first, "message_id"));
  acked.push_back(str(first, "message_id"));

  // The visitor comes back on the owner having seen seq 5: 6..9 are replayed.
  const std::string token = visitor.visitor_token;
  visitor.ws.close();
  auto back = connect_visitor(owner->port(),
                              {{"visitor_token", token}, {"last_seq", json::object{{cid, 5}}}});
  for (int seq = 6; seq <= 9; ++seq) CHECK(num(back.ws.next_of_type("message"), "seq") == seq);
  back.ws.close();

  // The owner dies. The survivor takes the lease once it expired and serves the
  // tenant: a visitor connected there resumes and writes on, within 5 s.
  auto relayed = connect_visitor(other->port(),
                                 {{"visitor_token", token}, {"last_seq", json::object{{cid, 9}}}});
  const auto killed_at = std::chrono::steady_clock::now();
  owner->kill_hard();
  std::optional<json::object> next;
  while (!next && std::chrono::steady_clock::now() - killed_at < 10s) {
    try {
      auto v = connect_visitor(
          other->port(), {{"visitor_token", token}, {"last_seq", json::object{{cid, 9}}}}, 1s);
      next = v.send_message("after the owner died", "after-" + cid);
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  const auto served_after = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  INFO("served again after " << served_after.count() << " ms; survivor's log:\n" << other->log());
  REQUIRE(next);
  CHECK(served_after < 5s + 1s);  // 5 s, plus the test's own reconnect attempts
  CHECK(num(*next, "seq") == 10);
  CHECK(str(*next, "conversation_id") == cid);
  acked.push_back(str(*next, "message_id"));
  // The relayed connection to the dead owner was closed for its client to reconnect.
  relayed.ws.collect(1500ms);
  CHECK_FALSE(relayed.ws.is_open());
  CHECK(relayed.ws.close_code() == std::optional<uint16_t>(1012));

  // Every acknowledged message is stored exactly once, seqs 1..10 without a gap.
  const auto stored = cluster.postgres.psql(
      "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM messages WHERE tenant_id = 'acme' "
      "AND conversation_id = '" +
      cid + "'");
  CHECK(stored == "1,2,3,4,5,6,7,8,9,10\n");
  for (const auto& id : acked)
    CHECK(cluster.postgres.psql("SELECT count(*) FROM messages WHERE message_id = '" + id + "'") ==
          "1\n");
  CHECK(cluster.postgres.psql("SELECT owner_node FROM tenant_leases WHERE tenant_id = 'acme'") ==
        (owner_id == "node-a" ? "node-b\n" : "node-a\n"));
}
