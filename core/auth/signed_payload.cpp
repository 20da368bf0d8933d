#include "auth/signed_payload.hpp"

#include <sodium.h>

#include <array>
#include <cstring>

#include "auth/sodium.hpp"

namespace sb::auth {

namespace {

constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

std::string to_base64url(const unsigned char* data, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, kBase64Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, kBase64Variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, &end, kBase64Variant) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(size);
  return out;
}

// HMAC-SHA256 with a key of any length (the one-shot libsodium call takes 32 bytes
// only; the streaming form hashes longer keys as RFC 2104 says).
Mac mac_of(std::string_view data, std::span<const unsigned char> key) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  return mac;
}

}  // namespace

std::string sign_payload(std::string_view payload, std::span<const unsigned char> key) {
  std::string token =
      to_base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  const Mac mac = mac_of(token, key);
  token += '.';
  token += to_base64url(mac.data(), mac.size());
  return token;
}

std::optional<std::string> open_signed_payload(std::string_view token,
                                               std::span<const unsigned char> key) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view encoded = token.substr(0, dot);
  const auto given = from_base64url(token.substr(dot + 1));
  if (!given || given->size() != crypto_auth_hmacsha256_BYTES) return std::nullopt;
  const Mac expected = mac_of(encoded, key);
  if (sodium_memcmp(given->data(), expected.data(), expected.size()) != 0) return std::nullopt;
  return from_base64url(encoded);
}

}  // namespace sb::auth
