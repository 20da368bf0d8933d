// test-bot-llm: an LLM provider that does what the visitor's last message says, for
// the bot integration tests. "slow N ..." first delays the answer by N ms.
//   "llm fail"       completes with SB_ERROR
//   "llm malformed"  completes with a result that is not JSON
//   "llm empty"      completes with an empty text
//   "llm prompt"     answers with the system message it was given
//   anything else    answers "LLM: <message>", reporting 60 tokens used
#include <boost/json.hpp>
#include <string>

#include "script_worker.hpp"

namespace {

namespace json = boost::json;
using sb::test_plugins::ScriptWorker;

const sb_host_api* g_host = nullptr;

struct Instance {
  ScriptWorker worker;
};

int32_t instance_new(const sb_instance_args*, sb_instance** out, sb_error*) {
  *out = reinterpret_cast<sb_instance*>(new Instance());
  return SB_OK;
}

void instance_free(sb_instance* inst) {
  delete reinterpret_cast<Instance*>(inst);
}

int32_t chat(sb_instance* inst, const sb_llm_request* req, sb_op* op, sb_error* err) {
  boost::system::error_code ec;
  const json::value messages = json::parse(sb::view(req->messages_json), ec);
  if (ec || !messages.is_array() || messages.as_array().empty()) {
    sb_error_set(err, "messages_json is not a non-empty array");
    return SB_ERROR;
  }
  const auto& list = messages.as_array();
  const std::string last(list.back().at("content").as_string());
  std::string_view text = last;
  const int delay_ms = sb::test_plugins::delay_of(text);
  auto& worker = reinterpret_cast<Instance*>(inst)->worker;
  auto answer = [&](std::string reply) {
    worker.complete_later(
        g_host, op, delay_ms, SB_OK,
        json::serialize(json::object{
            {"text", reply},
            {"usage", json::object{{"prompt_tokens", 40}, {"completion_tokens", 20}}}}));
  };
  if (text == "llm fail") {
    worker.complete_later(g_host, op, delay_ms, SB_ERROR, "", "scripted provider failure");
  } else if (text == "llm malformed") {
    worker.complete_later(g_host, op, delay_ms, SB_OK, "{\"text\": oops");
  } else if (text == "llm empty") {
    answer("");
  } else if (text == "llm prompt") {
    answer(list.front().at("role").as_string() == "system"
               ? std::string(list.front().at("content").as_string())
               : "(no system message)");
  } else {
    answer("LLM: " + std::string(text));
  }
  return SB_PENDING;
}

const sb_llm_api kLlmApi = {sizeof(sb_llm_api), chat};

const sb_plugin_descriptor kDescriptor = {sizeof(sb_plugin_descriptor),
                                          SB_ABI_VERSION_MAJOR(1, 1),
                                          SB_ABI_VERSION_MINOR(1, 1),
                                          SB_KIND_LLM,
                                          "test-bot-llm",
                                          "0.1.0",
                                          nullptr,
                                          0,
                                          instance_new,
                                          instance_free,
                                          nullptr,
                                          &kLlmApi};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
