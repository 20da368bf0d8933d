#include "auth/token_signer.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "auth/signed_payload.hpp"
#include "auth/sodium.hpp"

namespace sb::auth {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kKeyBytes = 32;

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

std::string errno_text() {
  return std::strerror(errno);
}

// nullopt when the file does not exist; throws on any other problem.
std::optional<std::array<unsigned char, kKeyBytes>> read_key(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail(file, "cannot open the token secret (" + errno_text() + ")");
  }
  std::array<unsigned char, kKeyBytes + 1> buffer;  // one extra byte detects a too-long file
  std::size_t got = 0;
  while (got < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail(file, "cannot read the token secret (" + errno_text() + ")");
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != kKeyBytes)
    fail(file,
         "the token secret must be exactly 32 bytes; delete the file to create a new one "
         "(every issued token becomes invalid)");
  std::array<unsigned char, kKeyBytes> key;
  std::memcpy(key.data(), buffer.data(), kKeyBytes);
  return key;
}

// Writes a new key beside the final name and links it into place, so a concurrent
// reader never sees a half-written key and two processes starting at once end up
// with the same key (link fails if the other won).
void create_key(const fs::path& file) {
  std::array<unsigned char, kKeyBytes> key;
  randombytes_buf(key.data(), key.size());
  fs::path temp = file;
  // Unique per caller, so racing threads of one process never share a temp file.
  temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(randombytes_random());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(temp, "cannot create the token secret (" + errno_text() + ")");
  bool written =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  sodium_memzero(key.data(), key.size());
  if (!written) {
    ::unlink(temp.c_str());
    errno = saved;
    fail(temp, "cannot write the token secret (" + errno_text() + ")");
  }
  int linked = ::link(temp.c_str(), file.c_str());
  saved = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && saved != EEXIST) {
    errno = saved;
    fail(file, "cannot create the token secret (" + errno_text() + ")");
  }
}

std::optional<Claims> claims_from_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  auto text_field = [&](const char* name) -> const boost::json::string* {
    auto* field = object.if_contains(name);
    return field ? field->if_string() : nullptr;
  };
  auto* kind = text_field("kind");
  auto* tenant = text_field("tenant");
  auto* subject = text_field("sub");
  auto* role = text_field("role");
  auto* expires = object.if_contains("exp");
  auto* epoch = object.if_contains("epoch");
  if (!kind || !tenant || !subject || !role || !expires || !expires->is_int64() || !epoch ||
      !epoch->is_int64() || epoch->get_int64() < 0 || epoch->get_int64() > UINT32_MAX)
    return std::nullopt;
  Claims claims{std::string(*kind),    std::string(*tenant),
                std::string(*subject), std::string(*role),
                expires->get_int64(),  static_cast<uint32_t>(epoch->get_int64())};
  if (auto* session = text_field("sid")) claims.session = std::string(*session);
  return claims;
}

}  // namespace

TokenSigner TokenSigner::open(const fs::path& data_dir) {
  ensure_sodium();
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) fail(data_dir, "cannot create the data directory (" + ec.message() + ")");
  fs::path file = data_dir / "secret.key";
  if (auto key = read_key(file)) return TokenSigner(*key);
  create_key(file);
  if (auto key = read_key(file)) return TokenSigner(*key);
  fail(file, "the token secret vanished right after it was created");
}

TokenSigner::TokenSigner(std::array<unsigned char, 32> key) : key_(key) {
  ensure_sodium();
}

std::string TokenSigner::issue(const Claims& claims) const {
  boost::json::object object{
      {"kind", claims.kind},        {"tenant", claims.tenant},
      {"sub", claims.subject},      {"role", claims.role},
      {"exp", claims.expires_at_s}, {"epoch", static_cast<int64_t>(claims.epoch)}};
  if (!claims.session.empty()) object["sid"] = claims.session;
  return sign_payload(boost::json::serialize(object), key_);
}

std::string TokenSigner::csrf_token(std::string_view session_token) const {
  // The MAC half of a signed payload; the prefix keeps it from ever equalling a
  // token's own signature.
  const std::string signed_token = sign_payload("csrf\n" + std::string(session_token), key_);
  return signed_token.substr(signed_token.rfind('.') + 1);
}

bool TokenSigner::csrf_matches(std::string_view session_token, std::string_view given) const {
  const std::string expected = csrf_token(session_token);
  return given.size() == expected.size() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::optional<Claims> TokenSigner::verify(std::string_view token, int64_t now_s) const {
  auto json = open_signed_payload(token, key_);
  if (!json) return std::nullopt;
  auto claims = claims_from_json(*json);
  if (!claims || claims->expires_at_s <= now_s) return std::nullopt;
  return claims;
}

}  // namespace sb::auth
