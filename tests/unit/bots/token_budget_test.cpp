// The daily token budget against fake storage: read back, counted, rolled over.
#include "bots/token_budget.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

#include "../engine/fakes.hpp"

using sb::bots::TokenBudget;

TEST_CASE("tokens spent before the stored count is read back are added to it") {
  boost::asio::io_context ioc;
  auto strand = boost::asio::make_strand(ioc);
  auto store = std::make_shared<sb::engine::test::FakeStore>(strand);
  std::string today = "2026-11-29";
  store->kv["bot.tokens"]["2026-11-29"] = R"({"tokens":40})";
  store->kv["bot.tokens"]["2026-11-20"] = R"({"tokens":999})";

  auto budget = std::make_shared<TokenBudget>(store, "t1", [&] { return today; });
  budget->set_daily_limit(50);
  budget->spend(5);  // an answer that was under way before the count came back
  ioc.run();
  CHECK(budget->used_today() == 45);
  CHECK(budget->allows_more());
  CHECK(store->kv["bot.tokens"]["2026-11-29"] == R"({"tokens":45})");
  CHECK(store->kv["bot.tokens"].count("2026-11-20") == 0);  // an old day is dropped

  budget->spend(10);
  ioc.restart();
  ioc.run();
  CHECK_FALSE(budget->allows_more());

  today = "2026-11-30";
  CHECK(budget->allows_more());
  CHECK(budget->used_today() == 0);
  ioc.restart();
  ioc.run();
  CHECK(store->kv["bot.tokens"].count("2026-11-29") == 0);
}

TEST_CASE("without a limit the LLM is never held back") {
  boost::asio::io_context ioc;
  auto store = std::make_shared<sb::engine::test::FakeStore>(boost::asio::make_strand(ioc));
  auto budget = std::make_shared<TokenBudget>(store, "t1");
  CHECK(budget->allows_more());
  budget->spend(1'000'000);
  CHECK(budget->allows_more());
}
