// bot_quality: the bot's answer quality and reply time, measured on a question set
// through the real pipeline: the tenant file is loaded as the server loads it, its
// [bot] plugins (.so) are instantiated by the real plugin host and run by core/bots'
// Pipeline, one new conversation per question. Nothing is faked but, with --llm,
// the language model (tests/support/fake_openai, answering what the set expects).
//
//   bot_quality --set tests/bench/quality/heldout.tsv [--failures] [--llm]
//   bot_quality --latency-entries 1000 [--runs 2000]
//   bot_quality --set heldout6.tsv --attach dev.tsv --attach dev_long.tsv --attach-share 0.25
//   bot_quality --set heldout6.tsv --dismiss dev.tsv --dismiss dev_long.tsv --dismiss-share 0.5
//
// --attach: the learning loop of the unanswered questions (core/unanswered, the
// admin API's "attach"): before the bot starts, a share of the answerable questions
// of the given sets is added to the questions of the entry they expect, the way an
// admin's attach edits the knowledge base (api/kb_text.hpp's kb_with_question on a
// copy of the tenant's file, nothing added that the entry already has as written, a
// question attached once however often it is asked). The share is taken per entry
// from a seeded shuffle of that entry's questions, so smaller shares are subsets of
// larger ones; "0.5-1" takes the other half (cross-validation with --skip-attached).
//
// --dismiss: the admin's other answer to the list: "not a question for the bot"
// (POST .../dismiss), which adds the question to the knowledge base's not_for_bot
// (api/kb_text.hpp's kb_with_not_for_bot, on the same copy, after any attach). A
// share of the given sets' off-topic questions is dismissed, taken from a seeded
// shuffle of them; only those that reach the admin's list with the knowledge base
// as it is by then (attached questions included): handed off, answered below
// low_confidence, or answered at all (an off-topic answer is wrong: the visitor's
// "No"); with --dismiss-answered-only, only the answered ones (a handed-off question
// teaches the bot nothing it did not do). --skip-dismissed leaves them out of the
// measured sets.
//
// A set line is "expected<TAB>question": a knowledge-base entry id (alternatives
// with |, flow:NAME for a dialog flow) or "-" for a question the bot should leave
// alone (off-topic or not in the knowledge base). Outcomes, per language:
//   right        answered with (one of) the expected entries or flows
//   clarified    asked which entry was meant, the expected one among the options
//   wrong        answered with anything else (or asked, without the right option)
//   unanswered   handed to a human without an answer
//   left alone   (off-topic) handed over without an answer; else "answered"
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/kb_text.hpp"
#include "bots/pipeline.hpp"
#include "common/config_error.hpp"
#include "plugin_host/plugin_host.hpp"
#include "server/plugin_adapters.hpp"
#include "server/tenant_runtime.hpp"
#include "support/fake_openai.hpp"
#include "support/temp_dir.hpp"
#include "tenants/tenant_loader.hpp"
#include "unanswered/question_log.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct Question {
  std::vector<std::string> expected;  // empty: should be left alone
  std::string text;
  bool chinese = false;
};

bool has_cjk(const std::string& text) {
  // Any 3-byte UTF-8 sequence starting E3..E9 is CJK punctuation, kana or ideographs.
  for (unsigned char c : text)
    if (c >= 0xE3 && c <= 0xE9) return true;
  return false;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

std::vector<Question> read_set(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::vector<Question> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error(file + ": no tab in: " + line);
    Question q;
    const std::string expected = line.substr(0, tab);
    if (expected != "-") q.expected = split(expected, '|');
    q.text = line.substr(tab + 1);
    q.chinese = has_cjk(q.text);
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<Question> read_sets(const std::vector<std::string>& files) {
  std::vector<Question> out;
  for (const auto& file : files) {
    auto questions = read_set(file);
    out.insert(out.end(), std::make_move_iterator(questions.begin()),
               std::make_move_iterator(questions.end()));
  }
  return out;
}

// "0.25" (the first quarter of each entry's questions) or "0.5-1" (the second half).
std::pair<double, double> parse_share(const std::string& share) {
  const auto dash = share.find('-');
  double from = 0, to = 0;
  try {
    std::size_t used = 0;
    if (dash == std::string::npos) {
      to = std::stod(share, &used);
      if (used != share.size()) throw std::invalid_argument(share);
    } else {
      from = std::stod(share.substr(0, dash), &used);
      if (used != dash) throw std::invalid_argument(share);
      to = std::stod(share.substr(dash + 1), &used);
      if (used != share.size() - dash - 1) throw std::invalid_argument(share);
    }
  } catch (const std::logic_error&) {
    throw std::runtime_error("--attach-share must be a share (0.25) or a range (0.5-1), not '" +
                             share + "'");
  }
  if (!(0 <= from && from <= to && to <= 1))
    throw std::runtime_error("--attach-share must lie within 0..1, from <= to: '" + share + "'");
  return {from, to};
}

// The [from, to) share of a list after a seeded shuffle: Fisher-Yates with the
// generator's raw output, so the same subsets on every platform, and smaller shares
// subsets of larger ones.
std::vector<const Question*> share_of(std::vector<const Question*> list,
                                      std::pair<double, double> share, std::mt19937& rng) {
  for (std::size_t i = list.size(); i > 1; --i) std::swap(list[i - 1], list[rng() % i]);
  const auto at = [&](double f) { return static_cast<std::size_t>(f * list.size() + 0.5); };
  return {list.begin() + at(share.first), list.begin() + at(share.second)};
}

// Whether the list has the question as written (unanswered::question_key), as the
// admin API checks before it adds one.
bool has_question(const std::vector<std::string>& list, const std::string& key) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& q) { return sb::unanswered::question_key(q) == key; });
}

