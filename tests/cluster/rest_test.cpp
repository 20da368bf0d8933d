// REST on a node that does not own the tenant (docs/cluster.md): what the console
// and the widget read there, and what an admin does there, is the owner's engine's
// doing; a forwarded request is never forwarded again; while the owner is gone the
// answer is 503 with Retry-After, never the idle engine's stale view.
#include <catch2/catch.hpp>

#include "auth/token_signer.hpp"
#include "cluster/rest_forward.hpp"
#include "cluster/scenario.hpp"
#include "common/clock.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::cl;
using sb::it::arr;
using sb::it::obj;
using sb::it::str;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

// The conversation ids a GET .../conversations answer lists.
std::set<std::string> listed(const sb::test::HttpResponse& response) {
  std::set<std::string> ids;
  const auto body = response.json();
  for (const auto& item : arr(body.as_object(), "conversations"))
    ids.insert(str(item.as_object(), "id"));
  return ids;
}

int64_t number_at(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* at = &v;
  for (auto key : path) at = &at->as_object().at(key);
  return at->to_number<int64_t>();
}

// A mark as the cluster's nodes seal them, from node `from` to node `to`.
sb::test::Headers marked(Cluster& cluster, const std::string& from, const std::string& to,
                         const std::string& method, const std::string& target) {
  const auto signer = sb::auth::TokenSigner::open(cluster.root() / from / "data");
  sb::cluster::ForwardMark mark{from,   to,          "acme",
                                method, target,      "198.51.100.9",
                                "http", "127.0.0.1", sb::wall_clock_ms() + 30'000};
  return {{sb::cluster::kForwardedHeader, sb::cluster::seal_mark(mark, signer)}};
}

}  // namespace

TEST_CASE(
    "REST on a node that does not own the tenant: reads and actions reach the owner's engine, a "
    "forwarded request is not forwarded again, and a gone owner means 503, not a stale answer",
    "[cluster][rest]") {
  ClusterOptions options;
  options.tenants = {sb::it::acme_tenant()};
  Cluster cluster(options);
  auto& owner = cluster.await_owner("acme");
  auto& other = *cluster.other_nodes(owner).at(0);
  INFO("owner " << owner.id() << ", asked " << other.id());
  const std::string base = "/v1/tenants/acme";

  // Alice's console on the owner, a visitor on the other node: she gets the chat.
  auto alice = cluster.connect_agent(owner, "acme", "alice");
  auto visitor = cluster.connect_visitor(other, "acme");
  const auto conversation = str(visitor.send_message("hello?"), "conversation_id");
  REQUIRE(str(obj(alice.ws.next_of_type("conversation.assigned", 10s), "conversation"), "id") ==
          conversation);

  // Reads on the other node: what the owner's engine knows.
  const auto admin = cluster.login(other, "acme", "root");
  const auto live = http_get(other.port(), base + "/stats/live", bearer(admin));
  REQUIRE(live.status == 200);
  CHECK(number_at(live.json(), {"agents", "online"}) == 1);
  CHECK(number_at(live.json(), {"conversations", "assigned"}) == 1);
  const auto widget = http_get(other.port(), base + "/widget");
  REQUIRE(widget.status == 200);
  CHECK(widget.json().as_object().at("agents_online").as_bool());
  const auto mine =
      http_get(other.port(), base + "/conversations?status=assigned", bearer(alice.token));
  REQUIRE(mine.status == 200);
  CHECK(listed(mine) == std::set<std::string>{conversation});

  // Actions on the other node: done by the owner's engine. A tag, as the console's
  // tag editor sets it, is seen on the owner...
  const auto tagged = http_request(
      other.port(), "PATCH", base + "/conversations/" + conversation, R"({"tags":["vip"]})",
      {{"Authorization", "Bearer " + alice.token}, {"Content-Type", "application/json"}});
  INFO(tagged.body);
  REQUIRE(tagged.status == 200);
  CHECK(listed(http_get(owner.port(), base + "/conversations?tag=vip", bearer(alice.token))) ==
        std::set<std::string>{conversation});
  // ...and an admin's sign-out on the other node closes her console on the owner.
  const auto signed_out = http_request(other.port(), "POST", base + "/agents/alice/sign-out", "",
                                       {{"Authorization", "Bearer " + admin}});
  INFO(signed_out.body);
  REQUIRE(signed_out.status == 200);
  CHECK(eventually(
      [&] {
        try {
          alice.ws.collect(50ms);
        } catch (const std::exception&) {
        }
        return alice.ws.close_code() == 4001;
      },
      10s));
  CHECK(eventually(
      [&] {
        const auto r = http_get(other.port(), base + "/widget");
        return r.status == 200 && !r.json().as_object().at("agents_online").as_bool();
      },
      5s));

  // Forwarded once only: a marked request reaching a node that does not own the
  // tenant is answered 503 there, not sent on.
  const std::string target = base + "/widget";
  const auto looped =
      http_get(other.port(), target, marked(cluster, owner.id(), other.id(), "GET", target));
  CHECK(looped.status == 503);
  CHECK(looped.headers.count("retry-after") == 1);
  CHECK(str(obj(looped.json().as_object(), "error"), "code") == "unavailable");
  // The owner serves a mark made for it...
  CHECK(http_get(owner.port(), target, marked(cluster, other.id(), owner.id(), "GET", target))
            .status == 200);
  // ...and nobody believes one the cluster's key did not make, or made for another request.
  auto forged = marked(cluster, other.id(), owner.id(), "GET", target);
  auto& sealed = forged.front().second;
  sealed[1] = sealed[1] == 'A' ? 'B' : 'A';  // in the payload: the MAC no longer matches
  CHECK(http_get(owner.port(), target, forged).status == 403);
  CHECK(http_get(owner.port(), target,
                 marked(cluster, other.id(), owner.id(), "GET", base + "/agents"))
            .status == 403);

  // The owner dies: until a new one serves the tenant, the other node says 503 with
  // Retry-After (its own engine never answers), then the new owner answers.
  owner.kill_hard();
  const auto gone = http_get(other.port(), target);
  CHECK(gone.status == 503);
  CHECK(gone.headers.count("retry-after") == 1);
  int last_status = 0;
  CHECK(eventually(
      [&] {
        const auto r = http_get(other.port(), target);
        last_status = r.status;
        if (r.status != 200 && r.status != 503) FAIL("answered " << r.status << ": " << r.body);
        return r.status == 200;
      },
      15s));
  INFO("last status " << last_status);
  const auto after = cluster.lease_owners()["acme"];
  CHECK(after != owner.id());
}
