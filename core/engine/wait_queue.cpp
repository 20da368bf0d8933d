#include "engine/wait_queue.hpp"

#include <algorithm>

namespace sb::engine {

int64_t WaitQueue::join(const std::string& id, int64_t now_ms) {
  if (!members_.insert(id).second) return 0;
  line_.push_back(id);
  last_order_ = std::max(last_order_ + 1, now_ms * 1000);
  return last_order_;
}

void WaitQueue::restore(const std::string& id, int64_t stored_order) {
  note_order(stored_order);
  if (members_.insert(id).second) line_.push_back(id);
}

void WaitQueue::note_order(int64_t stored_order) {
  last_order_ = std::max(last_order_, stored_order);
}

bool WaitQueue::leave(const std::string& id) {
  if (!members_.erase(id)) return false;
  line_.erase(std::find(line_.begin(), line_.end(), id));
  return true;
}

}  // namespace sb::engine