// What --attach did, for the report.
// What --attach and --dismiss both count.
struct AdminCounts {
  // unanswered::question_key of each question in the share, acted on or not
  std::set<std::string> keys;
  int already = 0;     // in the share, but the file (or an earlier action) had it
  int not_listed = 0;  // in the share, but never in the admin's list
};

// Whether an admin acts on a question of the share: the first time it comes up, when
// the list shows it (listed) and the file does not have it yet (existing, as written).
bool admin_acts_on(const Question& q, const std::function<bool(const Question&)>& listed,
                   const std::vector<std::string>& existing, AdminCounts& counts) {
  const auto key = sb::unanswered::question_key(q.text);
  const bool seen = !counts.keys.insert(key).second;
  if (!seen && !listed(q)) {
    ++counts.not_listed;
    return false;
  }
  if (seen || has_question(existing, key)) {
    ++counts.already;
    return false;
  }
  return true;
}

struct Attachment : AdminCounts {
  std::map<std::string, int> per_entry;
  int offered = 0;    // answerable questions of the sets that an entry could take
  int not_entry = 0;  // expecting a flow: nothing an admin can attach them to
};

// The knowledge-base text after an admin attached the chosen questions, one attach at
// a time through the same edit the admin API makes.
// listed: whether the question reaches the admin's list at all (--attach-listed);
// dry_run: choose, count, but change nothing (the same questions measured without).
std::string attach_questions(std::string kb_text, const std::vector<Question>& questions,
                             std::pair<double, double> share, uint32_t seed,
                             const std::function<bool(const Question&)>& listed, bool dry_run,
                             Attachment& done) {
  std::map<std::string, std::vector<const Question*>> by_entry;
  for (const auto& q : questions) {
    if (q.expected.empty()) continue;  // off-topic: an admin dismisses it
    const auto entry = std::find_if(q.expected.begin(), q.expected.end(),
                                    [](const std::string& e) { return e.rfind("flow:", 0) != 0; });
    if (entry == q.expected.end()) {
      ++done.not_entry;
      continue;
    }
    by_entry[*entry].push_back(&q);
    ++done.offered;
  }
  std::mt19937 rng(seed);
  for (auto& [entry, list] : by_entry) {
    for (const Question* chosen : share_of(list, share, rng)) {
      const std::string& question = chosen->text;
      if (!admin_acts_on(*chosen, listed, sb::api::kb_entry_questions(kb_text, entry), done))
        continue;
      if (dry_run) {
        ++done.per_entry[entry];
        continue;
      }
      std::string why;
      auto edited = sb::api::kb_with_question(kb_text, entry, question, why);
      if (!edited) throw std::runtime_error("cannot attach \"" + question + "\": " + why);
      kb_text = std::move(*edited);
      ++done.per_entry[entry];
    }
  }
  return kb_text;
}

void print_attachment(const Attachment& a, std::size_t entries, bool dry_run) {
  std::vector<int> counts;
  int total = 0;
  for (const auto& [entry, n] : a.per_entry) counts.push_back(n), total += n;
  counts.resize(std::max({counts.size(), entries, std::size_t(1)}), 0);
  std::sort(counts.begin(), counts.end());
  std::cout << (dry_run ? "would attach " : "attached ") << total << " questions of " << a.offered
            << " answerable (" << a.already << " in the share already there, " << a.not_listed
            << " answered right so never listed, " << a.not_entry
            << " for a flow not attachable); per entry: min " << counts.front() << ", median "
            << counts[counts.size() / 2] << ", max " << counts.back() << ", mean " << std::fixed
            << std::setprecision(1) << double(total) / counts.size() << std::defaultfloat << "\n";
}

// What --dismiss did, for the report.
struct Dismissal : AdminCounts {
  int offered = 0;  // off-topic questions of the sets
  int dismissed = 0;
};

