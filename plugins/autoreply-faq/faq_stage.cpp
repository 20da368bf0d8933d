#include "faq_stage.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "faq_loader.hpp"
#include "stage_config.hpp"

namespace switchboard::faq {
namespace {

namespace json = boost::json;

// Confidence as the admin reads it: three decimals are plenty.
double rounded(double confidence) {
  return std::round(confidence * 1000) / 1000;
}

// context.intent.faq_tag, when an earlier stage set one.
std::optional<std::string> tag_hint(std::string_view context_json) {
  boost::system::error_code ec;
  const auto context = json::parse(context_json, ec);
  if (ec || !context.is_object()) return std::nullopt;
  const auto* intent = context.as_object().if_contains("intent");
  if (!intent || !intent->is_object()) return std::nullopt;
  const auto* tag = intent->as_object().if_contains("faq_tag");
  if (!tag || !tag->is_string() || tag->as_string().empty()) return std::nullopt;
  return std::string(tag->as_string());
}

// context.intent.handoff = "unless_answered": autoreply-intent heard a request for a
// person in a message that says more, and only an entry with the intent's tag (about
// the human service) may answer instead.
bool person_unless_tagged(std::string_view context_json) {
  boost::system::error_code ec;
  const auto context = json::parse(context_json, ec);
  if (ec || !context.is_object()) return false;
  const auto* intent = context.as_object().if_contains("intent");
  const auto* mode =
      intent && intent->is_object() ? intent->as_object().if_contains("handoff") : nullptr;
  return mode && mode->is_string() && mode->as_string() == "unless_answered";
}

// context.flow_offers, when an earlier stage (autoreply-flow) made some; malformed
// ones are skipped.
std::vector<FlowOfferHint> flow_offers_in(std::string_view context_json) {
  std::vector<FlowOfferHint> out;
  boost::system::error_code ec;
  const auto context = json::parse(context_json, ec);
  if (ec || !context.is_object()) return out;
  const auto* offers = context.as_object().if_contains("flow_offers");
  if (!offers || !offers->is_array()) return out;
  for (const auto& item : offers->as_array()) {
    const auto* offer = item.if_object();
    if (!offer) continue;
    const auto* flow = offer->if_contains("flow");
    const auto* text = offer->if_contains("text");
    if (!flow || !flow->is_string() || !text || !text->is_string() || text->as_string().empty())
      continue;
    FlowOfferHint hint{std::string(flow->as_string()), {}, 0, 0, std::string(text->as_string())};
    if (const auto* intent = offer->if_contains("intent"); intent && intent->is_string())
      hint.intent = std::string(intent->as_string());
    if (const auto* confidence = offer->if_contains("confidence");
        confidence && confidence->is_number())
      hint.confidence = confidence->to_number<double>();
    if (const auto* rank = offer->if_contains("rank"); rank && rank->is_number())
      hint.rank = static_cast<std::size_t>(std::max(0.0, rank->to_number<double>()));
    out.push_back(std::move(hint));
  }
  return out;
}

// Reads every file, remembering where each entry came from, and the questions an
// admin dismissed in any of them.
std::vector<FaqEntry> load_all(const std::vector<std::string>& files,
                               const std::filesystem::path& config_dir,
                               std::vector<std::string>& sources,
                               std::vector<std::string>& not_for_bot) {
  std::vector<FaqEntry> all;
  std::map<std::string, std::string> file_of_id;
  for (const auto& name : files) {
    const auto path = autoreply::resolve_file(config_dir, name);
    auto file = load_faq(path);
    auto& entries = file.entries;
    not_for_bot.insert(not_for_bot.end(), file.not_for_bot.begin(), file.not_for_bot.end());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto& entry = entries[i];
      if (auto [it, inserted] = file_of_id.emplace(entry.id, name); !inserted) {
        throw FaqLoadError(path.string(), 0, "entries[" + std::to_string(i) + "].id",
                           "duplicate id '" + entry.id + "' (also in " + it->second + ")",
                           {"defined_twice", {{"other_file", it->second}}});
      }
      sources.push_back(name + "#" + entry.id);
      all.push_back(std::move(entry));
    }
  }
  return all;
}

// Words in the text, each Chinese (or other unsegmented) character counting as one.
std::size_t words_in(std::string_view text) {
  std::size_t words = 0;
  for (const auto& piece : text_pieces(text)) words += piece.unsegmented ? piece.chars.size() : 1;
  return words;
}

// The language to answer in: what the widget reported, else "zh" for a message in
// Chinese characters (the widget may not know; the visitor's words do), else "" (the
// entry's default answer).
std::string answer_language(std::string_view language, std::string_view text) {
  if (!language.empty()) return std::string(language);
  for (const auto& term : tokenize(text)) {
    if (is_cjk_term(term)) return "zh";
  }
  return {};
}

}  // namespace

