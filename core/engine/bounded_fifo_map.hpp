// A map that remembers at most `capacity` keys and forgets the oldest first: who
// served each visitor last, the conversations their visitors may still reopen, the
// acks a resend is answered with. "Oldest" is by first insertion: assigning a new
// value to a key that is there keeps its place. Erasing a key takes it out of the
// order too, so a key inserted again later starts at the back (and is never
// forgotten early because of the entry it replaced).
//
// Not thread-safe: like the rest of the engine's state it lives on one strand.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace sb::engine {

template <class Key, class Value>
class BoundedFifoMap {
 public:
  explicit BoundedFifoMap(size_t capacity) : capacity_(capacity) {}

  size_t capacity() const { return capacity_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool contains(const Key& key) const { return entries_.count(key) != 0; }

  // The value of key, or null. The pointer is valid until the map changes.
  Value* find(const Key& key) {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.value;
  }
  const Value* find(const Key& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.value;
  }

  // Sets key's value; a new key goes to the back and may push the oldest out.
  // True when the key was new.
  bool insert_or_assign(const Key& key, Value value) {
    if (auto it = entries_.find(key); it != entries_.end()) {
      it->second.value = std::move(value);
      return false;
    }
    put_new(key, std::move(value));
    return true;
  }

  // Adds key only when it is not there (the value given first wins). True when added.
  bool insert(const Key& key, Value value) {
    if (entries_.count(key)) return false;
    put_new(key, std::move(value));
    return true;
  }

  // Forgets key (and its place in the order). True when it was there.
  bool erase(const Key& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    order_.erase(it->second.place);
    entries_.erase(it);
    return true;
  }

  // Removes key and hands its value over; nullopt when it was not there.
  std::optional<Value> take(const Key& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    std::optional<Value> value(std::move(it->second.value));
    order_.erase(it->second.place);
    entries_.erase(it);
    return value;
  }

  void clear() {
    entries_.clear();
    order_.clear();
  }

 private:
  struct Entry {
    Value value;
    typename std::list<Key>::iterator place;  // in order_
  };

  void put_new(const Key& key, Value value) {
    order_.push_back(key);
    entries_.emplace(key, Entry{std::move(value), std::prev(order_.end())});
    while (entries_.size() > capacity_) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
  }

  size_t capacity_;
  std::unordered_map<Key, Entry> entries_;
  std::list<Key> order_;  // oldest first; exactly the keys of entries_
};

}  // namespace sb::engine
