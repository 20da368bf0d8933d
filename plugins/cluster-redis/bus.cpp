#include "bus.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace switchboard::redis {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr const char* kGroup = "owners";
constexpr size_t kSubscribeChunk = 512;
constexpr const char* kReadCount = "256";

// The expiring sets: a sorted set (member -> expiry, Redis's clock in ms) and a
// hash (member -> value), changed together by these scripts so a reader never
// sees one without the other. Expired members are pruned on every call; the two
// keys themselves expire with their longest-lived member.
constexpr const char* kPrune = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)
if #gone > 0 then
  redis.call('ZREM', KEYS[1], unpack(gone))
  redis.call('HDEL', KEYS[2], unpack(gone))
end
)lua";

const std::string kSetPut = std::string(kPrune) + R"lua(
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
)lua";

const std::string kSetDelete = R"lua(
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
)lua";

const std::string kSetList = std::string(kPrune) + R"lua(
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  local value = redis.call('HGET', KEYS[2], live[i])
  out[#out + 1] = live[i]
  out[#out + 1] = value or ''
  out[#out + 1] = tostring(tonumber(live[i + 1]) - now)
end
return out
)lua";

std::string text_of(const redisReply& r) {
  return std::string(reply_text(r));
}

// The answer to hand an op for a reply that must not be an error.
bool failed(const redisReply* r, const std::string& error, const sb::Completion& done) {
  if (!r) {
    done.error(error);
    return true;
  }
  if (is_error(*r)) {
    done.error("Redis refused the command: " + text_of(*r));
    return true;
  }
  return false;
}

}  // namespace

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Bus::Bus(const sb::Host& host, const sb_cluster_events* events, BusConfig config)
    : host_(host),
      events_(events),
      config_(std::move(config)),
      work_(io_.get_executor()),
      heartbeat_timer_(io_),
      retry_timer_(io_) {
  auto options = [&](const char* name) {
    LinkOptions o;
    o.name = name;
    o.host = config_.host;
    o.port = config_.port;
    o.password = config_.password;
    o.connect_timeout = config_.connect_timeout;
    o.command_timeout = config_.command_timeout;
    o.reconnect_max = config_.reconnect_max;
    return o;
  };
  auto logger = [this](bool error, const std::string& line) {
    log(error ? SB_LOG_ERROR : SB_LOG_INFO, line);
  };
  commands_ = std::make_unique<Link>(io_, options("commands"), logger);
  subscriber_ = std::make_unique<Link>(io_, options("subscriber"), logger);
  consumer_ = std::make_unique<Link>(io_, options("consumer"), logger);
  heartbeat_channel_ = config_.key_prefix + "hb:" + config_.node_id;
  subscriptions_[heartbeat_channel_];  // always: the subscriber's self-check

  commands_->on_up = [this] {
    for (auto& [key, c] : consumed_) setup_stream(key);
    report_if_ready();
  };
  subscriber_->on_up = [this] {
    awaiting_heartbeat_ = false;
    subscribe_all();
  };
  subscriber_->on_push = [this](const redisReply& r) { on_push(r); };
  consumer_->on_up = [this] {
    consumer_->command({"CLIENT", "ID"}, [this](const redisReply* r, const std::string&) {
      if (r && r->type == REDIS_REPLY_INTEGER) reader_client_id_ = r->integer;
    });
    // Entries handed to a read that was in flight when the link dropped are
    // pending for this node: the set-up takes them over again.
    for (auto& [key, c] : consumed_) setup_stream(key);
    read_loop();
    report_if_ready();
  };
  commands_->on_down = [this](const std::string& why) { link_down("commands: " + why); };
  subscriber_->on_down = [this](const std::string& why) { link_down("subscriber: " + why); };
  consumer_->on_down = [this](const std::string& why) {
    reading_ = false;
    reader_client_id_ = -1;
    link_down("consumer: " + why);
  };

  std::promise<void> ended;
  loop_ended_ = ended.get_future();
  thread_ = std::thread([this, ended = std::move(ended)]() mutable {
    io_.run();
    ended.set_value();
  });
  on_thread([this] {
    commands_->start();
    subscriber_->start();
    consumer_->start();
    heartbeat();
  });
}

// The loop ends by itself once the links have closed: each link frees its
// connection on the loop (its socket waits end) and stops reconnecting, and the
// bus arms no timer again. A cancel() misses a timer whose wait has already ended
// with its handler still queued, so the heartbeat (which re-arms itself) and the
// read loop check stopping_ first: a heartbeat due just as the stop ran once kept
// the loop, and the host's instance_free, waiting for ever.
Bus::~Bus() {
  on_thread([this] {
    stopping_ = true;  // the host hears nothing more: it is freeing the instance
    commands_->stop();
    subscriber_->stop();
    consumer_->stop();
    heartbeat_timer_.cancel();
    retry_timer_.cancel();
    work_.reset();
  });
  // A backstop, never reached while the above holds: a wait left pending would keep
  // the loop and this destructor (the host's shutdown) waiting for ever, so after
  // kStopWait the loop is stopped, and said to be, for the next such bug to be seen.
  if (loop_ended_.wait_for(kStopWait) == std::future_status::timeout) {
    log(SB_LOG_ERROR, "the Redis connection thread did not end within " +
                          std::to_string(kStopWait.count()) +
                          " ms of stopping: something was still pending; stopped it");
    io_.stop();
  }
  if (thread_.joinable()) thread_.join();
}

template <class F>
void Bus::on_thread(F&& f) {
  asio::post(io_, std::forward<F>(f));
}

std::string Bus::channel_key(std::string_view channel) const {
  return config_.key_prefix + "c:" + std::string(channel);
}

std::string Bus::stream_key(std::string_view stream) const {
  return config_.key_prefix + "s:" + std::string(stream);
}

bool Bus::links_up() const {
  return commands_->up() && subscriber_->up() && consumer_->up();
}

// ---- link state -------------------------------------------------------------

void Bus::link_down(const std::string& why) {
  // What depended on the lost link is no longer active; each comes back when its
  // link does (the on_up handlers), and only then is "up" reported again.
  if (!subscriber_->up()) {
    for (auto& [key, s] : subscriptions_) {
      s.active = false;
      for (auto& done : s.waiting)
        done.error("unavailable: the link to Redis dropped (" + why + ")");
      s.waiting.clear();
    }
  }
  if (!commands_->up() || !consumer_->up()) {
    for (auto& [key, c] : consumed_) {
      c.ready = false;
      ++c.setup;
      for (auto& done : c.waiting)
        done.error("unavailable: the link to Redis dropped (" + why + ")");
      c.waiting.clear();
    }
  }
  if (reported_up_ && !stopping_) {
    reported_up_ = false;
    if (events_->on_link) events_->on_link(host_.ctx, 0, sb::str(why));
  }
}

void Bus::report_if_ready() {
  if (reported_up_ || !links_up()) return;
  for (const auto& [key, s] : subscriptions_)
    if (!s.active) return;
  for (const auto& [key, c] : consumed_)
    if (!c.ready) return;
  reported_up_ = true;
  log(SB_LOG_INFO, "the link to Redis is up (" + std::to_string(subscriptions_.size() - 1) +
                       " channels, " + std::to_string(consumed_.size()) + " streams)");
  if (events_->on_link) events_->on_link(host_.ctx, 1, sb::str("connected"));
}

// ---- Pub/Sub ----------------------------------------------------------------

void Bus::subscribe_all() {
  std::vector<std::string> argv{"SUBSCRIBE"};
  for (const auto& [key, s] : subscriptions_) {
    argv.push_back(key);
    if (argv.size() > kSubscribeChunk) {
      subscriber_->subscribe(argv);
      argv.resize(1);
    }
  }
  if (argv.size() > 1) subscriber_->subscribe(argv);
}

void Bus::on_push(const redisReply& r) {
  if (stopping_ || r.type != REDIS_REPLY_ARRAY || r.elements < 3) return;
  const std::string_view kind = reply_text(*r.element[0]);
  const std::string channel = text_of(*r.element[1]);
  if (kind == "message") {
    if (channel == heartbeat_channel_) {
      if (reply_text(*r.element[2]) == std::to_string(heartbeat_number_))
        awaiting_heartbeat_ = false;
      return;
    }
    const auto it = subscriptions_.find(channel);
    if (it == subscriptions_.end() || !it->second.active) return;  // unsubscribed meanwhile
    const std::string_view name = std::string_view(channel).substr(config_.key_prefix.size() + 2);
    events_->on_message(host_.ctx, sb::str(name), sb::str(reply_text(*r.element[2])));
  } else if (kind == "subscribe") {
    const auto it = subscriptions_.find(channel);
    if (it == subscriptions_.end()) return;
    it->second.active = true;
    for (auto& done : it->second.waiting) done.ok("");
    it->second.waiting.clear();
    report_if_ready();
  }
}

// The subscriber cannot PING in Pub/Sub mode (hiredis 0.14 would lose the reply),
// so it checks itself end to end: each heartbeat the commands link publishes a
// number on this node's own channel. A subscriber that has not seen that number
// three heartbeats after it was sent, while the commands link works, is stuck: it
// is dropped and connects again. The wait starts when the PUBLISH is sent, not
// when Redis answers it: Redis hands the message to subscribers before it answers
// the publisher, so the message often arrives first.
void Bus::heartbeat() {
  if (stopping_) return;  // a wait that ended just before the cancel
  const auto now = Clock::now();
  if (awaiting_heartbeat_ && subscriber_->up() && commands_->up() &&
      now - heartbeat_sent_ > 3 * config_.heartbeat) {
    awaiting_heartbeat_ = false;
    subscriber_->drop("no message through Pub/Sub for " +
                      std::to_string(3 * config_.heartbeat.count()) + " ms");
  }
  if (commands_->up() && subscriber_->up() && subscriptions_[heartbeat_channel_].active &&
      !awaiting_heartbeat_) {
    awaiting_heartbeat_ = true;
    heartbeat_sent_ = now;
    const uint64_t number = ++heartbeat_number_;
    commands_->command({"PUBLISH", heartbeat_channel_, std::to_string(number)},
                       [this, number](const redisReply* r, const std::string&) {
                         // Not published: nothing to wait for (the commands link
                         // reports its own failure).
                         if ((!r || is_error(*r)) && number == heartbeat_number_)
                           awaiting_heartbeat_ = false;
                       });
  }
  heartbeat_timer_.expires_after(config_.heartbeat);
  heartbeat_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) heartbeat();
  });
}

