// Opening hours per weekday in an IANA time zone ("Europe/Berlin"), so "open
// mon-fri 09:00-17:00" keeps meaning Berlin office hours across daylight saving
// changes. The zone rules come from the system's tz database (tzdata) through
// Howard Hinnant's date library, as GCC 12's <chrono> has no time zones yet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace sb::groups {

// [begin, end) in minutes since local midnight; end may be 1440 (24:00).
struct MinuteRange {
  uint16_t begin = 0;
  uint16_t end = 0;
  bool operator==(const MinuteRange&) const = default;
};

class BusinessHours {
 public:
  // Always open, in UTC: the hours of a group that sets none.
  BusinessHours();

  // The zone by IANA name; nullopt when the tz database has no such zone.
  static std::optional<BusinessHours> in_zone(std::string_view timezone);

  // Opens the ranges on one weekday (0 = Monday ... 6 = Sunday). A schedule that
  // has any day set is closed on the days it leaves out.
  void add(int weekday, MinuteRange range);
  // Closes a whole local date ("2026-12-25", checked by parse_date), whatever its
  // weekday's hours say. False when it is already one.
  bool add_holiday(std::string iso_date);

  bool is_open(int64_t wall_ms) const;
  bool always_open() const { return !scheduled_ && holidays_.empty(); }
  // True when weekdays have hours (without, it is open on every day but holidays).
  bool has_weekly_hours() const { return scheduled_; }
  const std::string& timezone() const { return timezone_; }
  const std::vector<MinuteRange>& ranges(int weekday) const { return days_.at(weekday); }
  const std::vector<std::string>& holidays() const { return holidays_; }  // sorted

  bool operator==(const BusinessHours& other) const {
    return timezone_ == other.timezone_ && scheduled_ == other.scheduled_ && days_ == other.days_ &&
           holidays_ == other.holidays_;
  }

 private:
  std::string timezone_ = "UTC";
  const date::time_zone* zone_ = nullptr;
  bool scheduled_ = false;
  std::array<std::vector<MinuteRange>, 7> days_;
  std::vector<std::string> holidays_;  // "YYYY-MM-DD", sorted, which is date order
};

// "09:00-17:00" -> {540, 1020}. End "24:00" is allowed; end must follow begin.
// On failure returns nullopt and sets why.
std::optional<MinuteRange> parse_range(std::string_view text, std::string& why);

// True for a real calendar date written "YYYY-MM-DD" (years 2000..2199).
bool is_iso_date(std::string_view text);

// "mon" -> {0}, "mon-fri" -> {0..4}, "fri-mon" wraps: {4,5,6,0}. Empty on failure.
std::vector<int> parse_weekdays(std::string_view text);

// "mon", ..., "sun".
std::string_view weekday_name(int weekday);

}  // namespace sb::groups
