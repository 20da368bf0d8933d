// abi-cpp-bot and abi-cpp-llm: an auto-reply and an LLM plugin written with
// sb_autoreply_cpp.hpp, to test the helper's trampolines through the real host.
// Built twice: with CPP_BOT_LLM it is the LLM provider. The visitor's text (the
// last message for the LLM) says what to do:
//   "now"    answers at once, inside the hook
//   "later"  answers from another thread after 10 ms
//   "defer"  defers with a state, inside the hook
//   "drop"   returns without answering and keeps no copy of the completion
//   "throw"  throws before answering
//   "slow"   answers from another thread after 400 ms (past the tests' timeout)
//   "config" answers with the config_dir and data_dir it was given
//   "http"   POSTs to the URL in the instance's config key "url" through the host's
//            sb_http_v1 and answers {"status":N,"body":S,"error":S}, or fails with
//            why the request did not start
//   "fire"   starts the same POST, answers {} at once, and logs "http done N" when the
//            response comes; the destructor logs "bot freed"
//   "refuse" refuses the request (SB_REFUSED) from another thread; abi-cpp-bot states
//            ABI 1.11 and may, abi-cpp-llm states 1.1 and may not (ABI rule 7)
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/sb_autoreply_cpp.hpp"

namespace {

class Bot {
 public:
#ifdef CPP_BOT_LLM
  static constexpr const char* kName = "abi-cpp-llm";
#else
  static constexpr const char* kName = "abi-cpp-bot";
  static constexpr uint16_t kAbiMinor = 11;  // may refuse
#endif
  static constexpr const char* kVersion = "0.1.0";
  static constexpr sb_config_key kConfigKeys[] = {{sizeof(sb_config_key), SB_CONFIG_STRING, "url"}};

  explicit Bot(const sb::InstanceArgs& args)
      : host_(args.host), config_dir_(args.config_dir), data_dir_(args.data_dir), http_(args.host) {
    sb_str url;
    if (args.host.api->config_get(args.host.ctx, "url", &url)) url_ = sb::view(url);
    if (args.config_json.find("\"refuse\"") != std::string_view::npos)
      throw std::runtime_error("refusing tenant " + std::string(args.tenant_id));
  }

  ~Bot() {
    for (auto& t : threads_) t.join();
    host_.log(SB_LOG_INFO, "bot freed");
  }

#ifdef CPP_BOT_LLM
  void chat(const sb_llm_request& req, sb::Completion done) {
    // The command is the last message's content; the host built messages_json.
    const std::string_view messages = sb::view(req.messages_json);
    const auto at = messages.rfind("\"content\":\"");
    const auto start = at == std::string_view::npos ? messages.size() : at + 11;
    act(messages.substr(start, messages.find('"', start) - start), std::move(done),
        R"({"text":"llm says hi","usage":{"prompt_tokens":3,"completion_tokens":3}})");
  }
#else
  void reply(const sb_autoreply_request& req, sb::Completion done) {
    act(sb::view(req.text), std::move(done), R"({"reply":"bot says hi"})");
  }
#endif

  void on_event(const sb_event& event) {
    if (sb::view(event.type) == "throw") throw std::runtime_error("on_event boom");
  }

 private:
  void act(std::string_view command, sb::Completion done, const char* answer) {
    if (command == "now") {
      done.ok(answer);
    } else if (command == "later" || command == "slow") {
      const auto delay = std::chrono::milliseconds(command == "later" ? 10 : 400);
      std::lock_guard lock(mutex_);
      threads_.emplace_back([done, delay, answer] {
        std::this_thread::sleep_for(delay);
        done.ok(answer);
      });
    } else if (command == "refuse") {
      std::lock_guard lock(mutex_);
      threads_.emplace_back([done] { done.refuse("cannot take this request"); });
    } else if (command == "defer") {
      done.defer(R"({"state":{"step":2}})");
    } else if (command == "throw") {
      throw std::runtime_error("bot boom");
    } else if (command == "config") {
      done.ok("{\"config_dir\":" + sb::json_quote(config_dir_) +
              ",\"data_dir\":" + sb::json_quote(data_dir_) + "}");
    } else if (command == "http") {
      const std::string why =
          http_.request("POST", url_, {}, {}, 2000, nullptr, [done](const sb::http::Response& r) {
            done.ok("{\"status\":" + std::to_string(r.status) + ",\"body\":" +
                    sb::json_quote(r.body) + ",\"error\":" + sb::json_quote(r.error) + "}");
          });
      if (!why.empty()) done.error(why);
    } else if (command == "fire") {
      const sb::Host host = host_;
      const std::string why =
          http_.request("POST", url_, {}, {}, 2000, nullptr, [host](const sb::http::Response& r) {
            host.log(SB_LOG_INFO, "http done " + std::to_string(r.status));
          });
      done.ok(why.empty() ? "{}" : why);
    }
    // "drop" and anything else: done goes out of scope unanswered.
  }

  sb::Host host_;
  std::string config_dir_;
  std::string data_dir_;
  sb::http::Client http_;
  std::string url_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

}  // namespace

#ifdef CPP_BOT_LLM
SB_LLM_PLUGIN(Bot)
#else
SB_AUTOREPLY_PLUGIN(Bot)
#endif
