#include "intent_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

namespace switchboard::intent {
namespace {

// splitmix64: a tiny generator whose output is fixed by its definition, so the
// training order (and so the model) is the same on every platform and library.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

void shuffle(std::vector<std::size_t>& order, SplitMix64& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[rng.next() % i]);
  }
}

// In place; subtracts the maximum first so large scores do not overflow exp().
void softmax(std::vector<double>& z) {
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (auto& v : z) sum += (v = std::exp(v - top));
  for (auto& v : z) v /= sum;
}

void validate(const std::vector<IntentDefinition>& intents) {
  if (intents.size() < 2) throw std::invalid_argument("at least 2 intents are needed");
  std::set<std::string_view> names;
  for (const auto& intent : intents) {
    if (intent.name.empty()) throw std::invalid_argument("an intent has an empty name");
    if (!names.insert(intent.name).second) {
      throw std::invalid_argument("intent '" + intent.name + "' is defined twice");
    }
    if (intent.examples.size() < 3) {
      throw std::invalid_argument("intent '" + intent.name + "' needs at least 3 examples");
    }
  }
}

}  // namespace

IntentClassifier::IntentClassifier(std::vector<IntentDefinition> intents, TrainingOptions options)
    : intents_(std::move(intents)), options_(options) {
  validate(intents_);
  // Featurise every example; the model's rows are the buckets they use.
  std::vector<std::vector<Feature>> featurised;
  std::vector<std::size_t> labels;
  for (std::size_t k = 0; k < intents_.size(); ++k) {
    for (const auto& example : intents_[k].examples) {
      auto features = extract_features(example, options_.features);
      if (features.empty()) {
        throw std::invalid_argument("intent '" + intents_[k].name + "': example '" + example +
                                    "' has no words");
      }
      for (const auto& f : features) buckets_.push_back(f.bucket);
      featurised.push_back(std::move(features));
      labels.push_back(k);
    }
  }
  std::sort(buckets_.begin(), buckets_.end());
  buckets_.erase(std::unique(buckets_.begin(), buckets_.end()), buckets_.end());
  buckets_.shrink_to_fit();

  std::vector<std::vector<Column>> examples;
  examples.reserve(featurised.size());
  for (const auto& features : featurised) examples.push_back(known_columns(features));
  train(examples, labels);
}

void IntentClassifier::train(const std::vector<std::vector<Column>>& examples,
                             const std::vector<std::size_t>& labels) {
  const std::size_t classes = intents_.size();
  // The weights are scale * v: the L2 shrink of every weight is one multiplication of
  // `scale`, and a step touches only the rows the example uses.
  std::vector<double> v(buckets_.size() * classes, 0.0);
  std::vector<double> bias(classes, 0.0);
  double scale = 1.0;
  std::vector<std::size_t> order(examples.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  SplitMix64 rng(options_.seed);
  std::vector<double> z(classes);
  std::uint64_t step = 0;
  for (unsigned epoch = 0; epoch < options_.epochs; ++epoch) {
    shuffle(order, rng);
    for (const auto i : order) {
      const double eta =
          options_.learning_rate / (1.0 + options_.learning_rate * options_.l2 * double(step++));
      // Forward: class probabilities for this example.
      for (std::size_t k = 0; k < classes; ++k) z[k] = bias[k];
      for (const auto& c : examples[i]) {
        const double* row = &v[std::size_t{c.row} * classes];
        for (std::size_t k = 0; k < classes; ++k) z[k] += scale * row[k] * c.value;
      }
      softmax(z);
      // Backward: gradient of cross-entropy is p - onehot(label).
      z[labels[i]] -= 1.0;
      scale *= 1.0 - eta * options_.l2;
      for (const auto& c : examples[i]) {
        double* row = &v[std::size_t{c.row} * classes];
        for (std::size_t k = 0; k < classes; ++k) row[k] -= eta * z[k] * c.value / scale;
      }
      for (std::size_t k = 0; k < classes; ++k) bias[k] -= eta * z[k];
      // Fold the scale back in before 1/scale grows large enough to lose precision.
      if (scale < 1e-6) {
        for (auto& w : v) w *= scale;
        scale = 1.0;
      }
    }
  }
  weights_.resize(v.size());
  for (std::size_t j = 0; j < v.size(); ++j) weights_[j] = static_cast<float>(v[j] * scale);
  bias_.assign(bias.begin(), bias.end());
}

std::vector<IntentClassifier::Column> IntentClassifier::known_columns(
    const std::vector<Feature>& features) const {
  std::vector<Column> out;
  out.reserve(features.size());
  for (const auto& f : features) {
    const auto it = std::lower_bound(buckets_.begin(), buckets_.end(), f.bucket);
    if (it != buckets_.end() && *it == f.bucket) {
      out.push_back({static_cast<std::uint32_t>(it - buckets_.begin()), f.value});
    }
  }
  return out;
}

std::vector<double> IntentClassifier::scores(const std::vector<Column>& columns) const {
  const std::size_t classes = intents_.size();
  std::vector<double> z(bias_.begin(), bias_.end());
  for (const auto& c : columns) {
    const float* row = &weights_[std::size_t{c.row} * classes];
    for (std::size_t k = 0; k < classes; ++k) z[k] += double(row[k]) * c.value;
  }
  return z;
}

std::vector<IntentPrediction> IntentClassifier::predict(std::string_view text) const {
  auto probabilities = scores(known_columns(extract_features(text, options_.features)));
  softmax(probabilities);
  std::vector<IntentPrediction> ranked;
  ranked.reserve(intents_.size());
  for (std::size_t k = 0; k < intents_.size(); ++k) {
    ranked.push_back({k, intents_[k].name, probabilities[k]});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.probability > b.probability; });
  return ranked;
}

std::optional<IntentPrediction> IntentClassifier::classify(std::string_view text,
                                                           double min_probability) const {
  auto ranked = predict(text);
  if (ranked.front().probability < min_probability) return std::nullopt;
  return ranked.front();
}

}  // namespace switchboard::intent
