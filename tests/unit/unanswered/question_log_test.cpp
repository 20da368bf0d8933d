// The unanswered questions as kept in the storage log and folded into the list.
#include "unanswered/question_log.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace sb::unanswered;
namespace json = boost::json;

namespace {

// A log entry as log_list gives it, from what the engine or the API appended.
json::value listed(const sb::records::LogEntry& entry, int64_t seq) {
  return json::object{{"seq", seq},
                      {"ts", entry.ts_ms},
                      {"kind", entry.kind},
                      {"actor", entry.actor},
                      {"data", json::parse(entry.data_json)}};
}

Occurrence asked(std::string question, std::string reason, std::string conversation) {
  return Occurrence{std::move(question),
                    "en",
                    std::move(conversation),
                    std::move(reason),
                    R"([{"id":"shipping","score":0.3}])",
                    "",
                    -1};
}

}  // namespace

TEST_CASE("questions are grouped by their words, not their case, spacing or closing marks") {
  CHECK(question_key("  Can I pay   by card?? ") == "can i pay by card");
  CHECK(question_key("退款多久？") == "退款多久");
  CHECK(question_key("Where is it ...") == "where is it");
  CHECK(question_key("Where is it") != question_key("Where was it"));
  CHECK(item_id("Can I pay by card?") == item_id("can i PAY by card"));
  CHECK(item_id("Can I pay by card?") != item_id("Can I pay by cash?"));
  CHECK(item_id("x").size() == 16);
}

TEST_CASE("the list: counted, newest first, with the status of the newest decision") {
  json::array asked_entries, resolved;
  // Newest first, as the storage lists them.
  asked_entries.push_back(
      listed(asked_entry(asked("can i pay by CARD", "not_helpful", "c3"), 300), 3));
  asked_entries.push_back(
      listed(asked_entry(asked("Do you ship to Mars?", "handed_off", "c2"), 200), 2));
  asked_entries.push_back(
      listed(asked_entry(asked("Can I pay by card?", "handed_off", "c1"), 100), 1));
  auto items = fold(asked_entries, resolved);
  REQUIRE(items.size() == 2);
  const auto& card = items[0];
  CHECK(card.at("question") == "Can I pay by card?");  // as first asked
  CHECK(card.at("count") == 2);
  CHECK(card.at("reason") == "not_helpful");
  CHECK(card.at("reasons") == json::object{{"handed_off", 1}, {"not_helpful", 1}});
  CHECK(card.at("first_at") == 100);
  CHECK(card.at("last_at") == 300);
  CHECK(card.at("conversations") == json::array{"c3", "c1"});
  CHECK(card.at("status") == "open");
  CHECK(items[1].at("question") == "Do you ship to Mars?");

  // Attached after the last ask: attached. Dismissed: dismissed.
  const std::string card_id(card.at("id").as_string());
  const std::string mars_id(items[1].at("id").as_string());
  resolved.push_back(
      listed(resolved_entry({mars_id, "dismissed", "", "", "root", "Root"}, 450), 5));
  resolved.push_back(
      listed(resolved_entry({card_id, "attached", "payment", "kb.toml", "root", "Root"}, 400), 4));
  items = fold(asked_entries, resolved);
  CHECK(items[0].at("status") == "attached");
  CHECK(items[0].at("resolution").at("entry_id") == "payment");
  CHECK(items[1].at("status") == "dismissed");

  // Missed again after it was attached: open again, the decision still shown; a
  // dismissed question stays dismissed.
  asked_entries.insert(asked_entries.begin(),
                       listed(asked_entry(asked("Can I pay by card", "handed_off", "c4"), 500), 6));
  asked_entries.insert(
      asked_entries.begin(),
      listed(asked_entry(asked("do you ship to mars", "handed_off", "c5"), 510), 7));
  items = fold(asked_entries, resolved);
  REQUIRE(items.size() == 2);
  CHECK(items[0].at("question") == "Do you ship to Mars?");
  CHECK(items[0].at("status") == "dismissed");
  CHECK(items[1].at("status") == "open");
  CHECK(items[1].at("count") == 3);
  CHECK(items[1].at("resolution").at("status") == "attached");

  // A dismissal undone: open, the undoing shown as the decision.
  resolved.insert(
      resolved.begin(),
      listed(resolved_entry({mars_id, "reopened", "", "kb.toml", "root", "Root"}, 520), 8));
  items = fold(asked_entries, resolved);
  CHECK(items[0].at("status") == "open");
  CHECK(items[0].at("resolution").at("status") == "reopened");
}
