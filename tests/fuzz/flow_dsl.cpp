// Dialog flow files as an admin uploads them (PUT /flows) and autoreply-flow reads
// them, then a short conversation through them. Mistakes must come back as
// LoadError (the API's 400 invalid_flows); a flow the loader accepts must never
// fail while a visitor talks to it.
//
// Input: the flow file; a line "#--" splits it into two files, as a tenant may list.
#include <string>

#include "flow_engine.hpp"
#include "flow_loader.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchboard;
  const std::string_view text = sb::fuzz::as_text(data, size);
  std::vector<flow::FlowSource> sources;
  const auto split = text.find("\n#--\n");
  if (split == std::string_view::npos) {
    sources.push_back({"flows.toml", std::string(text)});
  } else {
    sources.push_back({"a.toml", std::string(text.substr(0, split))});
    sources.push_back({"b.toml", std::string(text.substr(split + 5))});
  }
  flow::LoadedFlows loaded;
  try {
    loaded = flow::parse_flows(sources, "en");
  } catch (const autoreply::LoadError&) {
    return 0;
  }
  const flow::FlowEngine engine(std::move(loaded.flows));
  std::string state;
  int64_t now_ms = 1'780'000'000'000;
  for (const char* said : {"hi", "1", "order status", "A12345", "转人工", "yes", ""}) {
    flow::TurnInput input;
    input.text = said;
    input.language = "zh-CN";
    input.state_json = state;
    input.now_ms = now_ms += 30'000;
    const flow::TurnOutput out = engine.step(input);
    (void)flow::to_result_json(out);
    if (out.state_changed) state = out.state_json;
  }
  return 0;
}
