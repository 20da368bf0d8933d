#include "cluster/take_retries.hpp"

#include <algorithm>
#include <charconv>

namespace sb::cluster {

std::optional<std::chrono::milliseconds> TakeRetries::lease_left(std::string_view error) {
  const auto held = error.find("held by node");
  if (held == std::string_view::npos) return std::nullopt;
  constexpr std::string_view kFor = "for another ";
  const auto at = error.find(kFor, held);
  if (at == std::string_view::npos) return std::nullopt;
  const auto digits = error.substr(at + kFor.size());
  int64_t ms = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (ec != std::errc() || end == digits.data()) return std::nullopt;
  if (std::string_view(end, digits.data() + digits.size() - end).rfind(" ms", 0) != 0)
    return std::nullopt;
  // A lease that ended between the query and its answer has nothing left.
  return std::chrono::milliseconds(std::max<int64_t>(ms, 0));
}

void TakeRetries::failed(const std::string& tenant_id, std::string_view error,
                         Clock::time_point now) {
  if (const auto left = lease_left(error))
    retry_at_[tenant_id] = now + *left + kAfterLeaseEnd;
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
