// The auto-reply pipeline with scripted stages: which stage answers, what the
// visitor gets when a stage is slow, fails or talks nonsense, the breaker, the
// budget, hand-off.
#include "bots/pipeline.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "../engine/fakes.hpp"
#include "common/reply_language.hpp"
#include "fake_stages.hpp"

using namespace sb::bots;
using namespace sb::bots::test;
using namespace std::chrono_literals;
using sb::engine::BotOutcome;
using sb::engine::BotTurn;

namespace {

struct Fixture {
  boost::asio::io_context ioc;
  boost::asio::any_io_executor strand = boost::asio::make_strand(ioc);
  std::shared_ptr<sb::engine::test::FakeStore> store =
      std::make_shared<sb::engine::test::FakeStore>(strand);
  std::string today = "2026-11-29";
  std::shared_ptr<TokenBudget> budget =
      std::make_shared<TokenBudget>(store, "t1", [this] { return today; });
  PipelineSettings settings;
  std::vector<Stage> stages;
  std::shared_ptr<Pipeline> pipeline;
  std::vector<BotOutcome> outcomes;
  bool feedback_asked = false;  // the next turn follows a "did this help?"
  std::string language;         // the widget's, from the visitor's hello

  Fixture() {
    settings.display_name = "Helper";
    settings.holding_after = 100ms;
    settings.stage_timeout = 300ms;
    settings.holding_reply = "One moment…";
    settings.handoff_reply = "A person will help you.";
    settings.system_prompt = "You help Acme's customers.";
    settings.breaker_failures = 2;
    settings.breaker_cooldown = 300ms;
    settings.handoff_phrases = {"talk to a human", "转人工"};
    settings.handoff_intents = {"human"};
  }

  std::shared_ptr<FakeAutoreply> autoreply(std::string name,
                                           std::function<Scripted(const AutoreplyRequest&)> s) {
    auto stage = std::make_shared<FakeAutoreply>(strand, std::move(s));
    stages.push_back(Stage{std::move(name), stage, nullptr});
    return stage;
  }
  std::shared_ptr<FakeLlm> llm(std::string name, std::function<Scripted(const LlmRequest&)> s) {
    auto stage = std::make_shared<FakeLlm>(strand, std::move(s));
    stages.push_back(Stage{std::move(name), nullptr, stage});
    return stage;
  }
  void build() { pipeline = std::make_shared<Pipeline>("t1", settings, stages, budget, strand); }

  // Runs one turn to its final outcome (or until the window closes).
  void turn(std::string text, std::map<std::string, std::string> state = {},
            std::chrono::milliseconds window = 2s) {
    if (!pipeline) build();
    BotTurn t;
    t.conversation_id = "c1";
    t.visitor_id = "v1";
    t.seq = 1;
    t.text = std::move(text);
    t.state = std::move(state);
    t.history = {{1, "visitor", "hi"}, {2, "bot", "Hello! How can I help?"}};
    t.feedback_asked = feedback_asked;
    t.language = language;
    const size_t before = outcomes.size();
    bool inside_call = true;
    pipeline->run_turn(t, [this, &inside_call](BotOutcome o) {
      CHECK_FALSE(inside_call);  // never from inside run_turn
      outcomes.push_back(std::move(o));
    });
    inside_call = false;
    const auto until = std::chrono::steady_clock::now() + window;
    ioc.restart();
    while (std::chrono::steady_clock::now() < until &&
           !(outcomes.size() > before && outcomes.back().final))
      ioc.run_one_for(10ms);
  }
  const BotOutcome& last() const { return outcomes.back(); }
  std::vector<std::string> last_texts() const {
    std::vector<std::string> out;
    for (const auto& r : outcomes.back().replies) out.push_back(r.text);
    return out;
  }
};

std::string reply_json(std::string text) {
  return boost::json::serialize(boost::json::object{{"reply", std::move(text)}});
}

}  // namespace

