// The tenants most tests use: "acme" and "globex", each with one routable agent
// (capacity 2) and one admin who only ever uses REST (so is never routed to).
#pragma once

#include "harness/tenant_spec.hpp"

namespace sb::it {

inline TenantSpec acme_tenant() {
  TenantSpec tenant;
  tenant.id = "acme";
  tenant.name = "Acme Test Tenant";
  tenant.agents = {{"alice", "Alice", "agent", 2}, {"root", "Acme Admin", "admin", 2}};
  return tenant;
}

inline TenantSpec globex_tenant() {
  TenantSpec tenant;
  tenant.id = "globex";
  tenant.name = "Globex Test Tenant";
  tenant.agents = {{"bob", "Bob", "agent", 2}, {"groot", "Globex Admin", "admin", 2}};
  return tenant;
}

}  // namespace sb::it
