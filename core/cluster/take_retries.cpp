#include "cluster/take_retries.hpp"

#include <algorithm>

namespace sb::cluster {

void TakeRetries::failed(const std::string& tenant_id,
                         std::optional<std::chrono::milliseconds> retry_after,
                         Clock::time_point now) {
  if (retry_after)
    retry_at_[tenant_id] =
        now + std::max(*retry_after, std::chrono::milliseconds(0)) + kAfterLeaseEnd;
  else
    retry_at_.erase(tenant_id);
}

void TakeRetries::keep_only(const std::set<std::string>& ids) {
  std::erase_if(retry_at_, [&](const auto& entry) { return !ids.contains(entry.first); });
}

bool TakeRetries::due(const std::string& tenant_id, Clock::time_point now) const {
  const auto it = retry_at_.find(tenant_id);
  return it == retry_at_.end() || it->second <= now;
}

std::optional<TakeRetries::Clock::time_point> TakeRetries::next(Clock::time_point now) const {
  std::optional<Clock::time_point> earliest;
  for (const auto& [tenant_id, at] : retry_at_)
    if (!earliest || at < *earliest) earliest = at;
  if (earliest) earliest = std::max(*earliest, now);
  return earliest;
}

}  // namespace sb::cluster