void Bus::publish(std::string channel, std::string payload, sb::Completion done) {
  on_thread([this, key = channel_key(channel), payload = std::move(payload), done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis; nothing was published");
      return;
    }
    commands_->command({"PUBLISH", key, payload},
                       [done](const redisReply* r, const std::string& error) {
                         if (failed(r, error, done)) return;
                         done.ok("{\"receivers\":" + std::to_string(r->integer) + "}");
                       });
  });
}

void Bus::subscribe(std::string channel, sb::Completion done) {
  on_thread([this, key = channel_key(channel), done] {
    Subscription& s = subscriptions_[key];
    if (s.active) {
      done.ok("");
      return;
    }
    if (!subscriber_->up()) {
      done.error(
          "unavailable: no link to Redis; the channel is subscribed as soon as the link is back");
      return;
    }
    s.waiting.push_back(done);
    subscriber_->subscribe({"SUBSCRIBE", key});
  });
}

void Bus::unsubscribe(std::string channel) {
  on_thread([this, key = channel_key(channel)] {
    const auto it = subscriptions_.find(key);
    if (it == subscriptions_.end() || key == heartbeat_channel_) return;
    for (auto& done : it->second.waiting) done.error("unsubscribed before Redis confirmed it");
    subscriptions_.erase(it);
    subscriber_->subscribe({"UNSUBSCRIBE", key});
    report_if_ready();
  });
}

