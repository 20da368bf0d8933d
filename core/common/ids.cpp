#include "common/ids.hpp"

#include <sodium.h>

#include <array>

namespace sb {

std::string new_id(std::string_view prefix) {
  std::array<unsigned char, 16> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 33> hex;
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  std::string id;
  id.reserve(prefix.size() + 1 + 32);
  id.append(prefix).append("_").append(hex.data(), 32);
  return id;
}

}  // namespace sb
