// What happens to a new conversation (and to one a bot hands over): the tenant's
// routing graph decides (routing_graph/evaluate.hpp, a pure function), and this
// carries the decision out: a group and strategy chain, the bot, a group's queue,
// a message to the visitor, an offline message. Without a graph, exactly what
// happened before there were graphs.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "engine/internal.hpp"
#include "routing_graph/evaluate.hpp"
#include "routing_graph/forms.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}

}  // namespace

std::string chain_key(const std::vector<std::string>& plugins) {
  std::string key;
  for (const auto& name : plugins) key += (key.empty() ? "" : ",") + name;
  return key;
}

void TenantEngine::set_routing_graph(std::shared_ptr<const routing_graph::Graph> graph,
                                     std::map<std::string, std::vector<RouterPtr>> rule_chains) {
  on_strand([this, graph = std::move(graph), chains = std::move(rule_chains)]() mutable {
    routing_graph_ = std::move(graph);
    rule_chains_ = std::move(chains);
    waited_thresholds_.clear();
    if (routing_graph_)
      for (const auto& rule : routing_graph_->rules)
        for (const auto& condition : rule.conditions)
          if (condition.type == routing_graph::ConditionType::waited)
            waited_thresholds_.push_back(condition.seconds);
    std::sort(waited_thresholds_.begin(), waited_thresholds_.end());
    waited_thresholds_.erase(std::unique(waited_thresholds_.begin(), waited_thresholds_.end()),
                             waited_thresholds_.end());
    if (ready_.load()) rewatch_rules();  // the waits now count against these rules
  });
}

const std::vector<RouterPtr>& TenantEngine::chain_of(const Conversation& c) const {
  if (!c.chain.empty())
    if (auto it = rule_chains_.find(c.chain); it != rule_chains_.end()) return it->second;
  return routing_chain_;
}

bool TenantEngine::group_available(const std::string& group) const {
  for (const auto& [id, agent] : agents_)
    if (agent.routable() &&
        std::find(agent.groups.begin(), agent.groups.end(), group) != agent.groups.end())
      return true;
  return false;
}

routing_graph::Context TenantEngine::decision_context(const Conversation& c) const {
  routing_graph::Context context;
  if (auto v = visitors_.find(c.visitor_id); v != visitors_.end()) {
    context.page_url = v->second.meta().page;
    context.language = v->second.meta().language;
    context.attributes = parse_object(v->second.meta().attributes_json);
  }
  // What a bot learned before it handed over counts too (a flow's captured values,
  // the intent it recognised).
  for (auto& [key, value] : parse_object(c.bot.attributes_json)) context.attributes[key] = value;
  if (const auto* intent = context.attributes.if_contains("intent"); intent && intent->is_string())
    context.intent = std::string(intent->get_string());
  context.first_message = c.first_message;
  context.now_wall_ms = wall_clock_ms();
  context.opened_wall_ms = c.created_ms;
  context.groups = &groups_;
  context.group_available = [this](const std::string& group) { return group_available(group); };
  context.bot_allowed = bot_ && !c.bot.handed_off;
  return context;
}

std::string TenantEngine::routing_attributes(const Conversation& c) const {
  json::object attributes;
  if (auto v = visitors_.find(c.visitor_id); v != visitors_.end()) {
    attributes = parse_object(v->second.meta().attributes_json);
    if (!v->second.meta().page.empty()) attributes["page"] = v->second.meta().page;
    if (!v->second.meta().language.empty()) attributes["lang"] = v->second.meta().language;
  }
  for (auto& [key, value] : parse_object(c.bot.attributes_json)) attributes[key] = value;
  // Only the host says who served the visitor last: a key of that name from the
  // website or a bot would let anyone pick their agent.
  attributes.erase("last_agent_id");
  if (const std::string* last = last_agent_by_visitor_.find(c.visitor_id))
    attributes["last_agent_id"] = *last;
  return json::serialize(attributes);
}

void TenantEngine::decide(Conversation& c) {
  if (c.status != ConversationStatus::queued) return;
  if (!routing_graph_ || routing_graph_->is_default()) return default_routing(c);
  const routing_graph::Decision decision =
      routing_graph::evaluate(*routing_graph_, decision_context(c));
  c.rules.push_back(decision.rule_id);
  publish_decision(c, decision, false);
  if (decision.actions.empty()) return default_routing(c);
  carry_out(c, decision.actions);
}

// Which rule decided, for the bus and the plugins' on_event (the dry run says the
// same ahead of time).
void TenantEngine::publish_decision(const Conversation& c, const routing_graph::Decision& decision,
                                    bool while_waiting) {
  spdlog::debug("tenant {}: {}: routing rule {} fired{}", tenant_id_, c.id, decision.rule_id,
                while_waiting ? " while it waited" : "");
  json::array actions;
  for (const auto& action : decision.actions) actions.emplace_back(to_string(action.type));
  publish(bus::event::kConversationDecided, c.id,
          json::serialize(json::object{{"conversation_id", c.id},
                                       {"rule", decision.rule_id},
                                       {"rule_index", decision.rule_index},
                                       {"actions", std::move(actions)},
                                       {"while_waiting", while_waiting}}));
}

