// The bot's unanswered questions: what the bot handed off, answered with low
// confidence or heard "No" about is listed for the tenant's admins, who attach it to
// an entry, make a new entry of it or dismiss it (REST, admins of the tenant only),
// and the bot answers the next visitor from the changed knowledge base at once.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

constexpr const char* kKnowledgeBase = R"(# Acme's answers (kept as written by every edit)
[[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]
answer = { en = "We are open 9 to 5.", zh = "我们九点到五点营业。" }

[[entries]]
id = "shipping"
questions = [
  "Where do you ship to?",
  "Do you deliver abroad?",  # the most asked
]
answer = "We ship to every country on Earth."
)";

TenantSpec bot_tenant(const std::string& id, const std::string& bot_extra,
                      const std::string& threshold = "0.5") {
  TenantSpec tenant = id == "acme" ? acme_tenant() : globex_tenant();
  tenant.extra_toml = R"(
[bot]
pipeline = ["autoreply-faq"]
name = "Helper"
bot_first = true
handoff_reply = "Connecting you to a person."
)" + bot_extra + R"(
[plugins.autoreply-faq]
files = [")" + id + R"(/kb.toml"]
threshold = )" + threshold +
                      "\n";
  return tenant;
}

struct Setup {
  Deployment deployment;
  Setup(const std::string& acme_extra = "feedback = true\n", const std::string& globex_extra = "",
        const std::string& acme_threshold = "0.5",
        const std::string& acme_knowledge_base = kKnowledgeBase)
      : deployment(
            {bot_tenant("acme", acme_extra, acme_threshold), bot_tenant("globex", globex_extra)},
            DeploymentOptions{.start = false}) {
    for (const char* id : {"acme", "globex"}) {
      std::filesystem::create_directories(deployment.tenants_dir() / id);
      sb::test::write_file_atomically(
          deployment.tenants_dir() / id / "kb.toml",
          id == std::string("acme") ? acme_knowledge_base : std::string(kKnowledgeBase));
    }
    deployment.server().start();
  }

  sb::test::HttpResponse get(const std::string& token, const std::string& query = {},
                             const std::string& tenant = "acme") {
    return http_get(deployment.port(), "/v1/tenants/" + tenant + "/bot/unanswered" + query,
                    bearer(token));
  }
  sb::test::HttpResponse act(const std::string& token, const std::string& item,
                             const std::string& action, const std::string& body,
                             const std::string& tenant = "acme") {
    return http_request(deployment.port(), "POST",
                        "/v1/tenants/" + tenant + "/bot/unanswered/" + item + "/" + action, body,
                        bearer(token));
  }
  // The list once it has `count` items (the bot lists a question as it answers).
  json::array items(const std::string& token, std::size_t count, const std::string& query = {}) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    json::array items;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = get(token, query);
      REQUIRE(r.status == 200);
      items = json::parse(r.body).at("items").as_array();
      if (items.size() >= count) break;
      std::this_thread::sleep_for(50ms);
    }
    return items;
  }
  // The first item asked as `question` (by its normalised form), with `count` asks.
  json::object item_of(const std::string& token, const std::string& question, int64_t count = 1) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    json::array listed;
    while (std::chrono::steady_clock::now() < deadline) {
      listed = items(token, 0);
      for (const auto& i : listed)
        if (str(i.as_object(), "question") == question && num(i.as_object(), "count") >= count)
          return i.as_object();
      std::this_thread::sleep_for(50ms);
    }
    FAIL("no unanswered question '" << question << "' asked " << count
                                    << " times: " << json::serialize(listed));
    return {};
  }
};

std::string bot_text(VisitorSession& visitor) {
  return str(message_from(visitor.ws, "bot", 5000ms), "text");
}

// A new visitor asks; the bot's first reply.
std::string ask(Setup& setup, const std::string& question, std::string* conversation = nullptr) {
  auto visitor = setup.deployment.connect_visitor("acme");
  auto ack = visitor.send_message(question);
  if (conversation) *conversation = str(ack, "conversation_id");
  return bot_text(visitor);
}

