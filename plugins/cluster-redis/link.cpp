#include "link.hpp"

#include <boost/asio/post.hpp>
#include <random>

#include "asio_adapter.hpp"

namespace switchboard::redis {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kTick{100};
constexpr milliseconds kFirstBackoff{50};

Link* link_of(const redisAsyncContext* ac) {
  return static_cast<Link*>(ac->data);
}

}  // namespace

std::string_view reply_text(const redisReply& r) {
  if (r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR)
    return std::string_view(r.str, r.len);
  return {};
}

bool is_error(const redisReply& r) {
  return r.type == REDIS_REPLY_ERROR;
}

Link::Link(asio::io_context& io, LinkOptions options, Logger log)
    : io_(io),
      options_(std::move(options)),
      log_(std::move(log)),
      reconnect_timer_(io),
      tick_timer_(io) {}

Link::~Link() {
  stopped_ = true;
  if (context_) {
    redisAsyncContext* ac = context_;
    context_ = nullptr;
    ac->onDisconnect = nullptr;
    ac->data = nullptr;
    redisAsyncFree(ac);  // runs the callbacks in flight with no reply (on_reply copes)
  }
}

void Link::start() {
  if (!stopped_) return;
  stopped_ = false;
  connect();
}

void Link::stop() {
  stopped_ = true;
  reconnect_timer_.cancel();
  // A cancelled wait's handler must not touch the link (it may be gone by then),
  // so the flag is cleared here, not there.
  tick_timer_.cancel();
  ticking_ = false;
  if (context_) drop("stopping");
}

void Link::drop(const std::string& why) {
  if (!context_ || !drop_reason_.empty()) return;
  drop_reason_ = why;
  // Never inside a hiredis callback: freeing there is deferred by hiredis and the
  // caller may still be using the reply.
  asio::post(io_, [this, ac = context_] {
    if (context_ != ac) return;
    const bool was_connected = connected_;
    redisAsyncFree(ac);
    // hiredis reports the end through on_disconnect only for a connection that
    // was established; a connect that never finished ends here.
    if (!was_connected && context_ == ac) closed(drop_reason_);
  });
}

void Link::connect() {
  if (stopped_ || context_) return;
  drop_reason_.clear();
  redisAsyncContext* ac = redisAsyncConnect(options_.host.c_str(), options_.port);
  if (!ac) {
    log_(true, options_.name + ": cannot allocate a Redis connection");
    schedule_reconnect();
    return;
  }
  if (ac->err) {
    const std::string why = ac->errstr;
    redisAsyncFree(ac);
    if (!logged_down_) log_(true, options_.name + ": cannot connect to Redis: " + why);
    logged_down_ = true;
    schedule_reconnect();
    return;
  }
  ac->data = this;
  context_ = ac;
  connected_ = false;
  attach_asio(ac, io_);
  redisAsyncSetConnectCallback(ac, &Link::on_connect);
  redisAsyncSetDisconnectCallback(ac, &Link::on_disconnect);
  connect_deadline_ = Clock::now() + options_.connect_timeout;
  tick();
}

void Link::on_connect(const redisAsyncContext* ac, int status) {
  Link* self = link_of(ac);
  if (!self) return;
  if (status != REDIS_OK) {
    // hiredis frees the context right after this callback.
    const std::string why = ac->errstr;
    self->context_ = nullptr;
    self->closed("cannot connect to Redis: " + why);
    return;
  }
  self->connected_ = true;
  if (self->options_.password.empty()) {
    self->connected();
    return;
  }
  self->command({"AUTH", self->options_.password},
                [self](const redisReply* r, const std::string& error) {
                  if (!r || is_error(*r)) {
                    self->drop("AUTH refused: " + (r ? std::string(reply_text(*r)) : error));
                    return;
                  }
                  self->connected();
                });
}

void Link::connected() {
  backoff_ = milliseconds(0);
  up_ = true;
  if (logged_down_) log_(false, options_.name + ": connected to Redis again");
  logged_down_ = false;
  if (on_up) on_up();
}

