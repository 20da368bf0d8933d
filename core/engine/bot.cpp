// The bot's side of a conversation: the visitor's messages go to the tenant's
// auto-reply pipeline one at a time in seq order, the bot's replies are stored and
// fanned out like any other message (from.role "bot"), and the bot lets go (to a
// human through routing, or by closing) once its last replies are out. After that,
// or once a human holds the conversation, nothing the pipeline says is used.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/reply_language.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
// The stages see this many recent lines of the conversation.
constexpr size_t kBotHistoryLines = 12;
// A visitor who types faster than the bot answers is served from their latest words:
// beyond this many waiting messages, the oldest is not answered.
constexpr size_t kBotInboxLimit = 16;
// When the bot takes a conversation (or resumes after a restart) it reads back this
// many recent messages to find what it has not answered yet.
constexpr uint32_t kBotCatchUp = 32;

json::object parse_object_or_empty(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}
}  // namespace

void TenantEngine::set_bot(BotPipelinePtr bot) {
  on_strand([this, bot = std::move(bot)]() mutable { bot_ = std::move(bot); });
}

void TenantEngine::start_bot(Conversation& c, const std::string& flow_node) {
  if (c.status == ConversationStatus::bot || c.status == ConversationStatus::closed) return;
  if (c.status == ConversationStatus::assigned) {
    // A human holds it: the bot never talks over them.
    spdlog::warn("tenant {}: {} is with agent {}; not handing it to the bot", tenant_id_, c.id,
                 c.assignee);
    return;
  }
  if (!bot_ || c.bot.handed_off) {
    // No bot to hand it to, or the bot already gave up on it: never back and forth.
    return route(c.id, 0);
  }
  if (queue_.contains(c.id)) {
    leave_queue(c, false);
    notify_queue_positions();
  }
  c.status = ConversationStatus::bot;
  c.milestones.bot_took = true;
  c.bot.flow_node = flow_node;
  c.bot.turn_running = false;
  c.bot.exit = BotSession::Exit::none;
  ++c.bot.generation;
  persist_conversation(c);
  publish(bus::event::kConversationBotStarted, c.id,
          json::serialize(json::object{{"conversation_id", c.id}, {"flow_node", flow_node}}));
  bot_catch_up(c);
}

// Reads back the recent messages: the history the stages see, and the visitor's
// messages the bot has not answered yet (all of them when it just took over).
void TenantEngine::bot_catch_up(Conversation& c) {
  if (c.delivered_seq == 0) return;  // nothing stored yet: new messages come live
  store_->load_messages(
      c.id, 0, c.delivered_seq + 1, kBotCatchUp,
      [this, self = shared_from_this(), id = c.id,
       generation = c.bot.generation](StoreResult result) {
        Conversation* c = find_conversation(id);
        if (!c || c->status != ConversationStatus::bot || c->bot.generation != generation) return;
        auto messages = result.ok() ? parse_stored_messages(result.body, id) : std::nullopt;
        if (!messages) {
          // Without its messages the bot cannot answer: a human must, rather than nobody.
          spdlog::error("tenant {}: the bot cannot read {} back ({}); handing it to a human",
                        tenant_id_, id, result.error);
          return bot_hands_off(*c, "the bot cannot read the conversation back");
        }
        for (const auto& m : *messages)
          if (!(m.flags & kPrivateNote)) bot_saw(*c, m);
      });
}

void TenantEngine::bot_saw(Conversation& c, const StoredMessage& m) {
  BotSession& bot = c.bot;
  bot.history[m.seq] = BotLine{m.seq, m.sender_role, m.text};
  while (bot.history.size() > kBotHistoryLines) bot.history.erase(bot.history.begin());
  // A message of files alone gives the bot nothing to read.
  if (m.sender_role != "visitor" || m.text.empty() || m.seq <= bot.answered_seq ||
      (bot.turn_running && m.seq <= bot.turn_seq))
    return;
  bot.inbox.emplace(m.seq, m.text);
  while (bot.inbox.size() > kBotInboxLimit) {
    spdlog::warn("tenant {}: {}: the bot skips message {} (the visitor wrote faster)", tenant_id_,
                 c.id, bot.inbox.begin()->first);
    bot.inbox.erase(bot.inbox.begin());
  }
  // Never from inside the delivery loop: the turn may answer and change the conversation.
  on_strand([this, id = c.id] { pump_bot(id); });
}