// ---- streams ----------------------------------------------------------------

void Bus::stream_add(std::string stream, std::string payload, sb::Completion done) {
  on_thread([this, key = stream_key(stream), payload = std::move(payload), done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis; nothing was added");
      return;
    }
    commands_->command(
        {"XADD", key, "MAXLEN", "~", std::to_string(config_.stream_max_len), "*", "p", payload},
        [done](const redisReply* r, const std::string& error) {
          if (failed(r, error, done)) return;
          done.ok("{\"id\":" + sb::json_quote(reply_text(*r)) + "}");
        });
  });
}

void Bus::stream_consume(std::string stream, sb::Completion done) {
  on_thread([this, key = stream_key(stream), done] {
    Consumed& c = consumed_[key];
    if (c.ready) {
      done.ok("");
      return;
    }
    if (!commands_->up() || !consumer_->up()) {
      done.error(
          "unavailable: no link to Redis; the stream is consumed as soon as the link is back");
      return;
    }
    c.waiting.push_back(done);
    setup_stream(key);  // a set-up already running is superseded (its replies are stale)
  });
}

void Bus::stream_stop(std::string stream) {
  on_thread([this, key = stream_key(stream)] {
    const auto it = consumed_.find(key);
    if (it == consumed_.end()) return;
    for (auto& done : it->second.waiting) done.error("stopped before consuming began");
    consumed_.erase(it);
    wake_reader();
    report_if_ready();
  });
}

