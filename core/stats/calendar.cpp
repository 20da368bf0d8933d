#include "stats/calendar.hpp"

#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <exception>

namespace sb::stats {

namespace {

bool digits(std::string_view text, int& out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<Calendar> Calendar::in_zone(std::string_view timezone) {
  Calendar calendar;
  try {
    calendar.zone_ = date::locate_zone(timezone);
  } catch (const std::exception&) {
    return std::nullopt;  // unknown name, or no tz database installed
  }
  calendar.timezone_ = std::string(timezone);
  return calendar;
}

DayNumber Calendar::day_of(int64_t wall_ms) const {
  const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(wall_ms)};
  const auto local = zone_->to_local(t);
  return static_cast<DayNumber>(date::floor<date::days>(local).time_since_epoch().count());
}

int64_t Calendar::start_of(DayNumber day) const {
  const date::local_seconds midnight{date::days(day)};
  const date::local_info info = zone_->get_info(midnight);
  // Midnight skipped by a daylight-saving change: the day begins when the gap
  // ends. Midnight twice (clocks back): the earlier one.
  const date::sys_seconds start =
      info.result == date::local_info::nonexistent
          ? info.second.begin
          : date::sys_seconds{midnight.time_since_epoch() - info.first.offset};
  return std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
}

std::optional<DayNumber> parse_day(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text.substr(0, 4), y) ||
      !digits(text.substr(5, 2), m) || !digits(text.substr(8, 2), d))
    return std::nullopt;
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<DayNumber>(date::sys_days(ymd).time_since_epoch().count());
}

std::string format_day(DayNumber day) {
  return date::format("%F", date::sys_days(date::days(day)));
}

}  // namespace sb::stats