// The tenant's audit log once it has an entry of action (they are stored after the
// answer): read until it is there, for a few seconds at most.
std::string audit_log_with(Setup& setup, const std::string& token, const std::string& action) {
  std::string log;
  for (const auto deadline = std::chrono::steady_clock::now() + 5s;
       log.find(action) == std::string::npos && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms))
    log = http_get(setup.deployment.port(), "/v1/tenants/acme/audit", bearer(token)).body;
  return log;
}

}  // namespace

TEST_CASE("a handed-off question is listed, attached to an entry, the bot answers it next time",
          "[bots][unanswered]") {
  Setup setup;
  const auto admin = setup.deployment.login("acme", "root");
  CHECK(setup.items(admin, 0).empty());

  std::string first_conversation;
  CHECK(ask(setup, "Can you send a parcel to Mars?", &first_conversation) ==
        "Connecting you to a person.");
  // The same question written differently (case, spacing, closing mark) is one item.
  CHECK(ask(setup, "can you send a parcel   to mars") == "Connecting you to a person.");
  const auto item = setup.item_of(admin, "Can you send a parcel to Mars?", 2);
  CHECK(num(item, "count") == 2);
  CHECK(str(item, "status") == "open");
  CHECK(str(item, "reason") == "handed_off");
  CHECK(num(obj(item, "reasons"), "handed_off") == 2);
  CHECK(num(item, "last_at") >= num(item, "first_at"));
  const auto& conversations = arr(item, "conversations");
  REQUIRE(conversations.size() == 2);
  CHECK(conversations[1].as_string() == first_conversation);
  const std::string id = str(item, "id");

  SECTION("admins of this tenant only") {
    CHECK(setup.get(setup.deployment.login("acme", "alice")).status == 403);
    CHECK(setup.get(setup.deployment.login("globex", "groot")).status == 403);
    CHECK(http_get(setup.deployment.port(), "/v1/tenants/acme/bot/unanswered").status == 401);
    const auto other = setup.deployment.login("globex", "groot");
    CHECK(setup.act(other, id, "dismiss", "").status == 403);
    CHECK(setup
              .act(setup.deployment.login("acme", "alice"), id, "attach",
                   R"({"entry_id":"shipping"})")
              .status == 403);
    // Globex's own list does not have Acme's question, nor can it act on it.
    auto theirs = setup.get(other, "", "globex");
    REQUIRE(theirs.status == 200);
    CHECK(json::parse(theirs.body).at("items").as_array().empty());
    CHECK(setup.act(other, id, "dismiss", "", "globex").status == 404);
    CHECK(str(setup.item_of(admin, "Can you send a parcel to Mars?", 2), "status") == "open");
  }

  SECTION("bad requests are refused and change nothing") {
    auto bad = setup.get(admin, "?status=solved");
    CHECK(bad.status == 422);
    CHECK_THAT(bad.body, Catch::Contains("\"field\":\"status\""));
    CHECK(setup.get(admin, "?reason=bored").status == 422);
    CHECK(setup.get(admin, "?limit=0").status == 422);
    CHECK(setup.get(admin, "?colour=red").status == 422);
    CHECK(setup.act(admin, "0123456789abcdef", "dismiss", "").status == 404);
    CHECK(setup.act(admin, id, "solve", "{}").status == 404);
    auto unknown_entry = setup.act(admin, id, "attach", R"({"entry_id":"nope"})");
    CHECK(unknown_entry.status == 422);
    CHECK_THAT(unknown_entry.body, Catch::Contains("entry_id"));
    CHECK(setup.act(admin, id, "attach", "not json").status == 400);
    CHECK(setup.act(admin, id, "create", R"({"answer":""})").status == 422);
    CHECK(setup.act(admin, id, "create", R"({"answer":"x","id":"hours"})").status == 409);
    CHECK(setup.act(admin, id, "create", R"({"answer":"x","id":"no spaces"})").status == 422);
    CHECK(sb::test::read_file(setup.deployment.tenants_dir() / "acme" / "kb.toml") ==
          kKnowledgeBase);
    CHECK(str(setup.item_of(admin, "Can you send a parcel to Mars?", 2), "status") == "open");
  }

  SECTION("attach: one more question of the entry, the file's comments kept") {
    auto attached = setup.act(admin, id, "attach", R"({"entry_id":"shipping"})");
    INFO(attached.body);
    REQUIRE(attached.status == 200);
    const auto done = json::parse(attached.body).as_object();
    CHECK(str(done, "status") == "attached");
    CHECK(str(obj(done, "resolution"), "entry_id") == "shipping");
    const auto kb = sb::test::read_file(setup.deployment.tenants_dir() / "acme" / "kb.toml");
    CHECK_THAT(kb, Catch::Contains("# Acme's answers (kept as written by every edit)"));
    CHECK_THAT(
        kb,
        Catch::Contains(
            R"("Do you deliver abroad?", 'Can you send a parcel to Mars?',  # the most asked)"));

    // The next visitor asking gets the entry's answer, then "did this help?".
    auto visitor = setup.deployment.connect_visitor("acme");
    visitor.send_message("Can you send a parcel to Mars?");
    CHECK(bot_text(visitor) == "We ship to every country on Earth.");
    auto feedback = message_from(visitor.ws, "bot", 5000ms);
    CHECK(str(feedback, "text") == "Did this help?");
    CHECK(arr(feedback, "quick_replies") == json::array{"Yes", "No"});

    // Listed as attached, filtered by status; an action on it again is a conflict.
    auto listed = setup.items(admin, 1, "?status=attached");
    REQUIRE(listed.size() == 1);
    CHECK(str(listed[0].as_object(), "id") == id);
    CHECK(setup.items(admin, 0, "?status=open").empty());
    CHECK(setup.act(admin, id, "dismiss", "").status == 409);

    // Recorded in the audit log.
    auto audit = http_get(setup.deployment.port(), "/v1/tenants/acme/audit", bearer(admin));
    CHECK_THAT(audit.body, Catch::Contains("unanswered.attached") &&
                               Catch::Contains("added to entry shipping"));
    // With the question and the entry as values, for pages in other languages.
    CHECK_THAT(
        audit.body,
        Catch::Contains(
            R"("object":{"kind":"question","text":"Can you send a parcel to Mars?"})") &&
            Catch::Contains(
                R"("detail":{"code":"question.attached","entry":"shipping","file":"acme/kb.toml"})"));

    // "No": listed again as not helpful (open again), and handed to a person.
    visitor.send_message("No");
    CHECK(bot_text(visitor) == "Sorry that did not help.");
    CHECK(bot_text(visitor) == "Connecting you to a person.");
    const auto again = setup.item_of(admin, "Can you send a parcel to Mars?", 3);
    CHECK(str(again, "status") == "open");
    CHECK(str(again, "reason") == "not_helpful");
    CHECK(num(obj(again, "reasons"), "not_helpful") == 1);
    CHECK(str(obj(again, "resolution"), "status") == "attached");
    CHECK(setup.items(admin, 1, "?reason=not_helpful").size() == 1);
  }

  SECTION("create: a new entry answering it, in two languages") {
    auto created = setup.act(
        admin, id, "create",
        R"({"id":"mars","answer":{"en":"Not yet: Earth only.","zh":"暂时只送地球。"},"tags":["shipping"]})");
    INFO(created.body);
    REQUIRE(created.status == 200);
    CHECK(str(json::parse(created.body).as_object(), "status") == "new_entry");
    CHECK(ask(setup, "Can you send a parcel to Mars?") == "Not yet: Earth only.");
    const auto kb = sb::test::read_file(setup.deployment.tenants_dir() / "acme" / "kb.toml");
    CHECK(kb.starts_with(kKnowledgeBase));
    auto audit = http_get(setup.deployment.port(), "/v1/tenants/acme/audit", bearer(admin));
    CHECK_THAT(audit.body, Catch::Contains("unanswered.created"));
    CHECK_THAT(
        audit.body,
        Catch::Contains(
            R"("detail":{"code":"question.new_entry","entry":"mars","file":"acme/kb.toml"})"));
  }

  SECTION("dismiss: kept as dismissed, out of the open list") {
    auto dismissed = setup.act(admin, id, "dismiss", "");
    REQUIRE(dismissed.status == 200);
    CHECK(str(json::parse(dismissed.body).as_object(), "status") == "dismissed");
    CHECK(setup.items(admin, 0, "?status=open").empty());
    // Asked again, it stays dismissed (counted).
    CHECK(ask(setup, "Can you send a parcel to Mars?") == "Connecting you to a person.");
    const auto later = setup.item_of(admin, "Can you send a parcel to Mars?", 3);
    CHECK(str(later, "status") == "dismissed");
    CHECK(setup.act(admin, id, "dismiss", "").status == 409);
  }
}