TEST_CASE("the first stage that answers wins and later stages are not asked") {
  Fixture f;
  auto flow = f.autoreply("flow", [](const AutoreplyRequest&) {
    return defer(R"({"state":{"node":"menu"},"context":{"flow":"idle"}})");
  });
  auto faq = f.autoreply("faq", [](const AutoreplyRequest&) {
    return ok(R"({"reply":"Refunds take 5 days.","quick_replies":["More"],"score":0.9,)"
              R"("source":"faq:refund","set_attributes":{"topic":"refund"}})");
  });
  auto llm = f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"essay"})"); });
  f.turn("how do I get a refund", {{"flow", R"({"node":"start"})"}});

  REQUIRE(f.outcomes.size() == 1);
  CHECK(f.last().final);
  CHECK_FALSE(f.last().handoff);
  CHECK(f.last_texts() == std::vector<std::string>{"Refunds take 5 days."});
  CHECK(f.last().replies[0].quick_replies == std::vector<std::string>{"More"});
  CHECK(llm->requests.empty());
  // Each stage gets its own state, and what earlier stages found.
  REQUIRE(flow->requests.size() == 1);
  CHECK(flow->requests[0].state_json == R"({"node":"start"})");
  REQUIRE(faq->requests.size() == 1);
  CHECK(faq->requests[0].state_json.empty());
  const auto context = boost::json::parse(faq->requests[0].context_json).as_object();
  CHECK(context.at("flow").as_string() == "idle");
  CHECK(context.at("history").as_array().size() == 2);
  CHECK(faq->requests[0].deadline_ms > 0);
  // The deferring stage's new state is kept; the attributes set are passed on.
  CHECK(f.last().state.at("flow") == std::optional<std::string>(R"({"node":"menu"})"));
  CHECK(boost::json::parse(f.last().set_attributes_json).at("topic").as_string() == "refund");
}

TEST_CASE("past the time limit the visitor gets the holding reply, then the real answer") {
  Fixture f;
  f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"The real answer."})", 200ms); });
  f.turn("a hard question");
  REQUIRE(f.outcomes.size() == 2);
  CHECK_FALSE(f.outcomes[0].final);
  REQUIRE(f.outcomes[0].replies.size() == 1);
  CHECK(f.outcomes[0].replies[0].text == "One moment…");
  CHECK(f.outcomes[1].final);
  CHECK(f.last_texts() == std::vector<std::string>{"The real answer."});
}

TEST_CASE("a fast answer comes alone, without a holding reply") {
  Fixture f;
  f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"Quick."})", 10ms); });
  f.turn("easy");
  REQUIRE(f.outcomes.size() == 1);
  CHECK(f.last_texts() == std::vector<std::string>{"Quick."});
}

TEST_CASE(
    "a stage that answers too late has failed: the next one answers, the late one is "
    "dropped") {
  Fixture f;
  f.autoreply("slow", [](const AutoreplyRequest&) { return ok(reply_json("too late"), 500ms); });
  f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("From the FAQ.")); });
  f.turn("question", {}, 1s);
  REQUIRE(f.outcomes.size() == 2);  // the holding reply at 100 ms, the answer at 300 ms
  CHECK(f.last_texts() == std::vector<std::string>{"From the FAQ."});
  // Let the slow stage's answer arrive: nothing more comes out.
  f.ioc.restart();
  f.ioc.run_for(400ms);
  CHECK(f.outcomes.size() == 2);
}

TEST_CASE("errors, malformed and empty answers pass the turn on, and a hand-off ends it") {
  Fixture f;
  SECTION("every stage fails in its own way") {
    f.autoreply("error", [](const AutoreplyRequest&) { return fail("index not loaded"); });
    f.autoreply("not-json", [](const AutoreplyRequest&) { return ok("{\"reply\": oops"); });
    f.autoreply("wrong-type", [](const AutoreplyRequest&) { return ok(R"({"reply":42})"); });
    f.autoreply("empty-ok", [](const AutoreplyRequest&) { return ok("{}"); });
    auto llm = f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"   "})"); });
    f.turn("anything");
    REQUIRE(f.outcomes.size() == 1);
    CHECK(f.last().handoff);
    CHECK(f.last_texts() == std::vector<std::string>{"A person will help you."});
    CHECK(llm->requests.size() == 1);
  }
  SECTION("an LLM answer without text is a failure") {
    f.llm("llm", [](const LlmRequest&) { return ok(R"({"usage":{"prompt_tokens":3}})"); });
    f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("FAQ fallback")); });
    f.turn("anything");
    CHECK_FALSE(f.last().handoff);
    CHECK(f.last_texts() == std::vector<std::string>{"FAQ fallback"});
  }
  SECTION("nobody knows: a human answers") {
    f.autoreply("faq", [](const AutoreplyRequest&) { return defer(); });
    f.turn("what is the meaning of life");
    CHECK(f.last().handoff);
    CHECK(f.last().handoff_reason == "no stage could answer");
  }
}