void Bus::stream_ack(std::string stream, std::string entry_id, sb::Completion done) {
  on_thread([this, key = stream_key(stream), entry_id = std::move(entry_id), done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis; the entry stays pending");
      return;
    }
    commands_->command({"XACK", key, kGroup, entry_id},
                       [done](const redisReply* r, const std::string& error) {
                         if (failed(r, error, done)) return;
                         done.ok("");
                       });
  });
}

// The group (created with the stream if need be, from its first entry: commands
// sent before any node consumed are not skipped), then every entry pending in the
// group taken over by this node. Idle time 0: the host consumes a stream only
// while it holds what the stream is for (a tenant's lease), so whoever read those
// entries before is gone or fenced.
void Bus::setup_stream(const std::string& key) {
  auto it = consumed_.find(key);
  if (it == consumed_.end()) return;
  Consumed& c = it->second;
  c.ready = false;
  c.setup = ++setups_;
  if (!commands_->up()) return;
  const uint64_t setup = c.setup;
  commands_->command({"XGROUP", "CREATE", key, kGroup, "0", "MKSTREAM"},
                     [this, key, setup](const redisReply* r, const std::string& error) {
                       auto it = consumed_.find(key);
                       if (it == consumed_.end() || it->second.setup != setup) return;
                       if (!r) return;  // the link dropped: its return sets up again
                       if (is_error(*r) && reply_text(*r).substr(0, 9) != "BUSYGROUP") {
                         const std::string why = "cannot consume " + key + ": " + text_of(*r);
                         log(SB_LOG_ERROR, why);
                         for (auto& done : it->second.waiting) done.error(why);
                         it->second.waiting.clear();
                         return;
                       }
                       (void)error;
                       claim_pending(key, setup, "0-0");
                     });
}

void Bus::claim_pending(const std::string& key, uint64_t setup, std::string cursor) {
  commands_->command({"XAUTOCLAIM", key, kGroup, config_.node_id, "0", cursor, "COUNT", kReadCount},
                     [this, key, setup](const redisReply* r, const std::string&) {
                       auto it = consumed_.find(key);
                       if (it == consumed_.end() || it->second.setup != setup || !r) return;
                       if (is_error(*r) || r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
                         const std::string why =
                             "cannot take over the pending entries of " + key + ": " + text_of(*r);
                         log(SB_LOG_ERROR, why);
                         for (auto& done : it->second.waiting) done.error(why);
                         it->second.waiting.clear();
                         return;
                       }
                       deliver_entries(key, *r->element[1], true);
                       // The host may have stopped the stream while hearing of the entries.
                       it = consumed_.find(key);
                       if (it == consumed_.end() || it->second.setup != setup) return;
                       const std::string next = text_of(*r->element[0]);
                       if (next != "0-0") {
                         claim_pending(key, setup, next);
                         return;
                       }
                       it->second.ready = true;
                       for (auto& done : it->second.waiting) done.ok("");
                       it->second.waiting.clear();
                       wake_reader();
                       report_if_ready();
                     });
}

void Bus::deliver_entries(const std::string& key, const redisReply& entries, bool redelivered) {
  if (stopping_ || entries.type != REDIS_REPLY_ARRAY) return;
  const std::string_view stream = std::string_view(key).substr(config_.key_prefix.size() + 2);
  for (size_t i = 0; i < entries.elements; ++i) {
    const redisReply& e = *entries.element[i];
    // [id, [field, value, ...]]; a deleted entry has no fields.
    if (e.type != REDIS_REPLY_ARRAY || e.elements < 2 || e.element[1]->type != REDIS_REPLY_ARRAY)
      continue;
    const redisReply& fields = *e.element[1];
    std::string_view payload;
    for (size_t f = 0; f + 1 < fields.elements; f += 2)
      if (reply_text(*fields.element[f]) == "p") payload = reply_text(*fields.element[f + 1]);
    if (consumed_.find(key) == consumed_.end()) return;  // stopped by an earlier entry's handler
    sb_cluster_entry entry{sizeof(sb_cluster_entry), redelivered ? 1u : 0u, sb::str(stream),
                           sb::str(reply_text(*e.element[0])), sb::str(payload)};
    events_->on_entry(host_.ctx, &entry);
  }
}