TEST_CASE("feedback: Yes is thanked and lists nothing, off by default", "[bots][unanswered]") {
  Setup setup("feedback = true\n", "");
  const auto admin = setup.deployment.login("acme", "root");
  auto visitor = setup.deployment.connect_visitor("acme", json::object{{"language", "zh-CN"}});
  visitor.send_message("营业时间");
  CHECK(bot_text(visitor) == "我们九点到五点营业。");
  auto feedback = message_from(visitor.ws, "bot", 5000ms);
  CHECK(str(feedback, "text") == "这个回答对您有帮助吗？");
  CHECK(arr(feedback, "quick_replies") == json::array{"有帮助", "没有帮助"});
  visitor.send_message("有帮助");
  CHECK(bot_text(visitor) == "很高兴能帮到您。");
  visitor.ws.expect_no_frame_of_type("conversation.queued", 300ms);
  CHECK(setup.items(admin, 0).empty());

  // Globex has not turned it on: an answer and nothing more.
  auto other = setup.deployment.connect_visitor("globex");
  other.send_message("When are you open?");
  CHECK(str(message_from(other.ws, "bot", 5000ms), "text") == "We are open 9 to 5.");
  other.ws.expect_no_frame_of_type("message", 500ms);
}

TEST_CASE("an answer below [bot] low_confidence is listed as low_confidence",
          "[bots][unanswered]") {
  // The FAQ answers from 0.2; every answer below 0.99 is listed: a question as
  // written in the entry scores 1, a looser wording less.
  Setup setup("low_confidence = 0.99\n", "", "0.2");
  const auto admin = setup.deployment.login("acme", "root");
  CHECK(ask(setup, "Where do you ship to?") == "We ship to every country on Earth.");
  CHECK(ask(setup, "deliver abroad to france") == "We ship to every country on Earth.");
  const auto item = setup.item_of(admin, "deliver abroad to france");
  CHECK(setup.items(admin, 1).size() == 1);
  CHECK(str(item, "reason") == "low_confidence");
  REQUIRE_FALSE(arr(item, "candidates").empty());
  CHECK(str(arr(item, "candidates")[0].as_object(), "id") == "shipping");
}

