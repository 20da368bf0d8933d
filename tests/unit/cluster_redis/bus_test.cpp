// cluster-redis against a real redis-server each test starts (support/redis_server.hpp):
// Pub/Sub, streams with consumer-group takeover, expiring set members, config errors.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "bus_harness.hpp"

using namespace cluster_test;
namespace json = boost::json;

namespace {

json::value parse(const Result& r) {
  INFO(r.error);
  REQUIRE(r.ok());
  return json::parse(r.result);
}

std::vector<std::string> payloads(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.payload);
  return out;
}

}  // namespace

TEST_CASE("cluster-redis: a message published on one node reaches the subscriber on another") {
  sb::test::RedisServer redis;
  BusNode a("node-a", redis);
  BusNode b("node-b", redis);
  REQUIRE(a.wait_link(true));
  REQUIRE(b.wait_link(true));

  REQUIRE(a.subscribe("t/acme").ok());
  // Bytes as they are: a NUL, a newline, non-ASCII.
  const std::string payload = std::string("hello\0world\n", 12) + "你好";
  const json::value published = parse(b.publish("t/acme", payload));
  CHECK(published.at("receivers").as_int64() == 1);
  REQUIRE(a.wait_messages(1));
  CHECK(a.messages()[0].channel == "t/acme");
  CHECK(a.messages()[0].payload == payload);
  CHECK(b.messages().empty());  // b never subscribed

  SECTION("another channel is not heard") {
    CHECK(parse(b.publish("t/other", "x")).at("receivers").as_int64() == 0);
    REQUIRE(b.publish("t/acme", "second").ok());
    REQUIRE(a.wait_messages(2));
    CHECK(a.messages()[1].payload == "second");
    CHECK(a.messages().size() == 2);
  }
  SECTION("after unsubscribe nothing more arrives, and Redis knows no subscriber") {
    REQUIRE(a.unsubscribe("t/acme").ok());
    // Redis drops the subscription once the UNSUBSCRIBE is through; until then a
    // publish may still count it.
    int64_t receivers = 1;
    for (int i = 0; i < 50 && receivers != 0; ++i) {
      receivers = parse(b.publish("t/acme", "late")).at("receivers").as_int64();
      if (receivers) std::this_thread::sleep_for(20ms);
    }
    CHECK(receivers == 0);
    std::this_thread::sleep_for(200ms);
    for (const auto& m : a.messages()) CHECK(m.payload != "late");
  }
  SECTION("a bad name is refused at once") {
    const Result r = a.publish("has space", "x");
    CHECK(r.status == SB_ERROR);
    CHECK_THAT(r.error, Catch::Contains("printable ASCII"));
  }
  CHECK(a.link_changes() == std::vector<int>{1});
  CHECK(double_completions() == 0);
}

TEST_CASE(
    "cluster-redis: stream entries reach the consumer in order, and a dead consumer's "
    "unacknowledged ones go to the next") {
  sb::test::RedisServer redis;
  BusNode sender("node-s", redis);
  REQUIRE(sender.wait_link(true));
  // Sent before anyone consumes: not skipped when the group is made.
  REQUIRE(sender.stream_add("t/acme/cmd", "one").ok());

  auto first = std::make_unique<BusNode>("node-a", redis);
  REQUIRE(first->wait_link(true));
  REQUIRE(first->stream_consume("t/acme/cmd").ok());
  REQUIRE(sender.stream_add("t/acme/cmd", "two").ok());
  REQUIRE(sender.stream_add("t/acme/cmd", "three").ok());
  REQUIRE(first->wait_entries(3));
  const auto got = first->entries();
  CHECK(payloads(got) == std::vector<std::string>{"one", "two", "three"});
  for (const auto& e : got) CHECK_FALSE(e.redelivered);
  CHECK(got[0].stream == "t/acme/cmd");
  // Only the first is done; the node dies holding the other two.
  REQUIRE(first->stream_ack("t/acme/cmd", got[0].id).ok());
  first.reset();
  CHECK(redis.cli({"XPENDING", "sb:s:t/acme/cmd", "owners"}).rfind("2\n", 0) == 0);

  BusNode next("node-b", redis);
  REQUIRE(next.wait_link(true));
  REQUIRE(next.stream_consume("t/acme/cmd").ok());
  // Taken over before the op completed: the two unacknowledged, marked.
  auto taken = next.entries();
  REQUIRE(taken.size() == 2);
  CHECK(payloads(taken) == std::vector<std::string>{"two", "three"});
  CHECK(taken[0].redelivered);
  CHECK(taken[1].redelivered);
  CHECK(taken[0].id == got[1].id);

  REQUIRE(sender.stream_add("t/acme/cmd", "four").ok());
  REQUIRE(next.wait_entries(3));
  taken = next.entries();
  CHECK(taken[2].payload == "four");
  CHECK_FALSE(taken[2].redelivered);
  for (const auto& e : taken) REQUIRE(next.stream_ack("t/acme/cmd", e.id).ok());
  CHECK(redis.cli({"XPENDING", "sb:s:t/acme/cmd", "owners"}).rfind("0\n", 0) == 0);

  SECTION("after stream_stop new entries wait for the next consumer") {
    REQUIRE(next.stream_stop("t/acme/cmd").ok());
    std::this_thread::sleep_for(300ms);
    REQUIRE(sender.stream_add("t/acme/cmd", "five").ok());
    std::this_thread::sleep_for(500ms);
    CHECK(next.entries().size() == 3);
    BusNode third("node-c", redis);
    REQUIRE(third.wait_link(true));
    REQUIRE(third.stream_consume("t/acme/cmd").ok());
    REQUIRE(third.wait_entries(1));
    CHECK(third.entries()[0].payload == "five");
  }
  SECTION("a second stream joins the same blocking read") {
    REQUIRE(next.stream_consume("t/globex/cmd").ok());
    REQUIRE(sender.stream_add("t/globex/cmd", "g1").ok());
    REQUIRE(next.wait_entries(4, 3s));
    CHECK(next.entries()[3].stream == "t/globex/cmd");
    CHECK(next.entries()[3].payload == "g1");
  }
  CHECK(double_completions() == 0);
}

