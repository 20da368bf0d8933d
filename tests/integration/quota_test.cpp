// A tenant's connection quota holds, frees up as connections close, and one
// tenant at its quota does not stop another from serving.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::WsClient;

TEST_CASE("a tenant's max_connections is enforced before the upgrade and frees up again",
          "[quota]") {
  auto acme = acme_tenant();
  acme.max_connections = 2;
  Deployment deployment({acme, globex_tenant()});
  auto first = deployment.connect_visitor("acme");
  auto second = deployment.connect_visitor("acme");
  CHECK(WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=acme") == 503);

  // Another tenant is not affected.
  auto other = deployment.connect_visitor("globex");
  CHECK(num(other.send_message("hello"), "seq") == 1);

  // A connection that closes gives its place back.
  first.ws.close();
  bool admitted = false;
  for (int attempt = 0; attempt < 20 && !admitted; ++attempt) {
    admitted = WsClient::upgrade_status(deployment.port(), "/v1/ws/visitor?tenant=acme") == 101;
    if (!admitted) std::this_thread::sleep_for(100ms);
  }
  CHECK(admitted);
  CHECK(num(second.send_message("still here"), "seq") == 1);
}