// The knowledge-base text after an admin dismissed the chosen off-topic questions,
// one dismissal at a time through the same edit the admin API makes.
std::string dismiss_questions(std::string kb_text, const std::vector<Question>& questions,
                              std::pair<double, double> share, uint32_t seed,
                              const std::function<bool(const Question&)>& listed, bool dry_run,
                              Dismissal& done) {
  std::vector<const Question*> off_topic;
  for (const auto& q : questions)
    if (q.expected.empty()) off_topic.push_back(&q);
  done.offered = static_cast<int>(off_topic.size());
  std::mt19937 rng(seed);
  for (const Question* chosen : share_of(off_topic, share, rng)) {
    const std::string& question = chosen->text;
    if (!admin_acts_on(*chosen, listed, sb::api::kb_not_for_bot(kb_text), done)) continue;
    ++done.dismissed;
    if (dry_run) continue;
    std::string why;
    auto edited = sb::api::kb_with_not_for_bot(kb_text, question, why);
    if (!edited) throw std::runtime_error("cannot dismiss \"" + question + "\": " + why);
    kb_text = std::move(*edited);
  }
  return kb_text;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The tenant's bot, built as core/server builds it, on one thread of our own.
class Bot {
 public:
  Bot(const std::filesystem::path& tenant_file, const std::string& tenant_text,
      const std::filesystem::path& plugin_dir, const std::filesystem::path& data_dir)
      : strand_(asio::make_strand(io_)), guard_(io_.get_executor()) {
    sb::plugin_host::HostOptions options;
    host_ = std::make_unique<sb::plugin_host::PluginHost>(plugin_dir, options);
    host_->scan();
    sb::ConfigErrors errors;
    for (const auto& info : host_->plugins())
      if (const auto* schema = host_->schema(info.name))
        schemas_.emplace(info.name,
                         sb::tenants::PluginSchema{schema->name, schema->kind, schema->keys});
    sb::tenants::PluginLookup lookup =
        [this](std::string_view name) -> const sb::tenants::PluginSchema* {
      auto it = schemas_.find(std::string(name));
      return it == schemas_.end() ? nullptr : &it->second;
    };
    auto config =
        sb::tenants::load_tenant_text(tenant_text, tenant_file, lookup, "storage-sqlite", errors);
    if (!config) {
      std::string why;
      for (const auto& e : errors) why += "\n  " + e.to_string();
      throw std::runtime_error("the tenant file does not load:" + why);
    }
    if (!config->bot) throw std::runtime_error("the tenant has no [bot]");
    auto storage = instance(*config, config->storage_plugin, data_dir);
    store_ = std::make_shared<sb::server::PluginStore>(storage, strand_);
    budget_ = std::make_shared<sb::bots::TokenBudget>(store_, config->id);
    budget_->set_daily_limit(config->bot->daily_token_budget);
    std::vector<sb::bots::Stage> stages;
    for (const auto& name : config->bot->pipeline) {
      auto plugin = instance(*config, name, data_dir);
      sb::bots::Stage stage;
      stage.name = name;
      if (plugin->llm_api())
        stage.llm = std::make_shared<sb::server::PluginLlmStage>(plugin, strand_);
      else
        stage.autoreply = std::make_shared<sb::server::PluginAutoreplyStage>(plugin, strand_);
      stages.push_back(std::move(stage));
      instances_.push_back(std::move(plugin));
    }
    pipeline_ = std::make_shared<sb::bots::Pipeline>(
        config->id, sb::server::bot_settings_of(*config->bot), std::move(stages), budget_, strand_);
    instances_.push_back(std::move(storage));
  }

  // Storage writes still under way (the LLM's token count) complete on our thread
  // before the plugin instances go: an instance freed from its own worker thread
  // cannot join it.
  ~Bot() {
    pipeline_.reset();
    budget_.reset();
    store_.reset();
    io_.restart();
    io_.run_for(std::chrono::milliseconds(300));
  }

  // One visitor message in a new conversation: the final outcome, and how long it took.
  sb::engine::BotOutcome ask(const std::string& text, std::chrono::microseconds& took) {
    sb::engine::BotTurn turn;
    ++conversations_;
    turn.conversation_id = "bench-c" + std::to_string(conversations_);
    turn.visitor_id = "bench-v" + std::to_string(conversations_);
    turn.seq = 1;
    turn.text = text;
    std::optional<sb::engine::BotOutcome> final;
    const auto start = Clock::now();
    pipeline_->run_turn(turn, [&](sb::engine::BotOutcome outcome) {
      if (outcome.final) final = std::move(outcome);
    });
    while (!final) io_.run_one();
    took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return std::move(*final);
  }

 private:
  std::shared_ptr<sb::plugin_host::Instance> instance(const sb::tenants::TenantConfig& config,
                                                      const std::string& plugin,
                                                      const std::filesystem::path& data_dir) {
    sb::plugin_host::InstanceConfig instance_config;
    if (const auto* section = config.section(plugin)) {
      instance_config.config_json = section->config_json;
      instance_config.values_as_text = section->values_as_text;
    }
    instance_config.config_dir = config.file.parent_path().string();
    std::string error;
    auto made =
        host_->create_instance(plugin, config.id, instance_config, data_dir / plugin, error);
    if (!made) throw std::runtime_error("plugin " + plugin + ": " + error);
    return made;
  }

  asio::io_context io_;
  asio::any_io_executor strand_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::unique_ptr<sb::plugin_host::PluginHost> host_;
  std::map<std::string, sb::tenants::PluginSchema> schemas_;
  std::vector<std::shared_ptr<sb::plugin_host::Instance>> instances_;
  std::shared_ptr<sb::engine::Store> store_;
  std::shared_ptr<sb::bots::TokenBudget> budget_;
  std::shared_ptr<sb::bots::Pipeline> pipeline_;
  uint64_t conversations_ = 0;
};

// What the bot's outcome means for the benchmark: "faq:ID", "flow:NAME",
// "intent:NAME", "llm", "clarify" (with options) or "" (handed over unanswered).
struct Decision {
  std::string what;
  std::vector<std::string> options;  // the entries a clarifying question offered
  std::string reply;
};

Decision decision_of(const sb::engine::BotOutcome& outcome) {
  Decision d;
  if (!outcome.replies.empty()) d.reply = outcome.replies.front().text;
  if (outcome.stage.empty()) return d;  // nobody answered: handed over
  const auto hash = outcome.source.find('#');
  const std::string after_hash =
      hash == std::string::npos ? outcome.source : outcome.source.substr(hash + 1);
  if (outcome.stage == "autoreply-faq") {
    if (outcome.source == "clarify") {
      d.what = "clarify";
      boost::system::error_code ec;
      auto candidates = json::parse(outcome.candidates_json, ec);
      if (!ec && candidates.is_array())
        for (const auto& c : candidates.get_array())
          if (const auto* o = c.if_object(); o && o->contains("id") && o->at("id").is_string())
            d.options.emplace_back(o->at("id").get_string());
    } else {
      d.what = "faq:" + after_hash;
    }
  } else if (outcome.stage == "autoreply-flow") {
    d.what = outcome.source.substr(0, outcome.source.find('/'));  // "flow:NAME"
  } else if (outcome.stage == "autoreply-intent") {
    d.what = "intent:" + after_hash;
  } else {
    d.what = outcome.handoff ? "" : "llm";
  }
  if (outcome.handoff && d.what.rfind("intent:", 0) == 0) d.what.clear();  // "human"
  return d;
}

bool expects(const Question& q, const std::string& what) {
  for (const auto& e : q.expected) {
    if (e == what) return true;
    if (what == "faq:" + e) return true;
  }
  return false;
}

struct Tally {
  int questions = 0, right = 0, clarified = 0, wrong = 0, unanswered = 0;
  int off_topic = 0, left_alone = 0;
  int by_llm = 0;  // answers (right or declining) the LLM stage gave
  // Left alone because the FAQ stage found them like a dismissed question: answerable
  // ones (what dismissing cost) and off-topic ones.
  int declined_answerable = 0, declined_off_topic = 0;
};

std::string percent(int n, int of) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f %%", of ? 100.0 * n / of : 0.0);
  return buf;
}

