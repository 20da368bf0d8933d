#include "bots/token_budget.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

namespace sb::bots {

namespace json = boost::json;

namespace {
constexpr const char* kNamespace = "bot.tokens";
}

std::string utc_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

TokenBudget::TokenBudget(std::shared_ptr<engine::Store> store, std::string tenant_id, Today today)
    : store_(std::move(store)), tenant_id_(std::move(tenant_id)), today_(std::move(today)) {}

void TokenBudget::set_daily_limit(uint64_t tokens) {
  limit_ = tokens;
}

bool TokenBudget::allows_more() {
  roll_over();
  if (limit_ == 0) return true;
  if (!loaded_) {
    load();
    return false;  // unknown yet: the budget is never overspent on a guess
  }
  return used_ < limit_;
}

void TokenBudget::spend(uint64_t tokens) {
  roll_over();
  used_ += tokens;
  if (!loaded_) {
    spent_while_loading_ += tokens;  // added to what storage says once it answers
    load();
    return;
  }
  store_->kv_put(kNamespace, day_, json::serialize(json::object{{"tokens", used_}}),
                 [tenant = tenant_id_](engine::StoreResult r) {
                   if (!r.ok())
                     spdlog::warn("tenant {}: storing today's LLM token usage failed: {}", tenant,
                                  r.error);
                 });
}

uint64_t TokenBudget::used_today() {
  roll_over();
  return used_;
}

void TokenBudget::roll_over() {
  const std::string today = today_();
  if (today == day_) return;
  if (!day_.empty() && loaded_)  // yesterday's count is of no further use
    store_->kv_put(kNamespace, day_, "", [](engine::StoreResult) {});
  // A day that just began has used nothing (when the last one's count was known).
  day_ = today;
  used_ = 0;
  spent_while_loading_ = 0;
}

void TokenBudget::load() {
  roll_over();
  if (loading_ || loaded_) return;
  loading_ = true;
  store_->kv_list(kNamespace, [self = shared_from_this(), day = day_](engine::StoreResult r) {
    self->loading_ = false;
    if (day != self->day_) return;  // the day turned meanwhile
    if (!r.ok()) {
      spdlog::warn("tenant {}: reading today's LLM token usage failed ({}); the LLM waits",
                   self->tenant_id_, r.error);
      return;
    }
    uint64_t stored = 0;
    boost::system::error_code ec;
    const json::value root = json::parse(r.body, ec);
    const json::value* items =
        !ec && root.is_object() ? root.get_object().if_contains("items") : nullptr;
    if (items && items->is_array()) {
      for (const auto& item : items->get_array()) {
        const auto* o = item.if_object();
        const auto* key = o ? o->if_contains("key") : nullptr;
        const auto* value = o ? o->if_contains("value") : nullptr;
        if (!key || !key->is_string()) continue;
        if (key->get_string() != day) {  // an earlier day's, left by a stop over midnight
          self->store_->kv_put(kNamespace, std::string(key->get_string()), "",
                               [](engine::StoreResult) {});
          continue;
        }
        if (!value || !value->is_object()) continue;
        if (const auto* tokens = value->get_object().if_contains("tokens")) {
          const auto n = tokens->to_number<uint64_t>(ec);
          if (!ec) stored = n;
        }
      }
    }
    self->used_ = stored + self->spent_while_loading_;
    self->spent_while_loading_ = 0;
    self->loaded_ = true;
    if (self->used_ != stored) self->spend(0);  // store what was spent meanwhile
  });
}

}  // namespace sb::bots