void Link::on_disconnect(const redisAsyncContext* ac, int status) {
  Link* self = link_of(ac);
  if (!self) return;
  std::string why = self->drop_reason_;
  if (why.empty()) why = status == REDIS_OK ? "connection closed" : std::string(ac->errstr);
  self->context_ = nullptr;  // hiredis frees it after this callback
  self->closed(why);
}

void Link::closed(const std::string& why) {
  context_ = nullptr;
  connected_ = false;
  const bool was_up = up_;
  up_ = false;
  // Anything still waiting (hiredis normally answered them all with no reply).
  while (!pending_.empty()) {
    ReplyFn fn = std::move(pending_.front().fn);
    pending_.pop_front();
    fail_later(std::move(fn), "unavailable: the link to Redis dropped (" + why +
                                  "); the command's outcome is unknown");
  }
  if (stopped_) {
    // Leaving on purpose (instance_free): nothing to report.
  } else if (was_up) {
    log_(true, options_.name + ": lost the link to Redis: " + why);
  } else if (!logged_down_) {
    log_(true, options_.name + ": " + why);
  }
  logged_down_ = true;
  if (was_up && on_down) on_down(why);
  schedule_reconnect();
}

void Link::schedule_reconnect() {
  if (stopped_) return;
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, options_.reconnect_max);
  // Up to a quarter less, so nodes that lost Redis together do not return in step.
  static thread_local std::minstd_rand jitter(std::random_device{}());
  const auto wait = backoff_ - milliseconds(jitter() % (backoff_.count() / 4 + 1));
  reconnect_timer_.expires_after(wait);
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

void Link::command(const std::vector<std::string>& argv, ReplyFn fn, milliseconds extra_timeout) {
  if (!context_ || !connected_) {
    fail_later(std::move(fn), "unavailable: no link to Redis");
    return;
  }
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAsyncCommandArgv(context_, &Link::on_reply, this, static_cast<int>(args.size()),
                            args.data(), lengths.data()) != REDIS_OK) {
    fail_later(std::move(fn), "unavailable: the link to Redis is closing");
    return;
  }
  pending_.push_back(
      Pending{Clock::now() + options_.command_timeout + extra_timeout, std::move(fn)});
  tick();
}

bool Link::subscribe(const std::vector<std::string>& argv) {
  if (!up_ || !context_) return false;
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  return redisAsyncCommandArgv(context_, &Link::on_push_reply, this, static_cast<int>(args.size()),
                               args.data(), lengths.data()) == REDIS_OK;
}

void Link::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<Link*>(privdata);
  if (!self || self->pending_.empty() || ac->data != self) return;
  ReplyFn fn = std::move(self->pending_.front().fn);
  self->pending_.pop_front();
  if (!fn) return;
  if (reply) {
    fn(static_cast<const redisReply*>(reply), std::string());
  } else {
    const std::string why = self->drop_reason_.empty()
                                ? std::string(ac->errstr[0] ? ac->errstr : "connection closed")
                                : self->drop_reason_;
    fn(nullptr,
       "unavailable: the link to Redis dropped (" + why + "); the command's outcome is unknown");
  }
}

void Link::on_push_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<Link*>(privdata);
  if (!self || !reply || ac->data != self || !self->on_push) return;
  self->on_push(*static_cast<const redisReply*>(reply));
}

void Link::fail_later(ReplyFn fn, std::string error) {
  if (!fn) return;
  asio::post(io_, [fn = std::move(fn), error = std::move(error)] { fn(nullptr, error); });
}

// Deadlines: a connect that takes too long, or an oldest command without a reply
// (replies come in order, so a late one means the connection is stuck).
void Link::tick() {
  if (ticking_) return;
  ticking_ = true;
  tick_timer_.expires_after(kTick);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by stop(), which cleared ticking_
    ticking_ = false;
    if (!context_) return;
    const auto now = Clock::now();
    if (!connected_ && now > connect_deadline_) {
      drop("no connection within " + std::to_string(options_.connect_timeout.count()) + " ms");
      return;
    }
    if (!pending_.empty() && now > pending_.front().deadline) {
      drop("no reply within " + std::to_string(options_.command_timeout.count()) + " ms");
      return;
    }
    if (!connected_ || !pending_.empty()) tick();
  });
}

}  // namespace switchboard::redis
