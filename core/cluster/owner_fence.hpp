// Which owner a relayed connection listens to (docs/cluster.md, "Failures"). Every
// frame an owner publishes for a relayed connection carries the epoch of its lease
// on the tenant (the one PostgreSQL fences its writes with). A node that lost the
// tenant without knowing it yet (frozen, cut off) keeps its old epoch; the node
// that took over has a higher one. The relay keeps, per tenant, the newest epoch it
// has heard, and per connection the epoch that serves it:
//
//  - a frame of an older epoch than the tenant's newest is a stale owner's: dropped
//    when the connection is served by the newest owner, else the connection is
//    told to reconnect (the stale owner had it; its client resumes from its last
//    seq with the owner that took over);
//  - a frame of a newer epoch than the one a connection heard means the owner
//    changed under it: what it received may have a hole, or be replayed again by
//    the new owner, so it reconnects and resumes;
//  - when a tenant's newest epoch goes up, every connection that heard an older
//    one reconnects the same way: nothing the old owner said is trusted any more.
//
// Epoch 0 is an owner that does not say (a storage plugin without lease_epoch):
// its frames are delivered as they come, unfenced. Not thread-safe: the relay calls
// it under its lock.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::cluster {

class OwnerFence {
 public:
  enum class Fate { deliver, drop, reconnect };
  struct Verdict {
    Fate fate = Fate::deliver;
    // Other connections of the tenant that heard an older owner: each reconnects.
    std::vector<uint64_t> reconnect_too;
  };

  // A frame of `tenant`'s owner under lease `epoch` for connection `conn`.
  Verdict frame(const std::string& tenant, uint64_t conn, int64_t epoch);
  // The connection is gone.
  void forget(uint64_t conn);
  // The newest epoch heard for the tenant (0: none).
  int64_t newest(const std::string& tenant) const;

 private:
  struct Heard {
    std::string tenant;
    int64_t epoch = 0;
  };
  std::unordered_map<std::string, int64_t> newest_;  // tenant -> newest epoch heard
  std::unordered_map<uint64_t, Heard> heard_;        // connection -> the epoch serving it
};

}  // namespace sb::cluster
