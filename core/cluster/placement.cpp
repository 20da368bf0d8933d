#include "cluster/placement.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sb::cluster {

uint64_t rendezvous_weight(std::string_view tenant_id, std::string_view node_id) {
  std::string key;
  key.reserve(tenant_id.size() + 1 + node_id.size());
  key.append(tenant_id).push_back('\0');
  key.append(node_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length < 8)
    throw std::runtime_error("SHA-256 failed");
  uint64_t weight = 0;
  for (int i = 0; i < 8; ++i) weight = (weight << 8) | digest[i];
  return weight;
}

std::string owner_of(std::string_view tenant_id, const std::vector<std::string>& nodes) {
  std::string best;
  uint64_t best_weight = 0;
  for (const auto& node : nodes) {
    const uint64_t weight = rendezvous_weight(tenant_id, node);
    if (best.empty() || weight > best_weight || (weight == best_weight && node < best)) {
      best = node;
      best_weight = weight;
    }
  }
  return best;
}

}  // namespace sb::cluster