FaqStageOptions read_faq_stage_options(std::string_view config_json) {
  const autoreply::StageConfig config(config_json);
  FaqStageOptions options;
  options.files = config.strings("files", true);
  options.threshold = config.number("threshold", options.threshold, 0, 1);
  options.context_entries = static_cast<std::size_t>(config.integer("context_entries", 3, 0, 20));
  options.synonyms = config.string("synonyms");
  options.clarify = config.boolean("clarify", true);
  options.long_message_words = static_cast<std::size_t>(config.integer(
      "long_message_words", static_cast<long long>(options.long_message_words), 0, 1000));
  options.long_message_threshold = config.number(
      "long_message_threshold", std::min(options.long_message_threshold, options.threshold), 0,
      options.threshold);
  options.clear_winner_threshold = config.number(
      "clear_winner_threshold", std::min(options.clear_winner_threshold, options.threshold), 0,
      options.threshold);
  options.second_look_band =
      config.number("second_look_band", options.second_look_band, 0, options.threshold);
  options.not_for_bot_likeness =
      config.number("not_for_bot_likeness", options.not_for_bot_likeness, 0, 1);
  options.flow_offers = config.boolean("flow_offers", options.flow_offers);
  options.flow_offer_alone = config.number("flow_offer_alone", options.flow_offer_alone, 0, 1);
  return options;
}

FaqStage::FaqStage(FaqStageOptions options, const std::filesystem::path& config_dir)
    : options_(std::move(options)),
      index_(load_all(options_.files, config_dir, sources_, not_for_bot_),
             index_options(options_, config_dir)) {
  if (options_.whose_thing && index_.analyzer()) {
    speaks_to_business_.reserve(index_.entries().size());
    for (const auto& entry : index_.entries())
      speaks_to_business_.push_back(std::any_of(
          entry.questions.begin(), entry.questions.end(),
          [&](const std::string& q) { return index_.analyzer()->speaks_to_business(q); }));
  }
  if (not_for_bot_.empty() || options_.not_for_bot_likeness <= 0) return;
  for (const auto& example : not_for_bot_)
    not_for_bot_weights_.push_back(index_.term_weights(example));
  for (const auto& entry : index_.entries()) {
    auto& weights = question_weights_.emplace_back();
    for (const auto& question : entry.questions) weights.push_back(index_.term_weights(question));
  }
}

FaqIndexOptions FaqStage::index_options(const FaqStageOptions& options,
                                        const std::filesystem::path& config_dir) {
  TextAnalyzerFiles files;
  if (!options.synonyms.empty())
    files.tenant_synonyms = autoreply::resolve_file(config_dir, options.synonyms);
  FaqIndexOptions index;
  index.analyzer = std::make_shared<const TextAnalyzer>(files);
  // Chosen on tests/bench/quality/dev.tsv (RESULTS.md, issue 15).
  index.cjk_unigram_weight = 1.0;
  index.clear_lead = 0.5;
  index.margin_weight = 0.7;
  index.unknown_word_weight = 3.0;
  index.phrase_weight = 0.5;
  index.broader_weight = 0.3;
  index.place_weight = options.place_weight;
  index.visitor_place_weight = options.visitor_place_weight;
  index.owner_check = true;
  index.unknown_non_noun_weight = 0.3;
  index.unknown_english_non_noun_weight = 0.5;
  index.cap_answer_only_synonyms = true;
  index.match_asks_when = true;
  index.only_when_answers_when = options.only_when_answers_when;
  index.verb_with_its_thing = options.verb_with_its_thing;
  index.times_of_acts_off_topic = options.times_of_acts_off_topic;
  return index;
}

namespace {

json::array candidates_json(const std::vector<FaqMatch>& candidates) {
  json::array out;
  for (const auto& c : candidates)
    out.push_back(json::object{{"id", c.entry_id}, {"score", rounded(c.confidence)}});
  return out;
}

// Whether the match answers what the message asks, judged among all candidates (a
// search within one tag sees only that tag's entries).
bool answers_the_ask(const FaqMatch& match, const std::vector<FaqMatch>& candidates) {
  for (const auto& c : candidates)
    if (c.entry_index == match.entry_index) return c.answers_the_ask;
  return true;
}

bool is_chinese_language(std::string_view language) {
  return language.substr(0, 2) == "zh";
}

}  // namespace

