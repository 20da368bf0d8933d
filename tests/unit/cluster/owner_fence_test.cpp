// The relay's rule for whose frames reach a relayed connection (owner_fence.hpp): a
// former owner of the tenant (a lower lease epoch) never reaches a connection the
// current owner serves, and a connection that heard two owners reconnects.
#include "cluster/owner_fence.hpp"

#include <catch2/catch.hpp>

using sb::cluster::OwnerFence;
using Fate = OwnerFence::Fate;

TEST_CASE("owner fence: a thawed former owner's frames do not reach the new owner's connections") {
  OwnerFence fence;
  // Connection 7 is served by the owner of lease epoch 1.
  CHECK(fence.frame("t1", 7, 1).fate == Fate::deliver);
  CHECK(fence.frame("t1", 7, 1).fate == Fate::deliver);
  // That owner froze; another took the lease (epoch 2). Connection 7 heard the old
  // one: it reconnects, as does every other connection that heard epoch 1.
  CHECK(fence.frame("t1", 8, 1).fate == Fate::deliver);
  const auto taken = fence.frame("t1", 9, 2);
  CHECK(taken.fate == Fate::deliver);
  CHECK(taken.reconnect_too.size() == 2);
  CHECK(fence.newest("t1") == 2);
  // Connection 9 is the new owner's. The old owner thaws and replays to it: dropped.
  CHECK(fence.frame("t1", 9, 1).fate == Fate::drop);
  CHECK(fence.frame("t1", 9, 2).fate == Fate::deliver);
}

TEST_CASE("owner fence: a connection the former owner still had reconnects to the new one") {
  OwnerFence fence;
  CHECK(fence.frame("t1", 1, 2).fate == Fate::deliver);
  // Connection 2 heard nobody yet; its open reached the stale owner (epoch 1).
  CHECK(fence.frame("t1", 2, 1).fate == Fate::reconnect);
  // Connection 3 heard epoch 2; a frame of epoch 3 means the owner changed under it.
  CHECK(fence.frame("t1", 3, 2).fate == Fate::deliver);
  const auto moved = fence.frame("t1", 3, 3);
  CHECK(moved.fate == Fate::reconnect);
  CHECK(moved.reconnect_too == std::vector<uint64_t>{1});
  // After its reconnect, its new connection is the new owner's.
  CHECK(fence.frame("t1", 4, 3).fate == Fate::deliver);
}

TEST_CASE("owner fence: tenants are fenced apart, and an owner that names no epoch is not") {
  OwnerFence fence;
  CHECK(fence.frame("t1", 1, 5).fate == Fate::deliver);
  // Another tenant's epochs are its own.
  CHECK(fence.frame("t2", 2, 1).fate == Fate::deliver);
  CHECK(fence.frame("t2", 2, 1).reconnect_too.empty());
  // Epoch 0: a storage without lease_epoch; delivered, and it moves nothing.
  CHECK(fence.frame("t1", 3, 0).fate == Fate::deliver);
  CHECK(fence.newest("t1") == 5);
  // A connection that went away is forgotten: a new owner does not list it.
  fence.forget(1);
  CHECK(fence.frame("t1", 4, 6).reconnect_too.empty());
}