TEST_CASE(
    "after repeated failures a stage is skipped, and after the cool-down it is tried "
    "again") {
  Fixture f;
  bool healthy = false;
  auto flaky = f.llm("llm", [&](const LlmRequest&) {
    return healthy ? ok(R"({"text":"Back again."})") : fail("503");
  });
  f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("From the FAQ.")); });
  f.turn("one");
  f.turn("two");
  CHECK(flaky->requests.size() == 2);
  CHECK(f.pipeline->is_skipped("llm"));
  f.turn("three");
  CHECK(flaky->requests.size() == 2);  // skipped: the FAQ answers at once
  CHECK(f.last_texts() == std::vector<std::string>{"From the FAQ."});

  healthy = true;
  std::this_thread::sleep_for(350ms);
  CHECK_FALSE(f.pipeline->is_skipped("llm"));
  f.turn("four");
  CHECK(flaky->requests.size() == 3);
  CHECK(f.last_texts() == std::vector<std::string>{"Back again."});
}

// ABI 1.11: a stage that refuses what it was asked (SB_REFUSED, through its
// completion: bot stages always answer so) passes the turn on like a failure, but
// its breaker does not count it. Before, two visitors' messages the LLM refused (a
// prompt it will not take) made it skipped for every visitor of the tenant.
TEST_CASE("a stage that refuses the request passes the turn on and is never skipped for it") {
  Fixture f;
  bool refusing = true;
  auto picky = f.llm("llm", [&](const LlmRequest&) {
    return refusing ? refuse("the prompt is too long") : ok(R"({"text":"From the LLM."})");
  });
  f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("From the FAQ.")); });
  for (const char* text : {"one", "two", "three"}) {
    f.turn(text);
    CHECK(f.last_texts() == std::vector<std::string>{"From the FAQ."});
  }
  CHECK(picky->requests.size() == 3);  // asked every time: never skipped
  CHECK_FALSE(f.pipeline->is_skipped("llm"));
  refusing = false;
  f.turn("four");
  CHECK(f.last_texts() == std::vector<std::string>{"From the LLM."});
}

TEST_CASE("past the day's token budget the LLM is skipped, and the count survives a restart") {
  Fixture f;
  f.budget->set_daily_limit(100);
  f.budget->load();
  auto llm = f.llm("llm", [](const LlmRequest&) {
    return ok(R"({"text":"An answer.","usage":{"prompt_tokens":80,"completion_tokens":30}})");
  });
  f.turn("first");
  CHECK(f.last_texts() == std::vector<std::string>{"An answer."});
  CHECK(f.budget->used_today() == 110);
  f.turn("second");
  CHECK(llm->requests.size() == 1);
  CHECK(f.last().handoff);

  // A restart: a new budget reads the day's usage back from storage.
  f.ioc.restart();
  f.ioc.run();
  f.budget = std::make_shared<TokenBudget>(f.store, "t1", [&f] { return f.today; });
  f.budget->set_daily_limit(100);
  CHECK_FALSE(f.budget->allows_more());  // unknown until read back: never a guess
  f.ioc.restart();
  f.ioc.run();
  CHECK(f.budget->used_today() == 110);
  f.pipeline.reset();
  f.turn("third");
  CHECK(llm->requests.size() == 1);

  // A new day, a new budget.
  f.today = "2026-11-30";
  f.turn("fourth");
  CHECK(llm->requests.size() == 2);
}

TEST_CASE("a visitor asking for a human is handed off at once") {
  Fixture f;
  auto faq = f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("x")); });
  f.turn("I want to TALK TO A HUMAN now");
  CHECK(f.last().handoff);
  CHECK(f.last_texts() == std::vector<std::string>{"A person will help you."});
  f.turn("请帮我转人工");
  CHECK(f.last().handoff);
  CHECK(faq->requests.empty());
}

TEST_CASE(
    "an intent named in handoff_intents hands off, a stage's own hand-off keeps its "
    "group and reply") {
  Fixture f;
  SECTION("intent") {
    f.autoreply("intent", [](const AutoreplyRequest&) {
      return defer(R"({"context":{"intent":{"name":"human","confidence":0.93}}})");
    });
    auto faq = f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("x")); });
    f.turn("can someone real help me");
    CHECK(f.last().handoff);
    CHECK(faq->requests.empty());
  }
  SECTION("stage") {
    f.autoreply("flow", [](const AutoreplyRequest&) {
      return ok(R"({"reply":"Sending you to billing.","handoff":{"group":"billing"}})");
    });
    f.turn("invoice problem");
    CHECK(f.last().handoff);
    CHECK(f.last().handoff_group == "billing");
    CHECK(f.last_texts() == std::vector<std::string>{"Sending you to billing."});
  }
}

