#include "groups/business_hours.hpp"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "groups/group.hpp"

namespace sb::groups {

namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

int weekday_index(std::string_view name) {
  auto it = std::find(kWeekdays.begin(), kWeekdays.end(), name);
  return it == kWeekdays.end() ? -1 : static_cast<int>(it - kWeekdays.begin());
}

// "HH:MM" with two digits each; 24:00 only as an end.
std::optional<int> parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hours = 0, minutes = 0;
  auto digits = [](std::string_view part, int& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && part[0] != '-';
  };
  if (!digits(text.substr(0, 2), hours) || !digits(text.substr(3, 2), minutes)) return std::nullopt;
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return std::nullopt;
  return hours * 60 + minutes;
}

}  // namespace

BusinessHours::BusinessHours() : zone_(nullptr) {}

std::optional<BusinessHours> BusinessHours::in_zone(std::string_view timezone) {
  BusinessHours hours;
  try {
    hours.zone_ = date::locate_zone(timezone);
  } catch (const std::exception&) {
    return std::nullopt;  // unknown name, or no tz database installed
  }
  hours.timezone_ = std::string(timezone);
  return hours;
}

void BusinessHours::add(int weekday, MinuteRange range) {
  scheduled_ = true;
  auto& day = days_.at(weekday);
  day.insert(std::upper_bound(
                 day.begin(), day.end(), range,
                 [](const MinuteRange& a, const MinuteRange& b) { return a.begin < b.begin; }),
             range);
}

bool BusinessHours::add_holiday(std::string iso_date) {
  auto at = std::lower_bound(holidays_.begin(), holidays_.end(), iso_date);
  if (at != holidays_.end() && *at == iso_date) return false;
  holidays_.insert(at, std::move(iso_date));
  return true;
}

bool BusinessHours::is_open(int64_t wall_ms) const {
  if (always_open()) return true;
  using namespace std::chrono;
  const sys_time<milliseconds> now{milliseconds(wall_ms)};
  const auto local =
      zone_ ? zone_->to_local(now) : date::local_time<milliseconds>(now.time_since_epoch());
  const auto day = date::floor<date::days>(local);
  if (!holidays_.empty()) {
    const date::year_month_day ymd{day};
    char iso[16];
    std::snprintf(iso, sizeof iso, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    if (std::binary_search(holidays_.begin(), holidays_.end(), std::string_view(iso))) return false;
  }
  if (!scheduled_) return true;
  const int weekday = static_cast<int>(date::weekday(day).iso_encoding()) - 1;
  const auto minute = static_cast<uint16_t>(date::floor<minutes>(local - day).count());
  return std::any_of(days_[weekday].begin(), days_[weekday].end(),
                     [&](const MinuteRange& r) { return minute >= r.begin && minute < r.end; });
}

std::optional<MinuteRange> parse_range(std::string_view text, std::string& why) {
  auto dash = text.find('-');
  auto begin = dash == std::string_view::npos ? std::nullopt : parse_clock(text.substr(0, dash));
  auto end = dash == std::string_view::npos ? std::nullopt : parse_clock(text.substr(dash + 1));
  if (!begin || !end || *begin == 24 * 60) {
    why = "'" + std::string(text) + "' is not a time range like \"09:00-17:00\"";
    return std::nullopt;
  }
  if (*end <= *begin) {
    why = "'" + std::string(text) +
          "' ends before it begins (hours past midnight go on the next day: \"00:00-02:00\")";
    return std::nullopt;
  }
  return MinuteRange{static_cast<uint16_t>(*begin), static_cast<uint16_t>(*end)};
}

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = 0;
  unsigned month = 0, day = 0;
  auto number = [&](std::size_t at, std::size_t length, auto& out) {
    auto part = text.substr(at, length);
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && part[0] != '-' &&
           part[0] != '+';
  };
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day)) return false;
  if (year < 2000 || year > 2199) return false;
  return date::year_month_day{date::year{year}, date::month{month}, date::day{day}}.ok();
}

std::vector<int> parse_weekdays(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    int day = weekday_index(text);
    return day < 0 ? std::vector<int>{} : std::vector<int>{day};
  }
  int first = weekday_index(text.substr(0, dash));
  int last = weekday_index(text.substr(dash + 1));
  if (first < 0 || last < 0 || first == last) return {};
  std::vector<int> days;
  for (int day = first;; day = (day + 1) % 7) {
    days.push_back(day);
    if (day == last) break;
  }
  return days;
}

std::string_view weekday_name(int weekday) {
  return kWeekdays.at(weekday);
}

const char* to_string(QueueLimitOutcome outcome) {
  return outcome == QueueLimitOutcome::message_and_close ? "message_and_close" : "offline_message";
}

}  // namespace sb::groups
