// The admin's trial of a pipeline with scripted stages: every stage's part is
// recorded as the pipeline judged it, the LLM is never called (the trial says when
// it would have been), and nothing of a conversation goes in or comes out.
#include "bots/trial.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "../engine/fakes.hpp"
#include "fake_stages.hpp"

using namespace sb::bots;
using namespace sb::bots::test;
using namespace std::chrono_literals;

namespace {

struct TrialFixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<sb::engine::test::FakeStore> store =
      std::make_shared<sb::engine::test::FakeStore>(strand);
  std::shared_ptr<TokenBudget> budget = std::make_shared<TokenBudget>(store, "t1");
  PipelineSettings settings;
  std::vector<Stage> stages;

  TrialFixture() {
    settings.holding_after = 50ms;
    settings.stage_timeout = 200ms;
    settings.holding_reply = "One moment…";
    settings.handoff_reply = "A person will help you.";
    settings.handoff_phrases = {"talk to a human"};
  }

  std::shared_ptr<FakeAutoreply> autoreply(std::string name,
                                           std::function<Scripted(const AutoreplyRequest&)> s) {
    auto stage = std::make_shared<FakeAutoreply>(strand, std::move(s));
    stages.push_back(Stage{std::move(name), stage, nullptr});
    return stage;
  }
  std::shared_ptr<FakeLlm> llm(std::string name) {
    auto stage = std::make_shared<FakeLlm>(
        strand, [](const LlmRequest&) { return ok(R"({"text":"from the LLM"})"); });
    stages.push_back(Stage{std::move(name), nullptr, stage});
    return stage;
  }

  TrialAnswer ask(std::string text, std::string language = {}) {
    Trial trial("t1", settings, stages, budget, strand);
    std::optional<TrialAnswer> answer;
    int calls = 0;
    trial.run(std::move(text), std::move(language), [&](TrialAnswer a) {
      ++calls;
      answer = std::move(a);
    });
    const auto until = std::chrono::steady_clock::now() + 2s;
    ioc.restart();
    while (!answer && std::chrono::steady_clock::now() < until) ioc.run_one_for(10ms);
    ioc.run_for(50ms);  // nothing more may come
    CHECK(calls == 1);
    REQUIRE(answer);
    return *answer;
  }
};

std::vector<std::string> statuses(const TrialAnswer& a) {
  std::vector<std::string> out;
  for (const auto& s : a.steps) out.push_back(s.status);
  return out;
}

}  // namespace

TEST_CASE("a trial records which stage answered and what the others did") {
  TrialFixture f;
  auto flow = f.autoreply("flow", [](const AutoreplyRequest&) {
    return defer(R"({"state":{"node":"x"},"context":{"intent":{"name":"refund"}}})");
  });
  auto faq = f.autoreply("faq", [](const AutoreplyRequest& r) {
    return ok(R"({"reply":"Refunds take 5 days (in )" + r.language +
              R"().","score":0.8,"source":"faq.toml#refund"})");
  });
  auto llm = f.llm("llm");
  const auto a = f.ask("refund?", "zh-CN");

  CHECK(statuses(a) == std::vector<std::string>{"deferred", "answered", "not_called"});
  CHECK(a.steps[1].result_json.find("faq.toml#refund") != std::string::npos);
  CHECK(a.steps[2].llm);
  REQUIRE(a.outcome.replies.size() == 1);
  CHECK(a.outcome.replies[0].text == "Refunds take 5 days (in zh-CN).");
  CHECK_FALSE(a.would_ask_llm);
  CHECK(llm->requests.empty());
  // A first message: no state, no history, no conversation of the tenant's.
  REQUIRE(flow->requests.size() == 1);
  CHECK(flow->requests[0].state_json.empty());
  CHECK(flow->requests[0].conversation_id == "admin-trial");
  CHECK(faq->requests[0].context_json.find(R"("history":[])") != std::string::npos);
}

TEST_CASE("a trial never calls the LLM but says when the pipeline would have") {
  TrialFixture f;
  f.autoreply("faq", [](const AutoreplyRequest&) { return defer(); });
  auto llm = f.llm("llm");
  auto a = f.ask("something nobody knows");
  CHECK(a.would_ask_llm);
  CHECK(llm->requests.empty());
  CHECK(statuses(a) == std::vector<std::string>{"deferred", "not_called"});
  // Not the hand-off the pipeline falls back on when the LLM fails.
  CHECK(a.outcome.replies.empty());
  CHECK_FALSE(a.outcome.handoff);

  // A stage that asks for the LLM: what it said stays, the LLM is not asked.
  TrialFixture g;
  g.autoreply("flow", [](const AutoreplyRequest&) {
    return ok(R"({"reply":"Let me think.","ask_llm":true})");
  });
  auto llm2 = g.llm("llm");
  a = g.ask("explain");
  CHECK(a.would_ask_llm);
  CHECK(llm2->requests.empty());
  REQUIRE(a.outcome.replies.size() == 1);
  CHECK(a.outcome.replies[0].text == "Let me think.");
}

TEST_CASE("a trial reports failing, malformed and silent stages, and no holding reply") {
  TrialFixture f;
  f.autoreply("broken", [](const AutoreplyRequest&) { return fail("plugin crashed"); });
  f.autoreply("garbled", [](const AutoreplyRequest&) { return ok("not json"); });
  f.autoreply("slow", [](const AutoreplyRequest&) { return ok(R"({"reply":"late"})", 500ms); });
  f.autoreply("faq", [](const AutoreplyRequest&) { return ok(R"({"reply":"Here."})", 100ms); });
  const auto a = f.ask("hello");
  CHECK(statuses(a) == std::vector<std::string>{"failed", "failed", "failed", "answered"});
  CHECK(a.steps[0].error == "plugin crashed");
  CHECK(a.steps[1].error.rfind("malformed result", 0) == 0);
  CHECK(a.steps[2].error == "no answer in time");
  // Past holding_after, yet only the answer: the admin waits for it.
  REQUIRE(a.outcome.replies.size() == 1);
  CHECK(a.outcome.replies[0].text == "Here.");
}

TEST_CASE("a hand-off phrase hands off before any stage is asked") {
  TrialFixture f;
  auto faq = f.autoreply("faq", [](const AutoreplyRequest&) { return ok(R"({"reply":"x"})"); });
  const auto a = f.ask("I want to TALK TO A HUMAN");
  CHECK(a.outcome.handoff);
  CHECK(a.outcome.handoff_reason == "the visitor asked for a human");
  CHECK(statuses(a) == std::vector<std::string>{"not_called"});
  CHECK(faq->requests.empty());
}