TEST_CASE(
    "a hand-off intent named unless_answered yields to a scored answer of a later stage, "
    "and hands off on anything else") {
  Fixture f;
  const auto unless_answered = [](const AutoreplyRequest&) {
    return defer(R"({"context":{"intent":{"name":"human","confidence":0.93,"faq_tag":"contact",)"
                 R"("handoff":"unless_answered"}}})");
  };
  SECTION("the knowledge base answers: the answer, not a person") {
    f.autoreply("intent", unless_answered);
    auto faq = f.autoreply("faq", [](const AutoreplyRequest&) {
      return ok(R"({"reply":"Mon-Fri 9-18.","score":0.8,"source":"faq.toml#opening-hours"})");
    });
    f.turn("周末有人工客服吗");
    CHECK_FALSE(f.last().handoff);
    CHECK(f.last_texts() == std::vector<std::string>{"Mon-Fri 9-18."});
    CHECK(f.last().stage == "faq");
    // bot.turn says which hand-off the answer came instead of.
    CHECK(boost::json::parse(f.last().instead_of_json) ==
          boost::json::parse(R"({"stage":"intent","intent":"human","confidence":0.93,)"
                             R"("action":"handoff"})"));
    CHECK(f.last().declined_json.empty());
    REQUIRE(faq->requests.size() == 1);
    CHECK(faq->requests[0].context_json.find("unless_answered") != std::string::npos);
  }
  SECTION("nothing answers: handed off for the intent, not as a bot miss") {
    f.autoreply("intent", unless_answered);
    f.autoreply("faq", [](const AutoreplyRequest&) { return defer(); });
    auto llm = f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"Sure!"})"); });
    f.turn("can a real person call me at 8pm");
    CHECK(f.last().handoff);
    CHECK(f.last().handoff_reason == "intent human from stage intent");
    CHECK(f.last().unanswered.empty());
    CHECK(f.last().instead_of_json.empty());
    CHECK(llm->requests.empty());  // the visitor asked for a person, not for the LLM
  }
  SECTION("a clarifying question or a flow is no answer instead of a person") {
    f.autoreply("intent", unless_answered);
    f.autoreply("faq", [](const AutoreplyRequest&) {
      return ok(R"({"reply":"Do you mean this?","quick_replies":["order status"],)"
                R"("score":0.7,"source":"clarify"})");
    });
    f.turn("a person about my order please");
    CHECK(f.last().handoff);
    CHECK(f.last().handoff_reason == "intent human from stage intent");
  }
  SECTION("without unless_answered the intent hands off before the knowledge base") {
    f.autoreply("intent", [](const AutoreplyRequest&) {
      return defer(R"({"context":{"intent":{"name":"human","confidence":0.93,)"
                   R"("faq_tag":"contact"}}})");
    });
    auto faq = f.autoreply("faq", [](const AutoreplyRequest&) { return ok(reply_json("x")); });
    f.turn("let me talk to someone");
    CHECK(f.last().handoff);
    CHECK(faq->requests.empty());
  }
}

TEST_CASE("ask_llm hands the turn to the LLM with the prompt, the FAQ context and the history") {
  Fixture f;
  f.settings.faq_context_entries = 1;
  f.autoreply("faq", [](const AutoreplyRequest&) {
    return defer(R"({"context":{"faq":[{"question":"Refund time?","answer":"5 days."},)"
                 R"({"question":"Other","answer":"Not this one."}]}})");
  });
  f.autoreply("flow", [](const AutoreplyRequest&) {
    return ok(R"({"reply":"Let me look that up.","ask_llm":true})");
  });
  f.autoreply("never", [](const AutoreplyRequest&) { return ok(reply_json("not asked")); });
  auto llm = f.llm("llm", [](const LlmRequest&) { return ok(R"({"text":"About 5 days."})"); });
  f.turn("when is my money back");

  REQUIRE(f.outcomes.size() == 2);
  CHECK(f.outcomes[0].replies[0].text == "Let me look that up.");
  CHECK(f.last_texts() == std::vector<std::string>{"About 5 days."});
  REQUIRE(llm->requests.size() == 1);
  const auto messages = boost::json::parse(llm->requests[0].messages_json).as_array();
  REQUIRE(messages.size() == 4);
  const std::string system(messages[0].at("content").as_string());
  CHECK(messages[0].at("role").as_string() == "system");
  CHECK(system.find("You help Acme's customers.") != std::string::npos);
  CHECK(system.find("5 days.") != std::string::npos);
  CHECK(system.find("Not this one.") == std::string::npos);
  CHECK(messages[1].at("role").as_string() == "user");
  CHECK(messages[2].at("role").as_string() == "assistant");
  CHECK(messages[3].at("content").as_string() == "when is my money back");
}