// Starts the next turn when none is running: one visitor message at a time.
void TenantEngine::pump_bot(const std::string& conversation_id) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status != ConversationStatus::bot || c->bot.turn_running ||
      c->bot.exit != BotSession::Exit::none || c->bot.inbox.empty())
    return;
  if (!bot_) {
    spdlog::warn("tenant {}: {} was with the bot, which the tenant no longer has; routing it",
                 tenant_id_, c->id);
    return bot_hands_off(*c, "the tenant no longer has a bot");
  }
  BotSession& bot = c->bot;
  auto next = bot.inbox.begin();
  BotTurn turn;
  turn.conversation_id = c->id;
  turn.visitor_id = c->visitor_id;
  turn.seq = next->first;
  turn.text = std::move(next->second);
  bot.inbox.erase(next);
  // The language the bot answers in: the message's where its script says so, else
  // the conversation's so far (an order number typed after a Chinese question gets a
  // Chinese answer) while the page's stays as it was, else the widget's from the
  // visitor's latest hello (a visitor who switched the page's language meant it).
  // The unanswered list keeps it too.
  std::string page_language;
  if (auto v = visitors_.find(c->visitor_id); v != visitors_.end())
    page_language = v->second.meta().language;
  const bool page_unchanged = page_language == bot.turn_page_language;
  turn.language = reply_language(
      page_unchanged && !bot.turn_language.empty() ? bot.turn_language : page_language, turn.text);
  bot.turn_page_language = std::move(page_language);
  turn.attributes_json = bot.attributes_json;
  turn.feedback_asked = bot.feedback_for.has_value();
  bot.turn_text = turn.text;
  bot.turn_language = turn.language;
  turn.flow_node = std::exchange(bot.flow_node, {});
  turn.state = bot.state;
  for (const auto& [seq, line] : bot.history)
    if (seq < turn.seq) turn.history.push_back(line);
  bot.turn_running = true;
  bot.turn_seq = turn.seq;
  bot_->run_turn(std::move(turn), [this, self = shared_from_this(), id = c->id,
                                   generation = bot.generation](BotOutcome outcome) {
    on_strand([this, id, generation, outcome = std::move(outcome)]() mutable {
      on_bot_outcome(id, generation, std::move(outcome));
    });
  });
}

void TenantEngine::on_bot_outcome(const std::string& conversation_id, uint64_t generation,
                                  BotOutcome outcome) {
  Conversation* c = find_conversation(conversation_id);
  // The bot let go, a human took over, or the conversation closed meanwhile: a late
  // answer is dropped, never shown.
  if (!c || c->status != ConversationStatus::bot || c->bot.generation != generation ||
      c->bot.exit != BotSession::Exit::none)
    return;
  BotSession& bot = c->bot;
  size_t replies = 0;
  for (auto& reply : outcome.replies) {
    if (reply.text.empty()) continue;
    post_bot_message(*c, std::move(reply));
    ++replies;
  }
  const char* result = !outcome.final    ? "interim"
                       : outcome.handoff ? "handoff"
                       : outcome.close   ? "close"
                                         : "answered";
  json::object turn_event{
      {"conversation_id", c->id}, {"seq", bot.turn_seq}, {"replies", replies}, {"outcome", result}};
  // Which stage decided and on what grounds, so an admin can see why the bot said it.
  if (!outcome.stage.empty()) turn_event["stage"] = outcome.stage;
  if (!outcome.source.empty()) turn_event["source"] = outcome.source;
  if (outcome.score >= 0) turn_event["score"] = outcome.score;
  if (!outcome.candidates_json.empty()) {
    boost::system::error_code ec;
    auto candidates = json::parse(outcome.candidates_json, ec);
    if (!ec && candidates.is_array()) turn_event["candidates"] = std::move(candidates);
  }
  // A stage that would not answer because an admin said such questions are not the bot's.
  if (!outcome.declined_json.empty()) {
    boost::system::error_code ec;
    auto declined = json::parse(outcome.declined_json, ec);
    if (!ec && declined.is_object()) turn_event["declined"] = std::move(declined);
  }
  // An answer that came instead of an earlier stage's action (a hand-off intent).
  if (!outcome.instead_of_json.empty()) {
    boost::system::error_code ec;
    auto instead_of = json::parse(outcome.instead_of_json, ec);
    if (!ec && instead_of.is_object()) turn_event["instead_of"] = std::move(instead_of);
  }
  publish(bus::event::kBotTurn, c->id, json::serialize(turn_event));
  for (auto& [stage, value] : outcome.state) {
    if (value) {
      bot.state[stage] = std::move(*value);
    } else {
      bot.state.erase(stage);
    }
  }
  if (!outcome.set_attributes_json.empty()) {
    json::object merged = parse_object_or_empty(bot.attributes_json);
    for (auto& [key, value] : parse_object_or_empty(outcome.set_attributes_json))
      merged[key] = value;
    bot.attributes_json = json::serialize(merged);
  }
  if (!outcome.final) return;

  bot.turn_running = false;
  bot.answered_seq = std::max(bot.answered_seq, bot.turn_seq);
  note_unanswered(*c, outcome);
  if (outcome.handoff) {
    if (!outcome.handoff_group.empty()) c->group = outcome.handoff_group;
    return bot_hands_off(
        *c, outcome.handoff_reason.empty() ? "no reason given" : outcome.handoff_reason);
  }
  if (outcome.close) return bot_lets_go(*c, BotSession::Exit::close);
  // Stored after the replies (storage keeps order): a restart answers nothing twice.
  persist_conversation(*c);
  pump_bot(c->id);
}