std::optional<std::string> FaqStage::request_part(std::string_view text) const {
  const auto clauses = clauses_of(text);
  if (clauses.size() < 2) return std::nullopt;
  std::string asking;
  bool tells = false;
  for (const auto clause : clauses) {
    // Where the visitor says they are ("I live in Brazil", 我在日本) is no story around
    // the question but where it is asked from: "can I order from you" there.
    if (asks_or_requests(text, clause) || places_the_visitor(clause)) {
      if (!asking.empty()) asking += ' ';
      asking += clause;
    } else if (words_in(clause) > 0) {
      tells = true;
    }
  }
  if (!tells || asking.empty()) return std::nullopt;
  return asking;
}

bool FaqStage::places_the_visitor(std::string_view clause) const {
  const auto* analyzer = index_.analyzer();
  return analyzer && options_.place_weight > 0 && options_.visitor_place_weight > 0 &&
         !analyzer->visitor_places(clause).empty();
}

bool FaqStage::request_points_elsewhere(std::string_view text, const FaqMatch& best) const {
  if (!options_.request_clause) return false;
  const auto request = request_part(text);
  if (!request) return false;
  const auto matches = index_.search(*request, 3);
  if (matches.empty()) return false;
  // The request's own best entry must share a thing with it in the visitor's own words
  // (no synonym, no typo), about its topic; then the whole message's best, when it is
  // not among the request's own candidates or shares no thing with it, owes its lead
  // to the context.
  const auto& top = matches.front();
  if (top.entry_index == best.entry_index || !top.shares_thing || !top.on_topic ||
      top.as_written < 1.0)
    return false;
  for (const auto& m : matches)
    if (m.entry_index == best.entry_index) return !m.shares_thing;
  return true;
}

bool FaqStage::about_another_owner(std::string_view text, const FaqMatch& best,
                                   const std::vector<FaqMatch>& candidates) const {
  const auto* analyzer = index_.analyzer();
  if (!options_.whose_thing || !analyzer || speaks_to_business_.empty() ||
      speaks_to_business_[best.entry_index] || !analyzer->speaks_of_business_thing(text))
    return false;
  for (const auto& other : candidates) {
    if (other.entry_index == best.entry_index || !speaks_to_business_[other.entry_index]) continue;
    std::vector<std::uint32_t> shared;
    std::set_intersection(best.topic_terms.begin(), best.topic_terms.end(),
                          other.topic_terms.begin(), other.topic_terms.end(),
                          std::back_inserter(shared));
    if (!shared.empty()) return true;
  }
  return false;
}

std::optional<FaqMatch> FaqStage::the_business_own(const FaqMatch& best,
                                                   const std::vector<FaqMatch>& candidates,
                                                   double threshold) const {
  if (!options_.business_own_instead) return std::nullopt;
  const FaqMatch* own = nullptr;
  double others = 0;  // the best score left beside it, best set aside
  for (const auto& c : candidates) {
    if (c.entry_index == best.entry_index) continue;
    std::vector<std::uint32_t> shared;
    std::set_intersection(best.topic_terms.begin(), best.topic_terms.end(), c.topic_terms.begin(),
                          c.topic_terms.end(), std::back_inserter(shared));
    if (!own && speaks_to_business_[c.entry_index] && !shared.empty()) {
      own = &c;
      continue;
    }
    others = std::max(others, c.score);
  }
  if (!own || !own->answers_the_ask || !own->on_topic) return std::nullopt;
  auto answer = *own;
  answer.confidence = index_.confidence_against(answer, others);
  if (answer.confidence < threshold) return std::nullopt;
  return answer;
}

bool FaqStage::explained_more_elsewhere(const FaqMatch& tagged, std::string_view tag,
                                        const std::vector<FaqMatch>& candidates) const {
  for (const auto& other : candidates) {
    const auto& tags = index_.entry(other).tags;
    if (std::find(tags.begin(), tags.end(), tag) != tags.end()) continue;
    if (other.score >= options_.clarify_ratio * tagged.score &&
        other.topic_terms.size() > tagged.topic_terms.size() &&
        std::includes(other.topic_terms.begin(), other.topic_terms.end(),
                      tagged.topic_terms.begin(), tagged.topic_terms.end()))
      return true;
  }
  return false;
}

