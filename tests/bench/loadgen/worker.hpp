#pragma once
// One client thread: its own io_context, the sessions pinned to it and the figures
// it collects. Other threads reach it only by posting (the launch_* and
// start_sending calls are thread-safe for that reason).

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "run_context.hpp"
#include "thread_stats.hpp"

namespace loadgen {

class Visitor;
class Agent;

class Worker {
 public:
  Worker(const RunContext& context);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start_thread();
  // Stops the event loop and joins the thread; afterwards stats() is safe to read.
  void stop_and_join();

  // Opens the sessions with these global indices, paced at rate_per_s.
  void launch_agents(std::vector<int> indices, double rate_per_s);
  void launch_visitors(std::vector<int> indices, double rate_per_s);
  // Every ready visitor starts its open-loop send schedule.
  void start_sending(const Timeline& timeline);

  boost::asio::io_context& io() { return io_; }
  ThreadStats& stats() { return stats_; }
  const RunContext& context() const { return context_; }
  // The measured window; all zero (nothing measured) until start_sending.
  const Timeline& timeline() const { return timeline_; }

 private:
  void paced_launch(std::vector<int> indices, double rate_per_s, std::function<void(int)> open_one);

  const RunContext& context_;
  boost::asio::io_context io_{1};  // one thread runs it: no locking inside Asio
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_guard_;
  ThreadStats stats_;
  Timeline timeline_;
  std::vector<std::shared_ptr<Visitor>> visitors_;
  std::vector<std::shared_ptr<Agent>> agents_;
  std::thread thread_;
};

}  // namespace loadgen