void Bus::read_loop() {
  if (stopping_ || reading_ || !consumer_->up()) return;
  std::vector<std::string> argv{
      "XREADGROUP", "GROUP",    kGroup,  config_.node_id,
      "COUNT",      kReadCount, "BLOCK", std::to_string(config_.block.count()),
      "STREAMS"};
  std::vector<std::string> keys;
  for (const auto& [key, c] : consumed_)
    if (c.ready) keys.push_back(key);
  if (keys.empty()) return;  // woken when a stream is ready
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), keys.size(), ">");
  reading_ = true;
  consumer_->command(
      argv,
      [this](const redisReply* r, const std::string&) {
        reading_ = false;
        if (!r) return;  // the link dropped: its return reads again
        if (is_error(*r)) {
          // NOGROUP: Redis lost the groups (restarted without persistence, or a
          // stream was deleted): set them up again, taking over what is pending.
          log(SB_LOG_WARN, "reading streams: " + text_of(*r));
          for (auto& [key, c] : consumed_) setup_stream(key);
          retry_timer_.expires_after(milliseconds(200));
          retry_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) read_loop();
          });
          return;
        }
        if (r->type == REDIS_REPLY_ARRAY) {
          for (size_t i = 0; i < r->elements; ++i) {
            const redisReply& s = *r->element[i];
            if (s.type != REDIS_REPLY_ARRAY || s.elements < 2) continue;
            const std::string key = text_of(*s.element[0]);
            const auto it = consumed_.find(key);
            // Entries of a stream stopped meanwhile stay pending for its next consumer.
            if (it == consumed_.end() || !it->second.ready) continue;
            deliver_entries(key, *s.element[1], false);
          }
        }
        read_loop();
      },
      config_.block);
}

// A new stream to read, or one fewer: the blocked read returns at once (as if its
// wait ended) and the next one names the current streams.
void Bus::wake_reader() {
  if (!reading_) {
    read_loop();
    return;
  }
  if (reader_client_id_ >= 0 && commands_->up())
    commands_->command({"CLIENT", "UNBLOCK", std::to_string(reader_client_id_)},
                       [](const redisReply*, const std::string&) {});
}

// ---- expiring sets ----------------------------------------------------------

void Bus::set_put(std::string set, std::string member, std::string value, int64_t ttl_ms,
                  sb::Completion done) {
  on_thread([this, set = std::move(set), member = std::move(member), value = std::move(value),
             ttl_ms, done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis; nothing was put");
      return;
    }
    commands_->command({"EVAL", kSetPut, "2", config_.key_prefix + "x:" + set,
                        config_.key_prefix + "xv:" + set, member, value, std::to_string(ttl_ms)},
                       [done](const redisReply* r, const std::string& error) {
                         if (failed(r, error, done)) return;
                         done.ok("");
                       });
  });
}

void Bus::set_delete(std::string set, std::string member, sb::Completion done) {
  on_thread([this, set = std::move(set), member = std::move(member), done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis; nothing was deleted");
      return;
    }
    commands_->command({"EVAL", kSetDelete, "2", config_.key_prefix + "x:" + set,
                        config_.key_prefix + "xv:" + set, member},
                       [done](const redisReply* r, const std::string& error) {
                         if (failed(r, error, done)) return;
                         done.ok("");
                       });
  });
}

void Bus::set_list(std::string set, sb::Completion done) {
  on_thread([this, set = std::move(set), done] {
    if (!commands_->up()) {
      done.error("unavailable: no link to Redis");
      return;
    }
    commands_->command(
        {"EVAL", kSetList, "2", config_.key_prefix + "x:" + set, config_.key_prefix + "xv:" + set},
        [done](const redisReply* r, const std::string& error) {
          if (failed(r, error, done)) return;
          struct Member {
            std::string_view name, value, ttl;
          };
          std::vector<Member> members;
          for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 2 < r->elements; i += 3)
            members.push_back({reply_text(*r->element[i]), reply_text(*r->element[i + 1]),
                               reply_text(*r->element[i + 2])});
          std::sort(members.begin(), members.end(),
                    [](const Member& a, const Member& b) { return a.name < b.name; });
          std::string out = "{\"members\":[";
          for (size_t i = 0; i < members.size(); ++i) {
            if (i) out += ',';
            // The script's tostring of a whole number: digits only, else 0.
            const std::string_view ttl = members[i].ttl;
            const bool digits = !ttl.empty() && std::all_of(ttl.begin(), ttl.end(), [](char c) {
              return c >= '0' && c <= '9';
            });
            out += "{\"member\":" + sb::json_quote(members[i].name) +
                   ",\"value\":" + sb::json_quote(members[i].value) +
                   ",\"ttl_ms\":" + (digits ? std::string(ttl) : std::string("0")) + "}";
          }
          out += "]}";
          done.ok(out);
        });
  });
}

}  // namespace switchboard::redis