bool FaqStage::misses_the_thing(const std::vector<FaqMatch>& close) const {
  return options_.clarify_unknown_thing > 0 && !close.empty() &&
         close.front().unknown_thing >= options_.clarify_unknown_thing &&
         std::none_of(close.begin(), close.end(),
                      [](const FaqMatch& m) { return m.speaks_of_unknown_thing; });
}

bool FaqStage::clear_winner(const std::vector<FaqMatch>& matches) const {
  if (matches.empty() || options_.clear_winner_threshold <= 0 ||
      options_.clear_winner_threshold >= options_.threshold)
    return false;
  const auto& best = matches.front();
  if (best.confidence < options_.clear_winner_threshold ||
      best.unknown_share >= options_.clear_winner_unknown_share || best.score <= 0)
    return false;
  if (matches.size() < 2) return true;
  const auto& second = matches[1];
  return 1.0 - second.score / best.score >= options_.clear_winner_lead &&
         second.coverage < options_.clear_winner_coverage_ratio * best.coverage;
}

bool FaqStage::meets_no_word_as_written(const FaqMatch& match) const {
  return options_.need_a_word_as_written && !match.meets_a_typed_word;
}

bool FaqStage::speaks_of_something_else(const FaqMatch& match) const {
  return options_.unknown_subject > 0 && match.unknown_subject >= options_.unknown_subject &&
         !match.shares_thing;
}

std::optional<FaqStage::DismissedLike> FaqStage::dismissed_like(
    std::string_view text, const std::vector<FaqMatch>& candidates) const {
  if (not_for_bot_weights_.empty() || candidates.empty()) return std::nullopt;
  const auto message = index_.term_weights(text);
  std::optional<DismissedLike> closest;
  for (std::size_t i = 0; i < not_for_bot_weights_.size(); ++i) {
    const double alike = likeness(message, not_for_bot_weights_[i]);
    if (alike >= options_.not_for_bot_likeness && (!closest || alike > closest->likeness))
      closest = DismissedLike{i, alike};
  }
  if (!closest) return std::nullopt;
  for (const auto& candidate : candidates)
    for (const auto& question : question_weights_[candidate.entry_index])
      if (likeness(message, question) >= closest->likeness) return std::nullopt;
  return closest;
}

FaqTurn FaqStage::decline(const DismissedLike& like) const {
  return {false, json::serialize(json::object{
                     {"declined", json::object{{"why", "not_for_bot"},
                                               {"example", not_for_bot_[like.example]},
                                               {"likeness", rounded(like.likeness)}}}})};
}

FaqTurn FaqStage::answer_with(const FaqMatch& match, std::string_view language,
                              const std::vector<FaqMatch>& candidates) const {
  return {true, json::serialize(json::object{{"reply", index_.entry(match).answer_in(language)},
                                             {"score", rounded(match.confidence)},
                                             {"source", sources_[match.entry_index]},
                                             {"candidates", candidates_json(candidates)}})};
}

// The question each option shows is one of the entry's own, in the visitor's
// language when it has one: choosing it sends exactly that, which then answers.
const FlowOfferHint* FaqStage::offer_to_show(const std::vector<FlowOfferHint>& offers) const {
  if (!options_.flow_offers) return nullptr;
  for (const auto& offer : offers)
    if (offer.rank <= options_.flow_offer_rank &&
        offer.confidence >= options_.flow_offer_confidence)
      return &offer;
  return nullptr;
}

FaqTurn FaqStage::clarify(const std::vector<FaqMatch>& close, std::string_view language,
                          const FlowOfferHint* offer) const {
  const bool chinese = is_chinese_language(language);
  json::array options;
  for (const auto& match : close) {
    const auto& questions = index_.entry(match).questions;
    std::string shown = questions.front();
    for (const auto& q : questions) {
      bool has_cjk = false;
      for (const auto& term : tokenize(q)) has_cjk = has_cjk || is_cjk_term(term);
      if (has_cjk == chinese) {
        shown = q;
        break;
      }
    }
    options.push_back(json::value(shown));
  }
  auto candidates = candidates_json(close);
  // The flow, as its keyword: sent back, it starts the flow, which asks what it needs.
  if (offer) {
    options.push_back(json::value(offer->text));
    candidates.push_back(json::object{{"id", "flow:" + offer->flow},
                                      {"score", rounded(offer->confidence)},
                                      {"intent", offer->intent}});
  }
  const char* reply = chinese ? "您想问的是哪一个？" : "Which of these do you mean?";
  return {true, json::serialize(json::object{{"reply", reply},
                                             {"quick_replies", std::move(options)},
                                             {"score", rounded(close.front().confidence)},
                                             {"source", "clarify"},
                                             {"candidates", std::move(candidates)}})};
}