TEST_CASE("the outcome names the answering stage, its source, score and candidates") {
  Fixture f;
  f.autoreply("faq", [](const AutoreplyRequest&) {
    return ok(
        R"({"reply":"Shipping is $5.","score":0.8,"source":"demo/faq.toml#shipping-cost",)"
        R"("candidates":[{"id":"shipping-cost","score":0.8},{"id":"shipping-time","score":0.1}]})");
  });
  f.turn("how much is postage");
  CHECK(f.last().stage == "faq");
  CHECK(f.last().source == "demo/faq.toml#shipping-cost");
  CHECK(f.last().score == Approx(0.8));
  const auto candidates = boost::json::parse(f.last().candidates_json).as_array();
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0].as_object().at("id").as_string() == "shipping-cost");
}

TEST_CASE("a hand-off for lack of an answer names no stage but the FAQ's closest entries") {
  Fixture f;
  f.autoreply("faq", [](const AutoreplyRequest&) {
    return defer(R"({"context":{"faq":[{"id":"contact","question":"How can I contact you?",)"
                 R"("answer":"Write to us.","score":0.12,"source":"faq#contact"}]}})");
  });
  f.turn("what's the weather in Paris");
  CHECK(f.last().handoff);
  CHECK(f.last().stage.empty());
  const auto candidates = boost::json::parse(f.last().candidates_json).as_array();
  REQUIRE(candidates.size() == 1);
  CHECK(candidates[0].as_object().at("id").as_string() == "contact");
  CHECK(candidates[0].as_object().at("score").to_number<double>() == Approx(0.12));
}

TEST_CASE("a stage that declines says why, and the outcome names it with the stage") {
  Fixture f;
  f.autoreply("faq", [](const AutoreplyRequest&) {
    return defer(R"({"declined":{"why":"not_for_bot","example":"Return it to Amazon?",)"
                 R"("likeness":0.8}})");
  });
  f.turn("how do I return this to amazon");
  CHECK(f.last().handoff);
  CHECK(f.last().unanswered == "handed_off");
  const auto declined = boost::json::parse(f.last().declined_json).as_object();
  CHECK(declined.at("stage").as_string() == "faq");
  CHECK(declined.at("why").as_string() == "not_for_bot");
  CHECK(declined.at("example").as_string() == "Return it to Amazon?");
  // A stage that says nothing of the kind leaves it empty.
  Fixture other;
  other.autoreply("faq", [](const AutoreplyRequest&) { return defer(""); });
  other.turn("hello");
  CHECK(other.last().declined_json.empty());
}

TEST_CASE("what the bot missed is named for the unanswered list, a visitor's own ask is not") {
  Fixture f;
  f.settings.low_confidence = 0.5;
  f.autoreply("faq", [](const AutoreplyRequest& r) {
    if (r.text == "weak") return ok(R"({"reply":"Maybe this.","score":0.3,"source":"kb#a"})");
    if (r.text == "strong") return ok(R"({"reply":"Surely this.","score":0.9,"source":"kb#b"})");
    if (r.text == "which")
      return ok(
          R"({"reply":"Which one?","quick_replies":["A","B"],"score":0.3,"source":"clarify"})");
    if (r.text == "flow")
      return ok(R"({"reply":"Bye","handoff":true,"score":1,"source":"flow:order/human"})");
    return defer(R"({"context":{"faq":[{"id":"a","score":0.2}]}})");
  });
  f.turn("strong");
  CHECK(f.last().unanswered.empty());
  f.turn("weak");
  CHECK(f.last().unanswered == "low_confidence");
  CHECK(f.last_texts() == std::vector<std::string>{"Maybe this."});
  f.turn("no idea at all");
  CHECK(f.last().handoff);
  CHECK(f.last().unanswered == "handed_off");
  CHECK(f.last().candidates_json == R"([{"id":"a","score":2E-1}])");
  // Asking rather than guessing, a flow's own hand-off, a visitor asking for a person:
  // none is a miss.
  f.turn("which");
  CHECK(f.last().unanswered.empty());
  f.turn("flow");
  CHECK(f.last().unanswered.empty());
  f.turn("please, talk to a human");
  CHECK(f.last().handoff);
  CHECK(f.last().unanswered.empty());
  // Off by default: no "did this help?".
  CHECK_FALSE(f.last().feedback_asked);
}

TEST_CASE("feedback: did this help? after a scored answer, Yes thanks, No hands off") {
  Fixture f;
  f.settings.feedback = true;
  f.autoreply("faq", [](const AutoreplyRequest& r) {
    if (r.text == "which")
      return ok(
          R"({"reply":"Which one?","quick_replies":["A","B"],"score":0.3,"source":"clarify"})");
    if (r.text == "退款多久") return ok(R"({"reply":"五天。","score":0.9,"source":"kb#r"})");
    return ok(R"({"reply":"Five days.","score":0.9,"source":"kb#r"})");
  });
  f.turn("how long for a refund");
  REQUIRE(f.last().replies.size() == 2);
  CHECK(f.last().replies[1].text == "Did this help?");
  CHECK(f.last().replies[1].quick_replies == std::vector<std::string>{"Yes", "No"});
  CHECK(f.last().feedback_asked);
  // In Chinese for a turn in Chinese (the engine decides a turn's language:
  // reply_language, tested below and in unit_engine).
  f.language = "zh";
  f.turn("退款多久");
  REQUIRE(f.last().replies.size() == 2);
  CHECK(f.last().replies[1].quick_replies == std::vector<std::string>{"有帮助", "没有帮助"});
  f.language = "";
  // A clarifying question has its own choices.
  f.turn("which");
  CHECK(f.last().replies.size() == 1);
  CHECK_FALSE(f.last().feedback_asked);

  f.feedback_asked = true;
  f.turn("yes");
  CHECK(f.last_texts() == std::vector<std::string>{"Glad I could help."});
  CHECK_FALSE(f.last().handoff);
  CHECK(f.last().unanswered.empty());
  f.turn("No");
  CHECK(f.last_texts() ==
        std::vector<std::string>{"Sorry that did not help.", "A person will help you."});
  CHECK(f.last().handoff);
  CHECK(f.last().unanswered == "not_helpful");
  // Anything else is a question of its own.
  f.turn("and shipping?");
  CHECK(f.last_texts() == std::vector<std::string>{"Five days.", "Did this help?"});
}

TEST_CASE("the bot's own texts are said in the turn's language") {
  Fixture f;
  f.settings.handoff_reply = sb::LocalizedText(sb::LocalizedText::ByLanguage{
      {"en", "A person will help you."}, {"zh", "人工客服马上为您服务。"}});
  std::vector<std::string> asked_in;
  f.autoreply("faq", [&](const AutoreplyRequest& r) {
    asked_in.push_back(r.language);
    return defer();
  });
  f.language = "zh";
  f.turn("运费要多少钱");
  CHECK(asked_in.back() == "zh");
  CHECK(f.last_texts() == std::vector<std::string>{"人工客服马上为您服务。"});
  f.language = "zh-TW";  // no text of its own: Chinese
  f.turn("運費要多少錢");
  CHECK(asked_in.back() == "zh-TW");
  CHECK(f.last_texts() == std::vector<std::string>{"人工客服马上为您服务。"});
  f.language = "fr";  // none at all: English
  f.turn("combien coûte la livraison");
  CHECK(f.last_texts() == std::vector<std::string>{"A person will help you."});
}

TEST_CASE("the language of a message is told by its script, not guessed from one word") {
  CHECK(sb::reply_language("en", "我的订单在哪里") == "zh");
  CHECK(sb::reply_language("", "我的订单在哪里") == "zh");
  CHECK(sb::reply_language("zh-TW", "我的訂單在哪裡") == "zh-TW");
  CHECK(sb::reply_language("zh", "where is my order") == "en");
  CHECK(sb::reply_language("zh", "ok") == "zh");                 // one word says nothing
  CHECK(sb::reply_language("zh", "订单 A1234") == "zh");         // Chinese with a number
  CHECK(sb::reply_language("en", "注文はどこですか") == "en");   // Japanese: kana beside kanji
  CHECK(sb::reply_language("fr", "where is my order") == "fr");  // Latin script: not ours to tell
  CHECK(sb::reply_language("en", "Hello 你好") == "zh");
  CHECK(sb::reply_language("", "") == "");
}
