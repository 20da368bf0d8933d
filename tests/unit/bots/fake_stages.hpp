// Scripted stages for the pipeline's tests: each answers what its script says
// for a request, after the delay it says, on the strand (like the plugin host).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "bots/stages.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::bots::test {

struct Scripted {
  std::chrono::milliseconds delay{0};
  StageResult result;
};

inline Scripted ok(std::string json, std::chrono::milliseconds delay = {}) {
  return Scripted{delay, StageResult{SB_OK, std::move(json), {}}};
}
inline Scripted defer(std::string json = {}) {
  return Scripted{{}, StageResult{SB_DEFER, std::move(json), {}}};
}
inline Scripted fail(std::string why = "boom") {
  return Scripted{{}, StageResult{SB_ERROR, {}, std::move(why)}};
}
// The plugin refused the request as bad (SB_REFUSED through its completion, as the
// plugin host hands it on: SB_ERROR marked refused).
inline Scripted refuse(std::string why = "bad request") {
  return Scripted{{}, StageResult{SB_ERROR, {}, std::move(why), true}};
}

inline void answer_later(boost::asio::any_io_executor executor, Scripted s, StageCallback done) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor, s.delay);
  timer->async_wait([timer, s = std::move(s), done = std::move(done)](auto) { done(s.result); });
}

class FakeAutoreply : public AutoreplyStage {
 public:
  FakeAutoreply(boost::asio::any_io_executor executor,
                std::function<Scripted(const AutoreplyRequest&)> script)
      : executor_(std::move(executor)), script_(std::move(script)) {}
  void reply(const AutoreplyRequest& request, StageCallback done) override {
    requests.push_back(request);
    answer_later(executor_, script_(request), std::move(done));
  }
  std::vector<AutoreplyRequest> requests;

 private:
  boost::asio::any_io_executor executor_;
  std::function<Scripted(const AutoreplyRequest&)> script_;
};

class FakeLlm : public LlmStage {
 public:
  FakeLlm(boost::asio::any_io_executor executor, std::function<Scripted(const LlmRequest&)> script)
      : executor_(std::move(executor)), script_(std::move(script)) {}
  void chat(const LlmRequest& request, StageCallback done) override {
    requests.push_back(request);
    answer_later(executor_, script_(request), std::move(done));
  }
  std::vector<LlmRequest> requests;

 private:
  boost::asio::any_io_executor executor_;
  std::function<Scripted(const LlmRequest&)> script_;
};

}  // namespace sb::bots::test