// Lists the turn's question for the admins when the bot missed it (outcome.unanswered),
// and remembers what a "did this help?" is about. Appended without waiting: a
// failure is logged and never holds the conversation up.
void TenantEngine::note_unanswered(Conversation& c, const BotOutcome& outcome) {
  BotSession& bot = c.bot;
  std::optional<unanswered::Occurrence> asked;
  if (outcome.unanswered == "not_helpful") {
    asked = std::exchange(bot.feedback_for, std::nullopt);
  } else if (!outcome.unanswered.empty() || outcome.feedback_asked) {
    asked = unanswered::Occurrence{bot.turn_text,           bot.turn_language, c.id,         "",
                                   outcome.candidates_json, outcome.source,    outcome.score};
  }
  if (outcome.unanswered != "not_helpful")
    bot.feedback_for = outcome.feedback_asked ? asked : std::nullopt;
  if (!asked || outcome.unanswered.empty() || asked->question.empty()) return;
  asked->reason = outcome.unanswered;
  store_->log_append(unanswered::asked_entry(*asked, wall_clock_ms()),
                     [this, self = shared_from_this(), id = c.id](StoreResult r) {
                       if (!r.ok())
                         spdlog::warn("tenant {}: {}: the unanswered question was not listed: {}",
                                      tenant_id_, id, r.error);
                     });
}

void TenantEngine::post_bot_message(Conversation& c, BotReply reply) {
  const uint64_t seq = c.next_seq++;
  PendingMessage pending;
  StoredMessage& m = pending.message;
  m.conversation_id = c.id;
  m.message_id = new_id("m");
  m.seq = seq;
  m.sender_role = "bot";
  m.sender_id = "bot";
  m.sender_name = bot_ ? bot_->display_name(c.bot.turn_language) : "Bot";
  m.text = std::move(reply.text);
  m.ts_ms = wall_clock_ms();
  pending.quick_replies = std::move(reply.quick_replies);
  add_pending(c, seq, std::move(pending));
  write_message(c, seq);
}

// Nothing more from the bot in this conversation; what it already said goes out
// first, then the conversation moves on (bot_after_delivery).
void TenantEngine::bot_lets_go(Conversation& c, BotSession::Exit exit) {
  BotSession& bot = c.bot;
  ++bot.generation;
  bot.turn_running = false;
  bot.inbox.clear();
  if (exit == BotSession::Exit::handoff) bot.handed_off = true;
  bot.exit = exit;
  bot.exit_after_seq = c.next_seq - 1;
  bot_after_delivery(c);
}

void TenantEngine::bot_hands_off(Conversation& c, const std::string& reason) {
  spdlog::info("tenant {}: the bot hands {} to a human ({})", tenant_id_, c.id, reason);
  publish(bus::event::kConversationBotHandedOff, c.id,
          json::serialize(
              json::object{{"conversation_id", c.id}, {"reason", reason}, {"group", c.group}}));
  bot_lets_go(c, BotSession::Exit::handoff);
}

void TenantEngine::bot_after_delivery(Conversation& c) {
  if (c.bot.exit == BotSession::Exit::none || c.delivered_seq < c.bot.exit_after_seq) return;
  const auto exit = std::exchange(c.bot.exit, BotSession::Exit::none);
  if (exit == BotSession::Exit::close) return close(c, "bot");
  // Queued first: routing places it (and tells the visitor their position when
  // nobody can take it now), so a hand-off never ends in silence.
  c.status = ConversationStatus::queued;
  decide(c);
}

json::object bot_record(const BotSession& bot) {
  json::object state;
  for (const auto& [stage, value] : bot.state) state[stage] = value;
  return json::object{{"flow_node", bot.flow_node},
                      {"state", std::move(state)},
                      {"attributes", parse_object_or_empty(bot.attributes_json)},
                      {"answered_seq", bot.answered_seq},
                      {"handed_off", bot.handed_off}};
}

BotSession parse_bot_record(const json::value& record) {
  BotSession bot;
  if (!record.is_object()) return bot;
  const auto& o = record.get_object();
  if (const auto* v = o.if_contains("flow_node"); v && v->is_string())
    bot.flow_node = std::string(v->get_string());
  if (const auto* v = o.if_contains("state"); v && v->is_object())
    for (const auto& [stage, value] : v->get_object())
      if (value.is_string()) bot.state[std::string(stage)] = std::string(value.get_string());
  if (const auto* v = o.if_contains("attributes"); v && v->is_object())
    bot.attributes_json = json::serialize(*v);
  if (const auto* v = o.if_contains("answered_seq")) {
    boost::system::error_code ec;
    const auto seq = v->to_number<uint64_t>(ec);
    if (!ec) bot.answered_seq = seq;
  }
  if (const auto* v = o.if_contains("handed_off"); v && v->is_bool())
    bot.handed_off = v->get_bool();
  return bot;
}

}  // namespace sb::engine
