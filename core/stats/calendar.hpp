// Days in an IANA time zone, for the dashboard's "today" and its per-day report:
// where a local day starts and ends in UTC, and which local day an instant falls
// on. The zone rules come from the system's tz database through Howard Hinnant's
// date library (GCC 12's <chrono> has no time zones yet), as business hours do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace sb::stats {

// A local calendar day, as days since 1970-01-01.
using DayNumber = int32_t;

class Calendar {
 public:
  // The zone by IANA name ("Asia/Shanghai", "UTC"); nullopt when unknown.
  static std::optional<Calendar> in_zone(std::string_view timezone);

  const std::string& timezone() const { return timezone_; }
  // The local day wall_ms falls on.
  DayNumber day_of(int64_t wall_ms) const;
  // The UTC instant (ms) the local day begins; a day that starts inside a
  // daylight-saving gap begins at the first instant that exists.
  int64_t start_of(DayNumber day) const;

 private:
  std::string timezone_;
  const date::time_zone* zone_ = nullptr;
};

// "2026-12-04" -> its day number; nullopt unless exactly YYYY-MM-DD and a real date.
std::optional<DayNumber> parse_day(std::string_view text);
// The day as YYYY-MM-DD.
std::string format_day(DayNumber day);

}  // namespace sb::stats
