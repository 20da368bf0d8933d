// A knowledge-base file as an admin uploads it (PUT /kb) and the FAQ plugin reads
// it, then indexed and asked a visitor's question. Mistakes must come back as
// LoadError (which the API answers as 400 invalid_kb), never as anything else.
#include "faq_loader.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchboard;
  std::vector<faq::FaqEntry> entries;
  try {
    entries = faq::parse_faq(sb::fuzz::as_text(data, size), "kb.toml");
  } catch (const autoreply::LoadError&) {
    return 0;
  }
  const faq::FaqIndex index(std::move(entries));
  for (const char* question : {"how long does a refund take", "退款多久到账", "refnud"}) {
    if (auto match = index.answer(question, 0.0)) (void)index.entry(*match).answer_in("zh-CN");
  }
  return 0;
}