FaqTurn FaqStage::reply(std::string_view text, std::string_view language,
                        std::string_view context_json) const {
  const auto answer_in = answer_language(language, text);
  const auto matches = index_.search(
      text, std::max<std::size_t>(std::max<std::size_t>(options_.context_entries, 3), 1));
  // An admin said a message like this is not for the bot: not from any entry, nor
  // from the intent's tag.
  if (const auto like = dismissed_like(text, matches)) return decline(*like);
  // The intent's tag breaks a near tie ("how long" is about refunds when the visitor
  // spoke of a refund) but never overrules a clear winner: "change my shipping
  // address" with the shipping intent is an address question.
  // Near means both in score and in how much of the message it explains: "收到货多久之内
  // 可以退" (how long after delivery can I return) with the shipping intent scores
  // close to the return entry but explains far less of it.
  const auto tag = tag_hint(context_json);
  const auto offers = flow_offers_in(context_json);
  if (tag && !matches.empty()) {
    if (auto tagged = index_.answer(text, options_.threshold, *tag);
        tagged && answers_the_ask(*tagged, matches) && !speaks_of_something_else(*tagged) &&
        !meets_no_word_as_written(*tagged) &&
        tagged->score >= options_.clarify_ratio * matches.front().score &&
        tagged->coverage >= options_.clarify_ratio * matches.front().coverage &&
        !explained_more_elsewhere(*tagged, *tag, matches) &&
        !about_another_owner(text, *tagged, matches) && !request_points_elsewhere(text, *tagged))
      return answer_with(*tagged, answer_in, matches);
  }
  // The visitor asked for a person: no other entry, no clarifying question, no flow.
  if (person_unless_tagged(context_json)) return defer(matches, answer_in);
  // Without such a tag (which says what the message is about: "how long" from a visitor
  // the intent stage heard ask for a refund), an entry that shares only words for what
  // kind of answer is wanted ("what time is it in London", 现在几点了) is not what the
  // message is about: no answer, no question.
  if (!matches.empty() && !matches.front().on_topic)
    return not_answered(matches, answer_in, offers);
  // Nor one that shares no thing with a message naming a specific thing the knowledge
  // base lacks that is not goods the shop may have sold ("how do I track a flight":
  // "track" is all the tracking entry shares; "I live in Australia, can you send it
  // there?" is not the return policy).
  if (!matches.empty() && speaks_of_something_else(matches.front()))
    return not_answered(matches, answer_in, offers);
  // Nor one that meets none of the message's words as written (or as meant, through a
  // typo's correction), only words WordNet relates to them: "Do you have an office I can
  // visit?" reached "Where can I see my tracking number?" through "visit" ~ see alone.
  if (!matches.empty() && meets_no_word_as_written(matches.front()))
    return not_answered(matches, answer_in, offers);
  // Nor one that answers another question about the same topic: "寄到国外要多久" (how long
  // to ship abroad) is not "可以寄到国外吗" (do you ship abroad) when another entry asks
  // 多久 too. A near tie still asks the visitor.
  if (!matches.empty() && !matches.front().answers_the_ask &&
      !(options_.clarify && matches.size() >= 2 &&
        matches[1].score >= options_.clarify_ratio * matches[0].score))
    return not_answered(matches, answer_in, offers);
  // Two entries about as close are a question to ask, not a guess to make.
  const bool near_tie =
      matches.size() >= 2 && matches[1].score >= options_.clarify_ratio * matches[0].score;
  // Unless the first explains clearly more of the message: "快递几天能到" scores close to
  // "退款一般几天能到账" through 几天 and 到, but the shipping entry explains far more of
  // it. Such a winner answers at the ordinary threshold (the long-message one is for a
  // clear lead in score as well).
  const bool explains_alike =
      near_tie && matches[1].coverage >= options_.clarify_ratio * matches[0].coverage;
  const bool long_message =
      options_.long_message_words > 0 && words_in(text) >= options_.long_message_words;
  const bool wins_on_coverage = near_tie && !explains_alike;
  const double threshold =
      long_message && !wins_on_coverage ? options_.long_message_threshold : options_.threshold;
  // An entry that does not answer what is asked is not answered, in a near tie either
  // (which asks the visitor, below): "发货了没" (has it shipped yet) is no question of
  // "还没发货可以取消吗" (can I cancel before it ships), however close their words.
  const bool may_answer = matches.empty() || matches.front().answers_the_ask;
  if (!matches.empty() && may_answer && matches.front().confidence >= threshold &&
      !(options_.clarify && explains_alike)) {
    if (request_points_elsewhere(text, matches.front()))
      return not_answered(matches, answer_in, offers);
    if (about_another_owner(text, matches.front(), matches)) {
      if (const auto own = the_business_own(matches.front(), matches, threshold))
        return answer_with(*own, answer_in, matches);
      return not_answered(matches, answer_in, offers);
    }
    return answer_with(matches.front(), answer_in, matches);
  }
  // A clear winner of a message the knowledge base knows (options_.clear_winner_*): what
  // keeps its confidence low is what the message says beside the entry's question, not
  // a thing the shop has no entry for.
  if (may_answer && clear_winner(matches)) {
    if (request_points_elsewhere(text, matches.front()) ||
        about_another_owner(text, matches.front(), matches))
      return not_answered(matches, answer_in, offers);
    return answer_with(matches.front(), answer_in, matches);
  }
  if (!matches.empty() && may_answer && !near_tie &&
      matches.front().confidence >= options_.threshold - options_.second_look_band &&
      matches.front().unknown_thing <= options_.second_look_unknown_thing &&
      matches.front().as_written >= options_.second_look_as_written)
    return answer_with(matches.front(), answer_in, matches);
  // Two (or three) close candidates that each explain most of the message: ask, unless
  // the message names a thing the knowledge base lacks that none of them speaks of,
  // not even by what it is an instance of: "我在澳大利亚，能下单吗" (I am in Australia, can
  // I order?) shares only 下单 with changing the address and the shipping time, and a
  // question offering those can have no right option.
  if (options_.clarify && near_tie && matches[0].coverage >= options_.clarify_coverage) {
    std::vector<FaqMatch> close{matches[0], matches[1]};
    if (matches.size() >= 3 && matches[2].score >= options_.clarify_ratio * matches[0].score)
      close.push_back(matches[2]);
    if (!misses_the_thing(close)) return clarify(close, answer_in, offer_to_show(offers));
  }
  return not_answered(matches, answer_in, offers);
}

