// One connection to Redis that keeps itself up: connects with a deadline, sends
// commands whose replies must come by a deadline, and when anything goes wrong
// (refused, closed, a reply late) drops the connection, fails what was in flight
// and connects again with back-off (doubling from 50 ms up to reconnect_max).
//
// Everything runs on the io_context's one thread: the methods and the callbacks.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::redis {

struct LinkOptions {
  std::string name;  // for log lines: "commands", "subscriber", "consumer"
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // AUTH after connecting when not empty
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds reconnect_max{2000};
};

// A reply, or why there is none (reply == nullptr): the link was down, it dropped
// before the reply came (the command's outcome is unknown), or the reply was late.
using ReplyFn = std::function<void(const redisReply* reply, const std::string& error)>;

class Link {
 public:
  using Logger = std::function<void(bool error, const std::string& line)>;

  Link(boost::asio::io_context& io, LinkOptions options, Logger log);
  ~Link();  // frees the connection; pending callbacks get an error
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Called once connected (and authenticated), and when the connection is lost
  // after having been up.
  std::function<void()> on_up;
  std::function<void(const std::string& why)> on_down;
  // Pub/Sub messages and (un)subscribe confirmations of this link (see subscribe).
  std::function<void(const redisReply& reply)> on_push;

  void start();  // connects, and keeps connecting until stop
  void stop();   // drops the connection and stops reconnecting
  bool up() const { return up_; }

  // Sends one command. fn is called exactly once, later (never inside this call):
  // with the reply (which may be an error reply), or with an error. extra_timeout
  // lengthens the deadline (a blocking read's own wait).
  void command(const std::vector<std::string>& argv, ReplyFn fn,
               std::chrono::milliseconds extra_timeout = std::chrono::milliseconds(0));

  // SUBSCRIBE / UNSUBSCRIBE on this link: replies arrive through on_push. Returns
  // false when the link is down.
  bool subscribe(const std::vector<std::string>& argv);

  // Drops the connection now (the next one follows the back-off).
  void drop(const std::string& why);

 private:
  struct Pending {
    std::chrono::steady_clock::time_point deadline;
    ReplyFn fn;
  };

  void connect();
  void connected();
  void closed(const std::string& why);
  void schedule_reconnect();
  void tick();
  void fail_later(ReplyFn fn, std::string error);

  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_push_reply(redisAsyncContext* ac, void* reply, void* privdata);

  boost::asio::io_context& io_;
  LinkOptions options_;
  Logger log_;
  redisAsyncContext* context_ = nullptr;
  bool connected_ = false;  // TCP up (AUTH may still be running)
  bool up_ = false;         // ready for commands
  bool stopped_ = true;
  std::string drop_reason_;
  std::chrono::steady_clock::time_point connect_deadline_;
  std::chrono::milliseconds backoff_{0};
  std::deque<Pending> pending_;  // replies come in order: front is the oldest
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer tick_timer_;
  bool ticking_ = false;
  bool logged_down_ = false;  // "cannot connect" said once per outage
};

// Helpers for reading replies.
std::string_view reply_text(const redisReply& r);  // a string, status or error reply
bool is_error(const redisReply& r);

}  // namespace switchboard::redis
