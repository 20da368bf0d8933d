// An intents file as an admin uploads it (PUT /intents) and the intent plugin reads
// it, then trained (briefly) and asked to classify. Mistakes must come back as
// LoadError (the API's 400 invalid_intents), never as anything else.
#include "fuzz_input.hpp"
#include "intent_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace switchboard;
  std::vector<intent::IntentDefinition> intents;
  try {
    intents = intent::parse_intents(sb::fuzz::as_text(data, size), "intents.toml");
  } catch (const autoreply::LoadError&) {
    return 0;
  }
  // Whatever the loader accepts, the classifier must train on (it throws
  // invalid_argument only for what the loader already refuses).
  intent::TrainingOptions quick;
  quick.epochs = 2;
  const intent::IntentClassifier classifier(std::move(intents), quick);
  for (const char* text : {"I want to talk to a person", "转人工", ""})
    (void)classifier.classify(text, 0.0);
  return 0;
}