TEST_CASE("cluster-redis: set members expire after their ttl, by Redis's clock") {
  sb::test::RedisServer redis;
  BusNode a("node-a", redis);
  BusNode b("node-b", redis);
  REQUIRE(a.wait_link(true));
  REQUIRE(b.wait_link(true));

  REQUIRE(a.set_put("nodes", "node-a", R"({"addr":"127.0.0.1:1"})", 400).ok());
  REQUIRE(b.set_put("nodes", "node-b", "b \"quoted\"", 60000).ok());
  json::value listed = parse(a.set_list("nodes"));
  auto members = listed.at("members").as_array();
  REQUIRE(members.size() == 2);
  CHECK(members[0].at("member").as_string() == "node-a");
  CHECK(members[0].at("value").as_string() == R"({"addr":"127.0.0.1:1"})");
  CHECK(members[0].at("ttl_ms").as_int64() > 0);
  CHECK(members[0].at("ttl_ms").as_int64() <= 400);
  CHECK(members[1].at("value").as_string() == "b \"quoted\"");

  std::this_thread::sleep_for(700ms);
  members = parse(b.set_list("nodes")).at("members").as_array();
  REQUIRE(members.size() == 1);
  CHECK(members[0].at("member").as_string() == "node-b");

  SECTION("a renewed member stays") {
    REQUIRE(a.set_put("nodes", "node-a", "again", 400).ok());
    std::this_thread::sleep_for(250ms);
    REQUIRE(a.set_put("nodes", "node-a", "again", 400).ok());
    std::this_thread::sleep_for(250ms);
    CHECK(parse(a.set_list("nodes")).at("members").as_array().size() == 2);
  }
  SECTION("a deleted member is gone at once; the set's keys go with the last member") {
    REQUIRE(b.set_delete("nodes", "node-b").ok());
    CHECK(parse(a.set_list("nodes")).at("members").as_array().empty());
    REQUIRE(a.set_put("tabs", "t1", "v", 300).ok());
    std::this_thread::sleep_for(500ms);
    CHECK(redis.cli({"EXISTS", "sb:x:tabs", "sb:xv:tabs"}) == "0\n");
  }
  SECTION("a ttl out of range is refused") {
    CHECK(a.set_put("nodes", "x", "v", 0).status == SB_ERROR);
  }
}

TEST_CASE("cluster-redis: config errors name the key") {
  sb::test::RedisServer redis;
  CHECK_THAT(BusNode::open_error({{"address", redis.address()}}),
             Catch::Contains("node_id is required"));
  CHECK_THAT(BusNode::open_error({{"node_id", "a"}, {"address", "localhost"}}),
             Catch::Contains("address must be host:port"));
  CHECK_THAT(BusNode::open_error({{"node_id", "a b"}}), Catch::Contains("node_id"));
  CHECK_THAT(BusNode::open_error({{"node_id", "a"}, {"command_timeout_ms", "5"}}),
             Catch::Contains("command_timeout_ms must be an integer from 100"));
}
