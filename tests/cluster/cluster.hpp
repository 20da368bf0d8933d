// A cluster of switchboard nodes for one test (docs/cluster.md): one private
// PostgreSQL and one private Redis (tests/support), N node processes of the real
// binary on their own ports and data directories, all serving the same tenant
// files (tenants kept in storage-postgres), each node with a generated [cluster]
// config. Everything is torn down on any exit: the nodes and Redis die with the
// test process (PR_SET_PDEATHSIG), and a guardian process stops PostgreSQL (which
// pg_ctl runs detached) when the test process is gone, even after a SIGKILL from
// CTest's timeout. With SB_CLUSTER_KEEP_LOGS=DIR in the environment, every node's
// whole log is copied to DIR/<time>-<pid>/<node>/ when the cluster goes (to read a
// failed run afterwards; a loop of runs deletes those of the runs that passed).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/deployment.hpp"
#include "harness/tenant_spec.hpp"
#include "support/polling.hpp"
#include "support/postgres_server.hpp"
#include "support/redis_server.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace sb::cl {

namespace json = boost::json;
using namespace std::chrono_literals;

struct ClusterOptions {
  int nodes = 3;
  std::vector<it::TenantSpec> tenants;
  // [cluster] heartbeat_ms: membership and presence entries live three of them.
  int heartbeat_ms = 500;
  // storage-postgres lease_ms: how long a dead owner's tenants stay unserved at most.
  int lease_ms = 3000;
  // Redis with appendonly (pending stream entries survive its restart).
  bool redis_persistent = false;
  // How long each node may take to answer /readyz 200 after it listens.
  std::chrono::milliseconds ready_timeout = 20s;
  // The nodes load plugins from a copy of the build's plugin dir, Cluster::plugin_dir(),
  // so a test may drop a new build there while they serve; else from the build's own.
  bool own_plugin_dir = false;
  // Each node reads its tenant files from a directory of its own (Cluster::tenants_dir),
  // so a test may remove one from one node only; else all share one.
  bool own_tenants_dirs = false;
};

class Node {
 public:
  Node(std::string id, sb::test::ServerOptions options);

  const std::string& id() const { return id_; }
  uint16_t port() const { return process_.port(); }
  int pid() const { return process_.pid(); }
  bool up() const { return up_; }

  void start();      // listens on a fresh free port
  void kill_hard();  // SIGKILL
  void freeze();     // SIGSTOP: its sockets stay open, nothing answers
  void thaw();       // SIGCONT
  int stop();        // SIGTERM, the exit status
  void end_soon();   // what the destructor does, begun now (ServerProcess::end_soon)
  std::string log() const { return process_.log(); }

 private:
  std::string id_;
  sb::test::ServerProcess process_;
  bool up_ = false;
};

// One row of the messages table, as PostgreSQL holds it.
struct StoredMessage {
  std::string tenant_id;
  std::string conversation_id;
  int64_t seq = 0;
  std::string client_msg_id;
  std::string sender_role;
  std::string text;
};

// One row of the conversations table.
struct StoredConversation {
  std::string tenant_id;
  std::string id;
  std::string status;
  std::string assignee;  // "" when none
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  size_t size() const { return nodes_.size(); }
  Node& node(size_t i) { return *nodes_.at(i); }
  Node& node(const std::string& id);
  sb::test::PostgresServer& postgres() { return *postgres_; }
  sb::test::RedisServer& redis() { return *redis_; }
  const ClusterOptions& options() const { return options_; }
  const it::TenantSpec& tenant(const std::string& id) const;
  const std::filesystem::path& root() const { return root_.path(); }
  // Where every node loads its plugins from (and watches them).
  const std::filesystem::path& plugin_dir() const { return plugin_dir_; }

  // Where the node reads its tenant files.
  const std::filesystem::path& tenants_dir(const Node& node) const;
  // Writes the tenant's file (as the cluster started with it) into the node's tenants
  // directory again, atomically, as an operator putting it back would.
  void write_tenant_file(const Node& node, const std::string& tenant_id);

  // Starts a node that was stopped or killed, and waits for its /readyz.
  void restart(Node& node);
  // Polls GET /readyz until 200; throws with the node's reason and log tail.
  void wait_ready(Node& node, std::chrono::milliseconds timeout);

  // Clients, as the widget and the console would connect to one node.
  std::string login(Node& node, const std::string& tenant_id, const std::string& agent_id);
  // A token for an agent, signed with the cluster's key as a node's sign-in issues
  // it (same claims, the tenant's default 12 h), without a password check: for
  // agents that only carry load. Each sign-in costs its node an argon2 check, which
  // on a machine busy with other work takes seconds, so a dozen of them at once
  // measured the machine, not the promise under test.
  std::string agent_token(const std::string& tenant_id, const std::string& agent_id);
  it::AgentSession connect_agent(Node& node, const std::string& tenant_id,
                                 const std::string& agent_id, const std::string& token = {});
  it::VisitorSession connect_visitor(Node& node, const std::string& tenant_id,
                                     json::object hello_fields = {});

  // Who holds each tenant's lease now (tenant_leases, as the superuser sees it).
  std::map<std::string, std::string> lease_owners();
  // The node that holds the tenant's lease once one does; throws (with the logs) when
  // no node has taken it within the timeout.
  Node& await_owner(const std::string& tenant_id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Every node but this one, in start order.
  std::vector<Node*> other_nodes(const Node& node);
  std::map<std::string, int64_t> lease_epochs();
  // Everything PostgreSQL holds, read as the superuser (past row-level security).
  std::vector<StoredMessage> stored_messages();
  std::vector<StoredConversation> stored_conversations();

  // The last lines of every node's log, for failure messages.
  std::string logs_tail(size_t lines_per_node = 40) const;
  // Copies every node's whole log (each run of it) under dir/<node>/, to read a
  // failed run afterwards (the cluster's own directory goes with it).
  void keep_logs(const std::filesystem::path& dir) const;

 private:
  void start_guardian();

  ClusterOptions options_;
  sb::test::TempDir root_;
  std::filesystem::path plugin_dir_;
  std::unique_ptr<sb::test::PostgresServer> postgres_;
  std::unique_ptr<sb::test::RedisServer> redis_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, std::filesystem::path> tenants_dirs_;  // by node id
  int guardian_pipe_ = -1;  // the write end; closing it (or dying) wakes the guardian
  int guardian_pid_ = -1;
};

// The node id of node number i: node-a, node-b, ...
std::string node_name(int i);

using sb::test::eventually;

}  // namespace sb::cl