void print_tally(const std::string& name, const Tally& t) {
  std::cout << name << ": " << t.questions << " questions: right " << t.right << " ("
            << percent(t.right, t.questions) << "), clarified " << t.clarified << " ("
            << percent(t.clarified, t.questions) << "), wrong " << t.wrong << " ("
            << percent(t.wrong, t.questions) << "), not answered " << t.unanswered << " ("
            << percent(t.unanswered, t.questions) << "); off-topic " << t.off_topic
            << ": left alone " << t.left_alone << " (" << percent(t.left_alone, t.off_topic) << ")"
            << (t.by_llm ? "; by the LLM: " + std::to_string(t.by_llm) : std::string())
            << (t.declined_answerable + t.declined_off_topic
                    ? "; declined as like a dismissed question: " +
                          std::to_string(t.declined_answerable) + " answerable, " +
                          std::to_string(t.declined_off_topic) + " off-topic"
                    : std::string())
            << "\n";
}

// A knowledge base of `count` entries: the demo's own and made-up ones around them,
// in both languages, so that retrieval works through a realistic vocabulary.
std::string synthetic_entries(int count) {
  const std::vector<std::string> things_en = {
      "sofa",    "lamp",     "kettle",   "backpack", "bicycle", "camera",  "blender",
      "desk",    "mattress", "umbrella", "jacket",   "printer", "monitor", "speaker",
      "tent",    "stroller", "vacuum",   "scooter",  "watch",   "charger", "keyboard",
      "curtain", "pillow",   "cookware", "drone",    "guitar",  "helmet",  "rug"};
  const std::vector<std::string> things_zh = {
      "沙发", "台灯",   "水壶",   "背包", "自行车", "相机",   "搅拌机", "书桌",   "床垫", "雨伞",
      "夹克", "打印机", "显示器", "音箱", "帐篷",   "婴儿车", "吸尘器", "滑板车", "手表", "充电器",
      "键盘", "窗帘",   "枕头",   "锅具", "无人机", "吉他",   "头盔",   "地毯"};
  const std::vector<std::pair<std::string, std::string>> asks = {
      {"How do I assemble the {}?", "{}怎么组装"},
      {"What colours does the {} come in?", "{}有哪些颜色"},
      {"How do I clean the {}?", "{}怎么清洁"},
      {"What size is the {}?", "{}的尺寸是多少"},
      {"Is the {} in stock?", "{}有现货吗"},
      {"What is the {} made of?", "{}是什么材质"},
      {"How heavy is the {}?", "{}有多重"},
      {"Does the {} need batteries?", "{}需要电池吗"},
      {"Can I get spare parts for the {}?", "{}的配件哪里买"},
      {"How do I register the {}?", "{}怎么注册"},
      {"Is the {} safe for children?", "{}适合儿童使用吗"},
      {"Where is the {} made?", "{}是哪里生产的"},
      {"How long does the {} battery last?", "{}电池能用多久"},
      {"Can the {} be used outdoors?", "{}可以在户外使用吗"},
      {"What comes in the box with the {}?", "{}包装里有什么"},
      {"How do I update the {}?", "{}怎么升级"}};
  auto fill = [](std::string pattern, const std::string& thing) {
    return pattern.replace(pattern.find("{}"), 2, thing);
  };
  // Three editions of each product make 16 x 28 x 3 = 1,344 distinct entries.
  const std::vector<std::pair<std::string, std::string>> editions = {
      {"", ""}, {" Pro", "专业版"}, {" Mini", "迷你版"}};
  std::string out;
  int n = 0;
  for (const auto& [edition_en, edition_zh] : editions) {
    for (size_t a = 0; a < asks.size() && n < count; ++a) {
      for (size_t t = 0; t < things_en.size() && n < count; ++t, ++n) {
        const std::string en = things_en[t] + edition_en, zh = things_zh[t] + edition_zh;
        out += "[[entries]]\nid = \"generated-" + std::to_string(n) + "\"\nquestions = [\"" +
               fill(asks[a].first, en) + "\", \"" + fill(asks[a].second, zh) +
               "\"]\nanswer = \"See the product page of the " + en + " for this (item " +
               std::to_string(n) + ").\"\n\n";
      }
    }
  }
  if (n < count) throw std::runtime_error("at most " + std::to_string(n + 16) + " entries");
  return out;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("the tenant file has no: " + from);
  return text.replace(at, from.size(), to);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The bot's answer quality and reply time through the real pipeline"};
  std::string tenant_file = std::string(SWITCHBOARD_SOURCE_DIR) + "/tenants/demo.toml";
  std::string plugin_dir = SWITCHBOARD_PLUGIN_DIR;
  std::vector<std::string> set_files;
  bool failures = false;
  bool every_outcome = false;
  bool with_llm = false;
  int latency_entries = 0;
  int runs = 2000;
  app.add_option("--tenant", tenant_file, "tenant file whose [bot] is measured");
  app.add_option("--plugin-dir", plugin_dir, "where the plugins (.so) are");
  app.add_option("--set", set_files,
                 "question set (expected<TAB>question per line); several are measured as one");
  app.add_flag("--failures", failures, "list every question not answered right");
  app.add_flag("--all", every_outcome,
               "list every question with what the bot did, right answers and off-topic ones "
               "left alone too (with --failures)");
  app.add_flag("--llm", with_llm,
               "append llm-openai, against a fake server scripted with the expected answers");
  app.add_option("--latency-entries", latency_entries,
                 "measure reply time with this many knowledge-base entries");
  app.add_option("--runs", runs, "questions asked in the latency measurement");
  double min_right = 0, max_wrong = 1;
  app.add_option("--min-right", min_right,
                 "exit 3 when the share answered right is below this (CI floor, not an aim)");
  app.add_option("--max-wrong", max_wrong, "exit 3 when the share answered wrong is above this");
  double min_left_alone = 0;
  app.add_option("--min-left-alone", min_left_alone,
                 "exit 3 when the share of off-topic questions left alone is below this");
  std::string faq_threshold;
  app.add_option("--faq-threshold", faq_threshold,
                 "the FAQ stage's threshold instead of the tenant file's (tuning on dev)");
  std::vector<std::string> attach_files;
  app.add_option("--attach", attach_files,
                 "sets whose answerable questions an admin attaches to their entries first");
  std::string attach_share = "1";
  app.add_option("--attach-share", attach_share,
                 "share of each entry's questions attached (0.25), or a range of them (0.5-1)");
  uint32_t seed = 16;
  app.add_option("--seed", seed, "seed of the shuffle that picks the attached questions");
  bool attach_listed = false;
  app.add_flag("--attach-listed", attach_listed,
               "attach only what reaches the admin's list: questions the bot as shipped hands "
               "off or answers with low confidence, and wrong answers (a visitor's \"No\")");
  bool attach_dry_run = false;
  app.add_flag("--attach-dry-run", attach_dry_run,
               "choose the questions to attach but attach none: the same measured questions "
               "(--skip-attached) as shipped, for comparison");
  bool skip_attached = false;
  app.add_flag("--skip-attached", skip_attached,
               "measure only the questions not attached (cross-validation on one set)");
  std::vector<std::string> dismiss_files;
  app.add_option("--dismiss", dismiss_files,
                 "sets whose off-topic questions an admin dismisses from the list first");
  std::string dismiss_share = "1";
  app.add_option("--dismiss-share", dismiss_share,
                 "share of the off-topic questions dismissed (0.5), or a range of them (0.5-1)");
  bool dismiss_answered_only = false;
  app.add_flag("--dismiss-answered-only", dismiss_answered_only,
               "dismiss only off-topic questions the bot answered, not those it handed off");
  bool dismiss_dry_run = false;
  app.add_flag("--dismiss-dry-run", dismiss_dry_run,
               "choose the questions to dismiss but dismiss none: the same measured questions "
               "(--skip-dismissed) as before, for comparison");
  std::string not_for_bot_likeness;
  app.add_option("--not-for-bot-likeness", not_for_bot_likeness,
                 "the FAQ stage's not_for_bot_likeness (tuning on the development sets)");
  bool skip_dismissed = false;
  app.add_flag("--skip-dismissed", skip_dismissed,
               "measure only the questions not dismissed (cross-validation on one set)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);  // the plugins' start-up lines are not figures
  if (set_files.empty() && latency_entries == 0) {
    std::cerr << "give --set FILE and/or --latency-entries N\n";
    return 2;
  }
  try {
    sb::test::TempDir temp("bot-quality");
    std::string tenant_text = read_text(tenant_file);
    std::unique_ptr<sb::test::FakeOpenAiServer> llm;
    if (with_llm) {
      llm = std::make_unique<sb::test::FakeOpenAiServer>();
      tenant_text = replace_once(
          tenant_text, "pipeline = [\"autoreply-intent\", \"autoreply-flow\", \"autoreply-faq\"]",
          "pipeline = [\"autoreply-intent\", \"autoreply-flow\", \"autoreply-faq\", "
          "\"llm-openai\"]");
      tenant_text += "\n[plugins.llm-openai]\nbase_url = \"" + llm->base_url() +
                     "\"\nmodel = \"bench-model\"\ntimeout_ms = 10000\n";
    }
    if (!faq_threshold.empty()) {
      // The first "threshold = ..." line of the FAQ plugin's section.
      const auto section = tenant_text.find("[plugins.autoreply-faq]");
      const auto at = tenant_text.find("\nthreshold = ", section);
      if (section == std::string::npos || at == std::string::npos)
        throw std::runtime_error("the tenant file has no autoreply-faq threshold");
      const auto end = tenant_text.find('\n', at + 1);
      tenant_text.replace(at + 1, end - at - 1, "threshold = " + faq_threshold);
    }
    if (!not_for_bot_likeness.empty()) {
      const auto section = tenant_text.find("[plugins.autoreply-faq]");
      if (section == std::string::npos)
        throw std::runtime_error("the tenant file has no [plugins.autoreply-faq]");
      const auto line_end = tenant_text.find('\n', section);
      tenant_text.insert(line_end + 1, "not_for_bot_likeness = " + not_for_bot_likeness + "\n");
    }
    // The demo's knowledge base, or a copy of it with the attached questions.
    std::string faq_files = "\"demo/faq.toml\"";
    Attachment attached;
    if (!attach_files.empty()) {
      const auto kb_file = std::filesystem::path(tenant_file).parent_path() / "demo/faq.toml";
      const auto kb_text = read_text(kb_file);
      const auto ids = sb::api::kb_entry_ids(kb_text);
      if (!ids) throw std::runtime_error(kb_file.string() + " is not TOML");
      const auto share = parse_share(attach_share);
      const auto sources = read_sets(attach_files);
      std::set<const Question*> missed;
      if (attach_listed) {
        if (with_llm) throw std::runtime_error("--attach-listed is measured without --llm");
        Bot shipped(tenant_file, tenant_text, plugin_dir, temp.subdir("shipped-data"));
        for (const auto& q : sources) {
          if (q.expected.empty()) continue;
          std::chrono::microseconds took{};
          const auto outcome = shipped.ask(q.text, took);
          const auto d = decision_of(outcome);
          // A visitor can say No to an answer, not to a flow or a clarifying question.
          const bool wrong = !d.what.empty() && d.what != "clarify" &&
                             d.what.rfind("flow:", 0) != 0 && !expects(q, d.what);
          if (!outcome.unanswered.empty() || wrong) missed.insert(&q);
        }
      }
      const auto edited = attach_questions(
          kb_text, sources, share, seed,
          [&](const Question& q) { return !attach_listed || missed.count(&q) > 0; }, attach_dry_run,
          attached);
      const auto copy = temp.path() / "faq-attached.toml";
      std::ofstream(copy) << edited;
      faq_files = "\"" + copy.string() + "\"";
      print_attachment(attached, ids->size(), attach_dry_run);
    }
    Dismissal dismissed;
    if (!dismiss_files.empty()) {
      if (with_llm) throw std::runtime_error("--dismiss is measured without --llm");
      const auto kb_file = attach_files.empty()
                               ? std::filesystem::path(tenant_file).parent_path() / "demo/faq.toml"
                               : temp.path() / "faq-attached.toml";
      const auto kb_text = read_text(kb_file);
      const auto copy = temp.path() / "faq-dismissed.toml";
      std::ofstream(copy) << kb_text;
      const auto as_is = replace_once(tenant_text, "files = [\"demo/faq.toml\"]",
                                      "files = [\"" + copy.string() + "\"]");
      // What reaches the admin's list with the knowledge base as it is by then.
      const auto sources = read_sets(dismiss_files);
      std::set<const Question*> listed;
      {
        Bot before(tenant_file, as_is, plugin_dir, temp.subdir("before-dismiss-data"));
        for (const auto& q : sources) {
          if (!q.expected.empty()) continue;
          std::chrono::microseconds took{};
          const auto outcome = before.ask(q.text, took);
          const auto d = decision_of(outcome);
          const bool answered =
              !d.what.empty() && d.what != "clarify" && d.what.rfind("flow:", 0) != 0;
          if (answered || (!dismiss_answered_only && !outcome.unanswered.empty()))
            listed.insert(&q);
        }
      }
      std::ofstream(copy) << dismiss_questions(
          kb_text, sources, parse_share(dismiss_share), seed,
          [&](const Question& q) { return listed.count(&q) > 0; }, dismiss_dry_run, dismissed);
      faq_files = "\"" + copy.string() + "\"";
      std::cout << (dismiss_dry_run ? "would dismiss " : "dismissed ") << dismissed.dismissed
                << " off-topic questions of " << dismissed.offered << " (" << dismissed.not_listed
                << " in the share never listed, " << dismissed.already << " already there)\n";
    }
    if (latency_entries > 0) {
      const auto extra = temp.path() / "generated-faq.toml";
      std::ofstream(extra) << synthetic_entries(latency_entries - 16);
      faq_files += ", \"" + extra.string() + "\"";
    }
    if (!attach_files.empty() || !dismiss_files.empty() || latency_entries > 0)
      tenant_text =
          replace_once(tenant_text, "files = [\"demo/faq.toml\"]", "files = [" + faq_files + "]");
    Bot bot(tenant_file, tenant_text, plugin_dir, temp.subdir("data"));

    if (!set_files.empty()) {
      auto questions = read_sets(set_files);
      std::size_t skipped = 0;
      if (skip_attached || skip_dismissed)
        skipped = std::erase_if(questions, [&](const Question& q) {
          const auto key = sb::unanswered::question_key(q.text);
          return (skip_attached && attached.keys.count(key) > 0) ||
                 (skip_dismissed && dismissed.keys.count(key) > 0);
        });
      // With the LLM: the model is scripted to give the right answer to each question
      // (a polite refusal off-topic), so the figures show what the stage adds at best
      // and that the stages before it still decide first.
      const std::string refusal = "Sorry, I can only help with questions about Demo Shop.";
      Tally en, zh;
      std::vector<std::string> failed;
      for (const auto& q : questions) {
        if (llm) {
          std::string scripted = refusal;
          if (!q.expected.empty()) scripted = "LLM answer for " + q.expected.front();
          llm->set_default(sb::test::FakeReply::answer(scripted));
        }
        std::chrono::microseconds took{};
        const auto outcome = bot.ask(q.text, took);
        Decision d = decision_of(outcome);
        Tally& t = q.chinese ? zh : en;
        if (!outcome.declined_json.empty())
          ++(q.expected.empty() ? t.declined_off_topic : t.declined_answerable);
        if (d.what == "llm") {
          ++t.by_llm;
          // The scripted model answers exactly what the set expects, or refuses.
          if (d.reply == refusal)
            d.what.clear();
          else if (!q.expected.empty() && d.reply == "LLM answer for " + q.expected.front())
            d.what = "faq:" + q.expected.front();
        }
        std::string verdict;
        if (q.expected.empty()) {
          ++t.off_topic;
          if (d.what.empty()) {
            ++t.left_alone;
            if (every_outcome) verdict = "left alone";
          } else {
            verdict = "OFF-TOPIC ANSWERED";
          }
          if (!outcome.declined_json.empty()) verdict = "declined (dismissed)";
        } else {
          ++t.questions;
          if (expects(q, d.what)) {
            ++t.right;
            if (every_outcome) verdict = "right";
          } else if (d.what == "clarify") {
            bool offered = false;
            for (const auto& o : d.options) offered = offered || expects(q, "faq:" + o);
            if (offered) {
              ++t.clarified;
              verdict = "clarified";
            } else {
              ++t.wrong;
              verdict = "WRONG (clarify)";
            }
          } else if (d.what.empty()) {
            ++t.unanswered;
            verdict = outcome.declined_json.empty()
                          ? "not answered"
                          : "NOT ANSWERED (like dismissed " + outcome.declined_json + ")";
          } else {
            ++t.wrong;
            verdict = "WRONG";
          }
        }
        if (!verdict.empty()) {
          std::string expected;
          for (const auto& e : q.expected) expected += (expected.empty() ? "" : "|") + e;
          std::string options;
          for (const auto& o : d.options) options += (options.empty() ? " [" : ", ") + o;
          if (!options.empty()) options += "]";
          failed.push_back(
              verdict + ": \"" + q.text + "\" expected " + (expected.empty() ? "-" : expected) +
              ", got " + (d.what.empty() ? "-" : d.what) + options + " (score " +
              std::to_string(outcome.score).substr(0, 5) + ", candidates " +
              (outcome.candidates_json.empty() ? "[]" : outcome.candidates_json) + ")");
        }
      }
      Tally all;
      for (const Tally* t : {&en, &zh}) {
        all.questions += t->questions, all.right += t->right, all.clarified += t->clarified;
        all.wrong += t->wrong, all.unanswered += t->unanswered;
        all.off_topic += t->off_topic, all.left_alone += t->left_alone;
        all.by_llm += t->by_llm;
        all.declined_answerable += t->declined_answerable;
        all.declined_off_topic += t->declined_off_topic;
      }
      std::cout << "set";
      for (const auto& file : set_files) std::cout << " " << file;
      std::cout << (with_llm ? " (with the scripted LLM)" : " (no LLM)");
      if (skip_attached || skip_dismissed)
        std::cout << ", " << skipped << " attached or dismissed questions not asked";
      std::cout << "\n";
      print_tally("English", en);
      print_tally("Chinese", zh);
      print_tally("All    ", all);
      if (llm) std::cout << "requests the model received: " << llm->requests().size() << "\n";
      if (failures)
        for (const auto& f : failed) std::cout << "  " << f << "\n";
      const double right = all.questions ? double(all.right) / all.questions : 0;
      const double wrong = all.questions ? double(all.wrong) / all.questions : 0;
      const double left_alone = all.off_topic ? double(all.left_alone) / all.off_topic : 1;
      if (right < min_right || wrong > max_wrong || left_alone < min_left_alone) {
        std::cerr << "bot_quality: below the floor (right " << right << " < " << min_right
                  << " or wrong " << wrong << " > " << max_wrong << " or off-topic left alone "
                  << left_alone << " < " << min_left_alone << ")\n";
        return 3;
      }
    }

    if (latency_entries > 0) {
      // Questions from the demo's topics and the generated ones, each a new visitor.
      const std::vector<std::string> asked = {"how long until my refund arrives",
                                              "退款多久到账",
                                              "do you ship to Canada",
                                              "运费多少钱",
                                              "is the lamp in stock",
                                              "沙发怎么组装",
                                              "what's the weather in Paris",
                                              "我想取消订单",
                                              "can I clean the kettle",
                                              "how do I reset my password"};
      std::vector<double> ms;
      std::chrono::microseconds took{};
      for (int i = 0; i < 50; ++i) bot.ask(asked[i % asked.size()], took);  // warm-up
      for (int i = 0; i < runs; ++i) {
        bot.ask(asked[i % asked.size()], took);
        ms.push_back(took.count() / 1000.0);
      }
      std::sort(ms.begin(), ms.end());
      auto at = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * ms.size()))]; };
      std::printf("reply time, %d entries, %d questions: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                  latency_entries, runs, at(0.50), at(0.99), ms.back());
    }
  } catch (const std::exception& e) {
    std::cerr << "bot_quality: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
