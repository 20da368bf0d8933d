// Rendezvous placement: every node computes the same owner alone, the load spreads,
// and a node leaving or joining moves only the tenants it loses or wins.
#include "cluster/placement.hpp"

#include <catch2/catch.hpp>
#include <map>

using sb::cluster::owner_of;
using sb::cluster::rendezvous_weight;

namespace {

std::map<std::string, std::string> place(int tenants, const std::vector<std::string>& nodes) {
  std::map<std::string, std::string> owners;
  for (int i = 0; i < tenants; ++i) {
    const std::string tenant = "tenant-" + std::to_string(i);
    owners[tenant] = owner_of(tenant, nodes);
  }
  return owners;
}

}  // namespace

TEST_CASE("placement: the weight is SHA-256's, the same on every machine and build") {
  // The first 8 bytes of SHA-256("acme\0node-a"), as `printf 'acme\0node-a' |
  // sha256sum` prints them.
  CHECK(rendezvous_weight("acme", "node-a") == 0x8d209dfe4ec62ac9ULL);
  CHECK(rendezvous_weight("acme", "node-b") != rendezvous_weight("acme", "node-a"));
}

TEST_CASE("placement: one owner per tenant whatever the order of the list") {
  const std::vector<std::string> nodes{"node-a", "node-b", "node-c"};
  const std::vector<std::string> shuffled{"node-c", "node-a", "node-b"};
  for (int i = 0; i < 200; ++i) {
    const std::string tenant = "t" + std::to_string(i);
    CHECK(owner_of(tenant, nodes) == owner_of(tenant, shuffled));
  }
  CHECK(owner_of("acme", {}).empty());
  CHECK(owner_of("acme", {"only"}) == "only");
}

TEST_CASE("placement: 3,000 tenants spread over 3 nodes, and a dead node's move, the rest stay") {
  const std::vector<std::string> three{"node-a", "node-b", "node-c"};
  const auto before = place(3000, three);
  std::map<std::string, int> load;
  for (const auto& [tenant, node] : before) ++load[node];
  REQUIRE(load.size() == 3);
  for (const auto& [node, count] : load) {
    INFO(node);
    CHECK(count > 850);  // 1,000 each on average
    CHECK(count < 1150);
  }

  const auto after = place(3000, {"node-a", "node-c"});  // node-b died
  int moved = 0;
  for (const auto& [tenant, node] : before) {
    if (node == "node-b") {
      CHECK(after.at(tenant) != "node-b");
      ++moved;
    } else {
      CHECK(after.at(tenant) == node);  // nobody else's tenant moves
    }
  }
  CHECK(moved == load["node-b"]);

  // A node joining takes about a quarter, each from whoever had it.
  const auto joined = place(3000, {"node-a", "node-b", "node-c", "node-d"});
  int taken = 0;
  for (const auto& [tenant, node] : before) {
    if (joined.at(tenant) != node) {
      CHECK(joined.at(tenant) == "node-d");
      ++taken;
    }
  }
  CHECK(taken > 600);
  CHECK(taken < 900);
}
