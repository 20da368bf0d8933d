#include "cluster/owner_fence.hpp"

namespace sb::cluster {

OwnerFence::Verdict OwnerFence::frame(const std::string& tenant, uint64_t conn, int64_t epoch) {
  Verdict verdict;
  if (epoch <= 0) return verdict;  // an owner that does not say: unfenced, as before
  int64_t& newest = newest_[tenant];
  auto heard = heard_.find(conn);
  const int64_t serving = heard == heard_.end() ? 0 : heard->second.epoch;

  if (epoch < newest) {
    // A stale owner. Harmless noise for a connection the newest owner serves; a
    // connection it still had (or that heard nobody yet) must go to the new one.
    verdict.fate = serving == newest ? Fate::drop : Fate::reconnect;
    if (verdict.fate == Fate::reconnect) forget(conn);
    return verdict;
  }
  if (epoch > newest) {
    newest = epoch;
    for (auto it = heard_.begin(); it != heard_.end();) {
      if (it->first != conn && it->second.tenant == tenant && it->second.epoch < epoch) {
        verdict.reconnect_too.push_back(it->first);
        it = heard_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (serving != 0 && serving < epoch) {
    // The owner changed under this connection.
    forget(conn);
    verdict.fate = Fate::reconnect;
    return verdict;
  }
  heard_[conn] = Heard{tenant, epoch};
  return verdict;
}

void OwnerFence::forget(uint64_t conn) {
  heard_.erase(conn);
}

int64_t OwnerFence::newest(const std::string& tenant) const {
  const auto it = newest_.find(tenant);
  return it == newest_.end() ? 0 : it->second;
}

}  // namespace sb::cluster
