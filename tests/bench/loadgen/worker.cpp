#include "worker.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>

#include "agent.hpp"
#include "clock.hpp"
#include "visitor.hpp"

namespace loadgen {

namespace asio = boost::asio;

Worker::Worker(const RunContext& context) : context_(context), work_guard_(io_.get_executor()) {}

Worker::~Worker() {
  stop_and_join();
}

void Worker::start_thread() {
  thread_ = std::thread([this] { io_.run(); });
}

void Worker::stop_and_join() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

namespace {

// Opens connections at a steady rate: every tick, as many as are due since start.
// A burst of thousands of SYNs at once would only measure the listen backlog.
struct PacedLauncher : std::enable_shared_from_this<PacedLauncher> {
  PacedLauncher(asio::io_context& io, std::vector<int> indices, double rate_per_s,
                std::function<void(int)> open_one)
      : timer(io),
        indices(std::move(indices)),
        rate_per_s(rate_per_s),
        open_one(std::move(open_one)) {}

  void tick() {
    const double elapsed_s = static_cast<double>(now_ns() - start_ns) / 1e9;
    const auto due =
        std::min(indices.size(), static_cast<size_t>(std::floor(elapsed_s * rate_per_s)) + 1);
    while (next < due) open_one(indices[next++]);
    if (next >= indices.size()) return;
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->tick();
    });
  }

  asio::steady_timer timer;
  std::vector<int> indices;
  double rate_per_s;
  std::function<void(int)> open_one;
  int64_t start_ns = now_ns();
  size_t next = 0;
};

}  // namespace

void Worker::paced_launch(std::vector<int> indices, double rate_per_s,
                          std::function<void(int)> open_one) {
  asio::post(io_, [this, indices = std::move(indices), rate_per_s,
                   open_one = std::move(open_one)]() mutable {
    auto launcher =
        std::make_shared<PacedLauncher>(io_, std::move(indices), rate_per_s, std::move(open_one));
    launcher->tick();
  });
}

void Worker::launch_agents(std::vector<int> indices, double rate_per_s) {
  paced_launch(std::move(indices), rate_per_s, [this](int index) {
    auto agent = std::make_shared<Agent>(*this, index);
    agents_.push_back(agent);
    agent->start();
  });
}

void Worker::launch_visitors(std::vector<int> indices, double rate_per_s) {
  paced_launch(std::move(indices), rate_per_s, [this](int index) {
    auto visitor = std::make_shared<Visitor>(*this, index);
    visitors_.push_back(visitor);
    visitor->start();
  });
}

void Worker::start_sending(const Timeline& timeline) {
  asio::post(io_, [this, timeline] {
    timeline_ = timeline;
    for (auto& visitor : visitors_) visitor->start_sending(timeline);
  });
}

}  // namespace loadgen
