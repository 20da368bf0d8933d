// test-bot-autoreply: an auto-reply stage that does what the visitor's message says,
// for the bot integration tests. "slow N ..." first delays the answer by N ms.
//   "echo X"      answers "echo: X" (with quick replies "yes"/"no")
//   "count"       answers how often it was asked "count" in this conversation: its
//                 state, kept by the host, survives a restart
//   "human-ish"   hands off with its own reply, to the group named after it
//   "bye"         answers and closes the conversation
//   "lang"        answers "language: " and the request's language
//   "fail"        SB_ERROR;  "malformed" a result that is not JSON;  "empty" SB_OK {}
//   "ask-llm X"   answers "Let me think." and asks the LLM stage
//   anything else SB_DEFER (the next stage's turn)
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

bool starts(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// status and result JSON for the message.
std::pair<int32_t, std::string> decide(std::string_view text, std::string_view state_json,
                                       std::string_view language) {
  if (starts(text, "echo "))
    return {SB_OK, json::serialize(json::object{{"reply", "echo: " + std::string(text.substr(5))},
                                                {"quick_replies", json::array{"yes", "no"}},
                                                {"score", 1},
                                                {"source", "script"}})};
  if (text == "count") {
    int64_t count = 0;
    boost::system::error_code ec;
    const json::value state = json::parse(state_json, ec);
    if (!ec && state.is_object() && state.as_object().contains("count"))
      count = state.at("count").to_number<int64_t>();
    ++count;
    return {SB_OK, json::serialize(json::object{{"reply", "count " + std::to_string(count)},
                                                {"state", json::object{{"count", count}}}})};
  }
  if (text == "human-ish")
    return {SB_OK, json::serialize(json::object{
                       {"reply", "A specialist will take it from here."},
                       {"handoff", json::object{{"group", "specialists"}, {"reason", "script"}}}})};
  if (text == "bye")
    return {SB_OK, json::serialize(json::object{{"reply", "Goodbye!"}, {"close", true}})};
  if (text == "lang")
    return {SB_OK, json::serialize(json::object{{"reply", "language: " + std::string(language)}})};
  if (text == "fail") return {SB_ERROR, "scripted failure"};
  if (text == "malformed") return {SB_OK, "{\"reply\": oops"};
  if (text == "empty") return {SB_OK, "{}"};
  if (starts(text, "ask-llm "))
    return {SB_OK, json::serialize(json::object{{"reply", "Let me think."}, {"ask_llm", true}})};
  return {SB_DEFER, "{}"};
}

int32_t reply(sb_instance* inst, const sb_autoreply_request* req, sb_op* op, sb_error* err) {
  std::string_view text = sb::view(req->text);
  const int delay_ms = sb::test_plugins::delay_of(text);
  auto [status, result] = decide(text, sb::view(req->state_json), sb::view(req->language));
  if (status == SB_ERROR) {
    sb_error_set(err, result.c_str());
    return SB_ERROR;
  }
  auto& self = *reinterpret_cast<Instance*>(inst);
  self.worker.complete_later(g_host, op, delay_ms, status, result);
  return SB_PENDING;
}

const sb_autoreply_api kAutoreplyApi = {sizeof(sb_autoreply_api), reply};

const sb_plugin_descriptor kDescriptor = {sizeof(sb_plugin_descriptor),
                                          SB_ABI_VERSION_MAJOR(1, 1),
                                          SB_ABI_VERSION_MINOR(1, 1),
                                          SB_KIND_AUTOREPLY,
                                          "test-bot-autoreply",
                                          "0.1.0",
                                          nullptr,
                                          0,
                                          instance_new,
                                          instance_free,
                                          nullptr,
                                          &kAutoreplyApi};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
