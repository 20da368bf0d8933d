// A tenant's daily budget of LLM tokens. The day's usage lives in the tenant's
// storage (kv namespace "bot.tokens", key: the UTC date), so neither a restart nor
// a reload resets it. Used on the tenant's strand only (the Store answers there).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/ports.hpp"

namespace sb::bots {

// Today's UTC date as "YYYY-MM-DD".
std::string utc_date();

class TokenBudget : public std::enable_shared_from_this<TokenBudget> {
 public:
  using Today = std::function<std::string()>;
  TokenBudget(std::shared_ptr<engine::Store> store, std::string tenant_id, Today today = utc_date);

  void set_daily_limit(uint64_t tokens);  // 0 = no limit
  uint64_t daily_limit() const { return limit_; }

  // Starts reading today's usage back (done at start-up, so the first visitor does
  // not find the LLM held back while it is unknown).
  void load();
  // May the LLM be asked now? With a limit, only once today's usage has been read
  // back (the first call starts reading it) and while it is below the limit.
  bool allows_more();
  // Counts what an answer used and stores the day's total.
  void spend(uint64_t tokens);
  uint64_t used_today();

 private:
  void roll_over();

  std::shared_ptr<engine::Store> store_;
  std::string tenant_id_;
  Today today_;
  uint64_t limit_ = 0;
  std::string day_;
  uint64_t used_ = 0;
  bool loaded_ = false;
  bool loading_ = false;
  uint64_t spent_while_loading_ = 0;
};

}  // namespace sb::bots