// A rule's actions, in order, up to the final one.
void TenantEngine::carry_out(Conversation& c, const std::vector<routing_graph::Action>& actions) {
  using routing_graph::ActionType;
  // A message in the widget's language (the hello's meta.lang), else the plain text.
  std::string language;
  if (auto v = visitors_.find(c.visitor_id); v != visitors_.end())
    language = v->second.meta().language;
  for (const auto& action : actions) {
    switch (action.type) {
      case ActionType::message:
        post_system_message(c, action.text.in(language));
        break;
      case ActionType::route:
        if (!action.group.empty()) c.group = action.group;
        c.chain = chain_key(action.chain);
        return route(c.id, 0);
      case ActionType::bot:
        return start_bot(c, action.flow_node);
      case ActionType::queue:
        c.group = action.group;
        c.chain.clear();
        enqueue(c);
        return drain_queue();
      case ActionType::offline:
        // The visitor may go on writing; whoever comes online first answers.
        post_system_message(c, action.text.in(language));
        if (!action.group.empty()) c.group = action.group;
        c.chain.clear();
        enqueue(c);
        return drain_queue();
    }
  }
}

void TenantEngine::default_routing(Conversation& c) {
  if (policy_.bot_first && bot_ && !c.bot.handed_off) return start_bot(c, {});
  route(c.id, 0);
}

void TenantEngine::post_system_message(Conversation& c, const std::string& text) {
  const uint64_t seq = c.next_seq++;
  PendingMessage pending;
  StoredMessage& m = pending.message;
  m.conversation_id = c.id;
  m.message_id = new_id("m");
  m.seq = seq;
  m.sender_role = "system";
  m.sender_id = "system";
  m.text = text;
  m.ts_ms = wall_clock_ms();
  add_pending(c, seq, std::move(pending));
  write_message(c, seq);
}

AgentState* TenantEngine::choose_now(const std::string& group, const std::vector<RouterPtr>& chain,
                                     std::string attributes_json, std::string& note) {
  std::vector<Candidate> offered = candidates(group);
  if (offered.empty()) {
    note = group.empty() ? "nobody can take a conversation now: it would wait in the queue"
                         : "nobody in group " + group +
                               " can take a conversation now: it would wait in the queue";
    return nullptr;
  }
  // No conversation id: strategies answer without remembering anything (a rotation
  // does not advance) and without asking anyone (sb::routing::is_dry_run).
  RouteInput input;
  input.group = group;
  input.attributes_json = std::move(attributes_json);
  input.candidates = &offered;
  for (const auto& strategy : chain) {
    const RouteDecision d = strategy->route(input, [](std::optional<std::string>) {});
    if (d.kind == RouteDecision::Kind::chosen && d.index < offered.size())
      return find_agent(offered[d.index].agent_id);
    if (d.kind == RouteDecision::Kind::offer) {
      note = strategy->name() + " offers it to every eligible agent; the first to accept gets it";
      return nullptr;
    }
    if (d.kind == RouteDecision::Kind::pending) {
      note = strategy->name() + " decides later (it answers asynchronously)";
      return nullptr;
    }
  }
  note = "every strategy of the chain deferred: it would wait in the queue";
  return nullptr;
}

void TenantEngine::dry_run(DryRunInput input, std::function<void(Answer)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, input = std::move(input), done = std::move(done)] {
    // A conversation that is never stored: the context a real one would have.
    Conversation probe;
    probe.first_message = input.message;
    probe.created_ms = wall_clock_ms() - int64_t{input.waited_s} * 1000;
    routing_graph::Context context = decision_context(probe);
    context.page_url = input.page;
    context.language = input.language;
    context.attributes = parse_object(input.attributes_json);
    context.intent = input.intent;
    context.bot_allowed = bot_ && !input.after_bot;

    static const routing_graph::Graph kNoGraph;
    const routing_graph::Decision decision =
        routing_graph::evaluate(routing_graph_ ? *routing_graph_ : kNoGraph, context);
    json::array actions;
    for (const auto& action : decision.actions) actions.push_back(routing_graph::to_json(action));

    // Where the conversation would end up, and with whom, now.
    std::string group, note;
    std::vector<std::string> chain_names;
    const std::vector<RouterPtr>* chain = &routing_chain_;
    bool routes = decision.actions.empty() && !(policy_.bot_first && context.bot_allowed);
    if (decision.actions.empty() && !routes) note = "the bot takes it first";
    if (!decision.actions.empty()) {
      const auto& last = decision.actions.back();
      group = last.group;
      if (last.type == routing_graph::ActionType::route) {
        routes = true;
        if (auto it = rule_chains_.find(chain_key(last.chain));
            !last.chain.empty() && it != rule_chains_.end())
          chain = &it->second;
      } else if (last.type == routing_graph::ActionType::bot) {
        note = "the bot takes it";
      } else {
        note = "it waits in the queue" + (group.empty() ? std::string() : " of group " + group);
      }
    }
    json::value agent = nullptr;
    if (routes) {
      // What the strategies would see: the attributes asked about, page and language.
      json::object attributes = context.attributes;
      attributes.erase("last_agent_id");
      if (!input.page.empty()) attributes["page"] = input.page;
      if (!input.language.empty()) attributes["lang"] = input.language;
      if (AgentState* chosen = choose_now(group, *chain, json::serialize(attributes), note))
        agent = json::object{{"id", chosen->id}, {"name", chosen->name}};
    }
    for (const auto& strategy : *chain) chain_names.push_back(strategy->name());
    json::array chain_json;
    for (const auto& name : chain_names) chain_json.emplace_back(name);
    json::object body{{"rule", decision.rule_id},
                      {"rule_index", decision.rule_index},
                      {"actions", std::move(actions)},
                      {"agent", std::move(agent)}};
    if (routes) {
      body["group"] = group;
      body["chain"] = std::move(chain_json);
    }
    if (!note.empty()) body["note"] = note;
    done(Answer::json(json::serialize(body)));
  });
}

}  // namespace sb::engine
