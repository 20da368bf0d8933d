// The tenant's line of conversations waiting for an agent: oldest first, each at
// most once, every group's waiters in the one line (a visitor's place counts only
// those of their group). Each joiner gets a queue order: wall-clock microseconds,
// strictly increasing, and above every order a previous run of the server stored,
// so a restart puts the line back as it was.
//
// Not thread-safe: it lives on the tenant's strand.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>

namespace sb::engine {

class WaitQueue {
 public:
  using const_iterator = std::deque<std::string>::const_iterator;

  bool contains(const std::string& id) const { return members_.count(id) != 0; }
  size_t size() const { return line_.size(); }
  bool empty() const { return line_.empty(); }
  const_iterator begin() const { return line_.begin(); }
  const_iterator end() const { return line_.end(); }

  // Puts id at the back and returns its queue order (now_ms: the wall clock); 0 when
  // it already waits (it keeps its place and order).
  int64_t join(const std::string& id, int64_t now_ms);
  // Puts id back where a restart found it (restored in the stored order, oldest
  // first), keeping the stored queue order; later orders are above it.
  void restore(const std::string& id, int64_t stored_order);
  // Notes a stored order that is not in line (yet): later orders are above it.
  void note_order(int64_t stored_order);
  // Takes id out of the line. True when it was waiting.
  bool leave(const std::string& id);
  // id's place among the waiters `same_line` accepts (1 = next); 0 when not waiting.
  template <class Pred>
  uint32_t position(const std::string& id, Pred&& same_line) const {
    if (!contains(id)) return 0;
    uint32_t place = 0;
    for (const auto& other : line_) {
      if (other != id && !same_line(other)) continue;
      ++place;
      if (other == id) return place;
    }
    return 0;
  }

 private:
  std::deque<std::string> line_;
  std::unordered_set<std::string> members_;
  int64_t last_order_ = 0;
};

}  // namespace sb::engine
