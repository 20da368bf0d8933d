// The sign-outs the nodes of a cluster share (cluster/sign_outs.hpp): one JSON
// shape in storage and on the bus, and what is not one is refused.
#include "cluster/sign_outs.hpp"

#include <catch2/catch.hpp>

using sb::auth::SignOut;
using namespace sb::cluster;

TEST_CASE("a sign-out goes through its JSON unchanged, keyed by agent or by session") {
  const SignOut everywhere{"acme", "alice", "", 1'700'000'000'000, 1'731'000'000};
  const SignOut session{"acme", "alice", "s_1", 0, 1'700'050'000};
  for (const auto& s : {everywhere, session}) {
    const auto back = parse_sign_out(sign_out_json(s));
    REQUIRE(back);
    CHECK(back->tenant == s.tenant);
    CHECK(back->agent == s.agent);
    CHECK(back->session == s.session);
    CHECK(back->cutoff_ms == s.cutoff_ms);
    CHECK(back->until_s == s.until_s);
  }
  CHECK(sign_out_key(everywhere) == "agent/alice");
  CHECK(sign_out_key(session) == "session/s_1");
}

TEST_CASE("what is not a sign-out is refused, in a message or in a stored list") {
  CHECK_FALSE(parse_sign_out("not json"));
  CHECK_FALSE(parse_sign_out(R"([1,2])"));
  // No tenant, no agent, neither a session nor a cutoff, a number as text.
  CHECK_FALSE(parse_sign_out(R"({"agent":"a","session":"s","cutoff_ms":0,"until_s":9})"));
  CHECK_FALSE(parse_sign_out(R"({"tenant":"t","session":"s","cutoff_ms":0,"until_s":9})"));
  CHECK_FALSE(parse_sign_out(R"({"tenant":"t","agent":"a","cutoff_ms":0,"until_s":9})"));
  CHECK_FALSE(parse_sign_out(R"({"tenant":"t","agent":"a","cutoff_ms":"5","until_s":9})"));

  size_t bad = 0;
  const auto listed = parse_sign_out_list(
      R"({"items":[{"key":"agent/a","value":{"tenant":"t","agent":"a","cutoff_ms":5,"until_s":9}},
                   {"key":"session/x","value":{"tenant":"t"}}]})",
      bad);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].cutoff_ms == 5);
  CHECK(bad == 1);
  CHECK(parse_sign_out_list("{}", bad).empty());
  CHECK(bad == 1);
}