TEST_CASE(
    "a dismissed question teaches the bot: one like it is left alone, the entries still answer",
    "[bots][unanswered]") {
  // The demo shop's refund entry; the FAQ stage as shipped (threshold 0.3) answers a
  // question about another shop's refunds with it, for 申请退款.
  const std::string kb = R"(# Acme's answers
[[entries]]
id = "refund-how"
questions = ["How do I ask for a refund?", "I want a refund", "怎么申请退款", "我要退款", "退款在哪里申请"]
answer = { en = "Open the order and choose Request refund.", zh = "在订单里点击“申请退款”。" }

[[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]
answer = { en = "We are open 9 to 5.", zh = "我们九点到五点营业。" }
)";
  const std::string refund = "在订单里点击“申请退款”。";
  const std::string taobao = "淘宝怎么申请退款";
  Setup setup("feedback = true\n", "", "0.3", kb);
  const auto admin = setup.deployment.login("acme", "root");

  // Answered wrongly; the visitor says so, and it is listed.
  auto visitor = setup.deployment.connect_visitor("acme");
  visitor.send_message(taobao);
  REQUIRE(bot_text(visitor) == refund);
  CHECK(bot_text(visitor) == "这个回答对您有帮助吗？");
  visitor.send_message("没有帮助");
  CHECK(bot_text(visitor) == "抱歉没能帮到您。");
  CHECK(bot_text(visitor) == "Connecting you to a person.");
  // Listed as the answer went out (its score is below low_confidence), then as not helpful.
  const auto item = setup.item_of(admin, taobao, 2);
  CHECK(str(item, "reason") == "not_helpful");
  const std::string id = str(item, "id");

  // Dismissed: kept in the knowledge base's not_for_bot, the file otherwise as written.
  auto dismissed = setup.act(admin, id, "dismiss", "");
  INFO(dismissed.body);
  REQUIRE(dismissed.status == 200);
  CHECK(str(json::parse(dismissed.body).as_object(), "status") == "dismissed");
  const auto kb_path = setup.deployment.tenants_dir() / "acme" / "kb.toml";
  const auto written = sb::test::read_file(kb_path);
  CHECK_THAT(written, Catch::Contains("not_for_bot = ['" + taobao + "']"));
  CHECK_THAT(written, Catch::StartsWith("# Acme's answers\n"));
  CHECK_THAT(written, Catch::EndsWith(kb.substr(kb.find("[[entries]]"))));

  // At once: a new visitor asking it, or a paraphrase, gets a person, not the entry.
  CHECK(ask(setup, taobao) == "Connecting you to a person.");
  CHECK(ask(setup, "在淘宝上怎么申请退款") == "Connecting you to a person.");
  // The entry's own question and paraphrases of it still get its answer.
  CHECK(ask(setup, "怎么申请退款") == refund);
  CHECK(ask(setup, "退款怎么申请") == refund);
  CHECK(ask(setup, "How do I ask for a refund?") == "Open the order and choose Request refund.");
  // Recorded in the audit log (stored after the answer: read until it is there).
  const std::string audit = audit_log_with(setup, admin, "unanswered.dismissed");
  CHECK_THAT(audit, Catch::Contains("unanswered.dismissed") &&
                        Catch::Contains("not for the bot (acme/kb.toml)"));
  CHECK_THAT(audit,
             Catch::Contains(R"("detail":{"code":"question.dismissed","file":"acme/kb.toml"})"));

  SECTION("reopened: out of not_for_bot, open again, and the bot answers it as before") {
    CHECK(setup.act(admin, id, "dismiss", "").status == 409);
    auto reopened = setup.act(admin, id, "reopen", "");
    INFO(reopened.body);
    REQUIRE(reopened.status == 200);
    CHECK(str(json::parse(reopened.body).as_object(), "status") == "open");
    CHECK(str(setup.item_of(admin, taobao), "status") == "open");
    CHECK(sb::test::read_file(kb_path).find(taobao) == std::string::npos);
    CHECK(ask(setup, taobao) == refund);
    CHECK(setup.act(admin, id, "reopen", "").status == 409);
    const std::string log = audit_log_with(setup, admin, "unanswered.reopened");
    CHECK_THAT(
        log, Catch::Contains(R"("object":{"kind":"question","text":")" + taobao + "\"}") &&
                 Catch::Contains(R"("detail":{"code":"question.reopened","file":"acme/kb.toml"})"));
  }

  SECTION("it survives a restart") {
    setup.deployment.server().stop();
    setup.deployment.server().start();
    CHECK(ask(setup, taobao) == "Connecting you to a person.");
    CHECK(ask(setup, "怎么申请退款") == refund);
  }
}