FaqTurn FaqStage::not_answered(const std::vector<FaqMatch>& matches, const std::string& answer_in,
                               const std::vector<FlowOfferHint>& offers) const {
  // Alone, the flow is the intent stage's guess with nothing of the knowledge base
  // behind it: only for a message that shares with some entry a word about what it is
  // about (FaqMatch::on_topic), so a message about the shop. "what is the order of the
  // planets" (order_status 0.71 on "order") meets the entries only through "what is".
  const bool about_the_shop = std::any_of(matches.begin(), matches.end(),
                                          [](const FaqMatch& match) { return match.on_topic; });
  if (options_.flow_offers && options_.flow_offer_alone > 0 && about_the_shop)
    for (const auto& offer : offers)
      if (offer.rank == 0 && offer.confidence >= options_.flow_offer_alone)
        return ask_about(offer, answer_in);
  return defer(matches, answer_in);
}

// A question with one option: the flow, as its keyword.
FaqTurn FaqStage::ask_about(const FlowOfferHint& offer, std::string_view language) const {
  const char* reply = is_chinese_language(language) ? "您是指这个吗？" : "Do you mean this?";
  json::array candidates{json::object{{"id", "flow:" + offer.flow},
                                      {"score", rounded(offer.confidence)},
                                      {"intent", offer.intent}}};
  return {true,
          json::serialize(json::object{{"reply", reply},
                                       {"quick_replies", json::array{json::value(offer.text)}},
                                       {"score", rounded(offer.confidence)},
                                       {"source", "clarify"},
                                       {"candidates", std::move(candidates)}})};
}

FaqTurn FaqStage::defer(const std::vector<FaqMatch>& matches, const std::string& answer_in) const {
  if (matches.empty() || options_.context_entries == 0) return {};
  json::array entries;
  for (std::size_t i = 0; i < matches.size() && i < options_.context_entries; ++i) {
    const auto& match = matches[i];
    entries.push_back(json::object{{"id", match.entry_id},
                                   {"question", match.matched_question},
                                   {"answer", index_.entry(match).answer_in(answer_in)},
                                   {"score", rounded(match.confidence)},
                                   {"source", sources_[match.entry_index]}});
  }
  return {false, json::serialize(json::object{{"context", json::object{{"faq", entries}}}})};
}

}  // namespace switchboard::faq
