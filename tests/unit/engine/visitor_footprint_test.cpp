// What the engine keeps for every visitor it knows, against the allocator's size
// classes (jemalloc, linked into the server, rounds each allocation up to its next
// class: ... 128, 160, 192, 224, 256, 320). Thousands of idle visitors are held, each
// with one entry in the engine's map: at 264 bytes it took the 320 class, and its one
// connection a 16-byte allocation beside it (issue 12; tests/bench/RESULTS.md,
// "Fourteenth pass").
#include <catch2/catch.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "engine/conversation.hpp"
#include "support/recording_allocator.hpp"

namespace {

using sb::engine::VisitorMeta;
using sb::engine::VisitorState;

// A connection of the visitor's, as the engine holds it.
struct StillPeer : sb::engine::Peer {
  void send(std::shared_ptr<const std::string>) override {}
  void close(uint16_t, std::string) override {}
  uint64_t peer_id() const override { return 7; }
};

bool inside(const void* p, const VisitorState& state) {
  const auto* begin = reinterpret_cast<const unsigned char*>(&state);
  const auto* at = static_cast<const unsigned char*>(p);
  return at >= begin && at < begin + sizeof(state);
}

}  // namespace

TEST_CASE("a visitor's entry in the engine fits jemalloc's 160-byte class") {
  // The same map as the engine's visitors_, with an allocator that records.
  sb::engine::VisitorMapWith<
      sb::test::RecordingAllocator<std::pair<const std::string, VisitorState>>>
      visitors;
  visitors["v_0123456789abcdef0123456789abcdef"].name = "v1";  // its node, then its buckets
  CHECK(sb::test::recorded_request > sizeof(VisitorState));
  CHECK(sb::test::recorded_request <= 160);
}

TEST_CASE("a visitor's one connection is held in its entry, not beside it") {
  VisitorState visitor;
  visitor.peers.push_back(std::make_shared<StillPeer>());
  REQUIRE(visitor.peers.size() == 1);
  CHECK(inside(visitor.peers.data(), visitor));
  // A second tab needs room of its own; both are kept.
  visitor.peers.push_back(std::make_shared<StillPeer>());
  CHECK(visitor.peers.size() == 2);
  CHECK_FALSE(inside(visitor.peers.data(), visitor));
}

TEST_CASE("a visitor's page, language, attributes and email are kept until a hello changes them") {
  VisitorState visitor;
  CHECK(visitor.meta() == VisitorMeta{});
  VisitorMeta meta;
  meta.page = "https://shop.example/checkout?step=2";
  meta.language = "de";
  meta.attributes_json = R"({"plan":"pro"})";
  meta.email = "ana@example.com";
  visitor.set_meta(meta);
  CHECK(visitor.meta() == meta);
  meta.page = "https://shop.example/thanks";
  visitor.set_meta(meta);
  CHECK(visitor.meta().page == "https://shop.example/thanks");
  CHECK(visitor.meta().email == "ana@example.com");
  visitor.set_meta(VisitorMeta{});
  CHECK(visitor.meta() == VisitorMeta{});
}