TEST_CASE("two admins on one unanswered question: the second's stale decision is refused",
          "[bots][unanswered]") {
  Setup setup;
  const auto first = setup.deployment.login("acme", "root");
  const auto second = setup.deployment.login("acme", "root");
  const auto kb_path = setup.deployment.tenants_dir() / "acme" / "kb.toml";
  CHECK(ask(setup, "Can you send a parcel to Mars?") == "Connecting you to a person.");
  CHECK(ask(setup, "Do you sell gift cards?") == "Connecting you to a person.");
  // Both pages list the questions, each with its version.
  const auto mars = setup.item_of(second, "Can you send a parcel to Mars?");
  const auto cards = setup.item_of(second, "Do you sell gift cards?");
  const std::string mars_version = str(mars, "version");
  REQUIRE(mars_version.size() > 2);
  const auto act_from = [&](const std::string& token, const std::string& item,
                            const std::string& action, const std::string& body,
                            const std::string& version) {
    auto headers = bearer(token);
    headers.emplace_back("If-Match", version);
    return http_request(setup.deployment.port(), "POST",
                        "/v1/tenants/acme/bot/unanswered/" + item + "/" + action, body, headers);
  };

  // The first admin attaches Mars to shipping; the second, still on the old list,
  // dismisses it: refused with the question as it now is, nothing of the first's lost.
  REQUIRE(act_from(first, str(mars, "id"), "attach", R"({"entry_id":"shipping"})", mars_version)
              .status == 200);
  const auto kb_after_attach = sb::test::read_file(kb_path);
  CHECK_THAT(kb_after_attach, Catch::Contains("'Can you send a parcel to Mars?'"));
  auto stale = act_from(second, str(mars, "id"), "dismiss", "", mars_version);
  INFO(stale.body);
  CHECK(stale.status == 412);
  const auto error = json::parse(stale.body).at("error").as_object();
  CHECK(str(error, "code") == "question_changed");
  CHECK(str(obj(error, "current"), "status") == "attached");
  CHECK(str(obj(obj(error, "current"), "resolution"), "entry_id") == "shipping");
  CHECK(stale.headers["etag"] == str(obj(error, "current"), "version"));
  CHECK(act_from(second, str(mars, "id"), "create", R"({"answer":"No."})", mars_version).status ==
        412);
  CHECK(sb::test::read_file(kb_path) == kb_after_attach);
  CHECK(str(setup.item_of(second, "Can you send a parcel to Mars?"), "status") == "attached");

  // The knowledge base changed under the second admin's page (the first removed
  // shipping, added an entry): attaching to the removed entry is refused with
  // entry_gone; attaching to another entry adds the question to the file as it is
  // now, keeping the first's edit.
  std::string edited = kKnowledgeBase;
  edited = edited.substr(0, edited.find("[[entries]]\nid = \"shipping\"")) +
           "[[entries]]\nid = \"cards\"\nquestions = [\"Gift cards?\"]\nanswer = \"Yes, in "
           "store.\"\n";
  auto kb = http_get(setup.deployment.port(), "/v1/tenants/acme/kb", bearer(first));
  REQUIRE(kb.status == 200);
  auto headers = bearer(first);
  headers.emplace_back("If-Match", kb.headers["etag"]);
  REQUIRE(
      http_request(setup.deployment.port(), "PUT", "/v1/tenants/acme/kb", edited, headers).status ==
      200);
  const std::string cards_version = str(cards, "version");
  auto gone =
      act_from(second, str(cards, "id"), "attach", R"({"entry_id":"shipping"})", cards_version);
  INFO(gone.body);
  CHECK(gone.status == 422);
  CHECK(str(json::parse(gone.body).at("error").as_object(), "code") == "entry_gone");
  CHECK(sb::test::read_file(kb_path) == edited);
  REQUIRE(act_from(second, str(cards, "id"), "attach", R"({"entry_id":"cards"})", cards_version)
              .status == 200);
  const auto merged = sb::test::read_file(kb_path);
  CHECK_THAT(merged, Catch::Contains(R"(questions = ["Gift cards?", 'Do you sell gift cards?'])"));
  CHECK_THAT(merged, Catch::Contains("# Acme's answers (kept as written by every edit)"));
  CHECK_THAT(merged, !Catch::Contains("shipping"));
  // Without If-Match (scripts) an action on a decided question is the 409 it was.
  CHECK(setup.act(first, str(cards, "id"), "dismiss", "").status == 409);
}
