#include "auth/login_throttle.hpp"

#include <algorithm>

namespace sb::auth {

std::string_view LoginThrottle::to_string(Scope scope) {
  switch (scope) {
    case Scope::address:
      return "address";
    case Scope::account:
      return "account";
    case Scope::none:
      break;
  }
  return "none";
}

size_t LoginThrottle::tracked() {
  std::lock_guard lock(mutex_);
  return addresses_.size() + accounts_.size();
}

void LoginThrottle::make_room(Table& table, int64_t now_ms) {
  if (table.size() < policy_.max_tracked) return;
  std::erase_if(table, [&](const auto& item) {
    const Entry& e = item.second;
    return e.pending == 0 && e.locked_until_ms <= now_ms &&
           now_ms - std::max(e.last_failure_ms, e.locked_until_ms) >= policy_.forget_after_ms;
  });
  // Still full (a flood of fresh addresses): drop any that is not mid-attempt.
  for (auto it = table.begin(); table.size() >= policy_.max_tracked && it != table.end();)
    it = it->second.pending == 0 ? table.erase(it) : std::next(it);
}

LoginThrottle::Entry& LoginThrottle::entry(Table& table, std::string_view key, int64_t now_ms) {
  auto it = table.find(std::string(key));
  if (it == table.end()) {
    make_room(table, now_ms);
    return table[std::string(key)];
  }
  Entry& e = it->second;
  const int64_t quiet_since = std::max(e.last_failure_ms, e.locked_until_ms);
  if (e.pending == 0 && e.locked_until_ms <= now_ms &&
      now_ms - quiet_since >= policy_.forget_after_ms)
    e = Entry{};
  return e;
}

LoginThrottle::Verdict LoginThrottle::begin(std::string_view address, std::string_view account,
                                            int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Entry& a = entry(addresses_, address, now_ms);
  Entry& acc = entry(accounts_, account, now_ms);
  if (a.locked_until_ms > now_ms) return {Scope::address, a.locked_until_ms - now_ms};
  if (acc.locked_until_ms > now_ms) return {Scope::account, acc.locked_until_ms - now_ms};
  // Attempts in flight count as failures until decided, so a burst of parallel
  // guesses cannot all start before the first fails. For an address only once it
  // has failed: many colleagues behind one office address sign in at 9:00.
  if (a.failures > 0 && a.pending > 0 && a.failures + a.pending >= policy_.address_free_failures)
    return {Scope::address, policy_.first_lock_ms};
  if (acc.pending > 0 && acc.failures + acc.pending >= policy_.account_free_failures)
    return {Scope::account, policy_.first_lock_ms};
  ++a.pending;
  ++acc.pending;
  Verdict allowed;
  if (a.failures > 0 || acc.failures > 0) {
    allowed.standing = Standing::suspect;
  } else if (auto it = signed_in_from_.find(std::string(address));
             it != signed_in_from_.end() && now_ms - it->second < policy_.proven_for_ms) {
    allowed.standing = Standing::proven;
  }
  return allowed;
}

void LoginThrottle::abandon(std::string_view address, std::string_view account) {
  std::lock_guard lock(mutex_);
  for (Table* table : {&addresses_, &accounts_}) {
    auto it = table->find(std::string(table == &addresses_ ? address : account));
    if (it == table->end()) continue;
    Entry& e = it->second;
    if (e.pending > 0) --e.pending;
    if (e.failures == 0 && e.pending == 0 && e.locked_until_ms == 0) table->erase(it);
  }
}

LoginThrottle::Lock LoginThrottle::fail(Entry& e, Scope scope, int free_failures,
                                        int64_t max_lock_ms, int64_t now_ms) const {
  ++e.failures;
  e.last_failure_ms = now_ms;
  if (e.failures < free_failures) return {};
  const int doublings = std::min(e.failures - free_failures, 30);
  const int64_t duration = std::min(max_lock_ms, policy_.first_lock_ms << doublings);
  e.locked_until_ms = now_ms + duration;
  return {scope, duration, e.failures};
}

LoginThrottle::Outcome LoginThrottle::finish(std::string_view address, std::string_view account,
                                             bool succeeded, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Outcome out;
  auto settle = [&](Table& table, std::string_view key, Scope scope, int free_failures,
                    int64_t max_lock_ms, Lock& lock_out) {
    auto it = table.find(std::string(key));
    if (it == table.end()) return;  // dropped while full; nothing to settle
    Entry& e = it->second;
    if (e.pending > 0) --e.pending;
    if (!succeeded) {
      lock_out = fail(e, scope, free_failures, max_lock_ms, now_ms);
    } else if (scope == Scope::account) {
      e.failures = 0;
      e.locked_until_ms = 0;
    }
    if (e.failures == 0 && e.pending == 0 && e.locked_until_ms <= now_ms) table.erase(it);
  };
  settle(addresses_, address, Scope::address, policy_.address_free_failures,
         policy_.address_max_lock_ms, out.address);
  settle(accounts_, account, Scope::account, policy_.account_free_failures,
         policy_.account_max_lock_ms, out.account);
  if (succeeded) {
    if (signed_in_from_.size() >= policy_.max_tracked) {
      std::erase_if(signed_in_from_, [&](const auto& item) {
        return now_ms - item.second >= policy_.proven_for_ms;
      });
      // Still full: start over rather than grow (they are only a preference).
      if (signed_in_from_.size() >= policy_.max_tracked) signed_in_from_.clear();
    }
    signed_in_from_[std::string(address)] = now_ms;
  }
  return out;
}

}  // namespace sb::auth
