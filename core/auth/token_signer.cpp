#include "auth/token_signer.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "auth/signed_payload.hpp"
#include "auth/sodium.hpp"
#include "common/clock.hpp"

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

fs::path key_file(const fs::path& data_dir) {
  return data_dir / "secret.key";
}
fs::path retired_file(const fs::path& data_dir) {
  return data_dir / "secret.key.retired";
}

// secret.key.retired: one "HEX-KEY RETIRE_AT_S" line per key; none when absent.
std::vector<RetiredKey> read_retired(const fs::path& file) {
  std::vector<RetiredKey> out;
  std::error_code ec;
  if (!fs::exists(file, ec) && !ec) return out;
  std::ifstream in(file);
  if (!in) fail(file, "cannot read the retired token secrets (" + errno_text() + ")");
  std::string hex;
  int64_t retire_at_s = 0;
  while (in >> hex >> retire_at_s) {
    RetiredKey retired{{}, retire_at_s};
    std::size_t length = 0;
    if (sodium_hex2bin(retired.key.data(), retired.key.size(), hex.data(), hex.size(), nullptr,
                       &length, nullptr) != 0 ||
        length != kKeyBytes)
      fail(file, "a line is not a 32-byte key in hex followed by a time");
    out.push_back(retired);
  }
  if (!in.eof()) fail(file, "a line is not a 32-byte key in hex followed by a time");
  return out;
}

// Writes bytes to file through a temp file beside it (mode 0600, fsynced, renamed
// into place): a reader sees the old file or the new one, never half of one.
void replace_file(const fs::path& file, const std::string& bytes) {
  fs::path temp = file;
  temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(randombytes_random());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(temp, "cannot create (" + errno_text() + ")");
  const bool written =
      ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
      ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), file.c_str()) != 0) {
    if (written) saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    fail(file, "cannot write (" + errno_text() + ")");
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
  Claims claims;
  claims.kind = *kind;
  claims.tenant = *tenant;
  claims.subject = *subject;
  claims.role = *role;
  claims.expires_at_s = expires->get_int64();
  claims.epoch = static_cast<uint32_t>(epoch->get_int64());
  if (auto* session = text_field("sid")) claims.session = std::string(*session);
  if (auto* issued = object.if_contains("iat_ms"); issued && issued->is_int64())
    claims.issued_at_ms = issued->get_int64();
  return claims;
}

}  // namespace

TokenSigner TokenSigner::open(const fs::path& data_dir) {
  ensure_sodium();
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) fail(data_dir, "cannot create the data directory (" + ec.message() + ")");
  const fs::path file = key_file(data_dir);
  auto key = read_key(file);
  if (!key) {
    create_key(file);
    key = read_key(file);
  }
  if (!key) fail(file, "the token secret vanished right after it was created");
  return TokenSigner(*key, read_retired(retired_file(data_dir)));
}

void TokenSigner::rotate(const fs::path& data_dir, int64_t keep_s, int64_t now_s) {
  const TokenSigner old = open(data_dir);
  const auto keys = old.keys_.load();
  // The old key is retired first: a crash before the new key is in place leaves the
  // old one current (and retired too, which is harmless).
  std::string retired;
  auto add = [&](const RetiredKey& r) {
    std::string hex(kKeyBytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), r.key.data(), r.key.size());
    hex.pop_back();
    retired += hex + " " + std::to_string(r.retire_at_s) + "\n";
  };
  // Keeping nothing is the remedy for a leaked data dir, which holds the retired keys
  // too: every token signed before stops, not only the current key's.
  if (keep_s > 0) {
    for (const auto& r : keys->retired)
      if (r.retire_at_s > now_s) add(r);
    add({keys->current, now_s + keep_s});
  }
  replace_file(retired_file(data_dir), retired);

  Key fresh;
  randombytes_buf(fresh.data(), fresh.size());
  replace_file(key_file(data_dir), std::string(fresh.begin(), fresh.end()));
  sodium_memzero(fresh.data(), fresh.size());
}

TokenSigner::TokenSigner(Key key, std::vector<RetiredKey> retired)
    : keys_(std::make_shared<const Keys>(Keys{key, std::move(retired)})) {
  ensure_sodium();
}

TokenSigner::TokenSigner(TokenSigner&& other) noexcept : keys_(other.keys_.load()) {}

void TokenSigner::reload(const fs::path& data_dir) {
  const fs::path file = key_file(data_dir);
  auto key = read_key(file);
  if (!key) fail(file, "the token secret is gone");
  keys_.store(std::make_shared<const Keys>(Keys{*key, read_retired(retired_file(data_dir))}));
}

std::string TokenSigner::issue(const Claims& claims) const {
  boost::json::object object{
      {"kind", claims.kind},        {"tenant", claims.tenant},
      {"sub", claims.subject},      {"role", claims.role},
      {"exp", claims.expires_at_s}, {"epoch", static_cast<int64_t>(claims.epoch)}};
  if (!claims.session.empty()) object["sid"] = claims.session;
  if (claims.issued_at_ms != 0) object["iat_ms"] = claims.issued_at_ms;
  return sign_payload(boost::json::serialize(object), keys_.load()->current);
}

namespace {

// The MAC half of a signed payload; the prefix keeps it from ever equalling a
// token's own signature.
std::string csrf_under(std::string_view session_token, const Key& key) {
  const std::string signed_token = sign_payload("csrf\n" + std::string(session_token), key);
  return signed_token.substr(signed_token.rfind('.') + 1);
}

bool same_text(std::string_view given, const std::string& expected) {
  return given.size() == expected.size() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

std::string TokenSigner::csrf_token(std::string_view session_token) const {
  return csrf_under(session_token, keys_.load()->current);
}

bool TokenSigner::csrf_matches(std::string_view session_token, std::string_view given) const {
  const auto keys = keys_.load();
  if (same_text(given, csrf_under(session_token, keys->current))) return true;
  // A console signed in before a rotation holds a CSRF token of the old key.
  const int64_t now_s = wall_clock_ms() / 1000;
  for (const auto& r : keys->retired)
    if (r.retire_at_s > now_s && same_text(given, csrf_under(session_token, r.key))) return true;
  return false;
}

std::string TokenSigner::seal(std::string_view purpose, std::string_view payload) const {
  std::string text(purpose);
  text.push_back('\n');
  text.append(payload);
  return sign_payload(text, keys_.load()->current);
}

std::optional<std::string> TokenSigner::open_sealed(std::string_view purpose,
                                                    std::string_view sealed, int64_t now_s) const {
  const auto keys = keys_.load();
  auto text = open_signed_payload(sealed, keys->current);
  for (auto r = keys->retired.begin(); !text && r != keys->retired.end(); ++r)
    if (r->retire_at_s > now_s) text = open_signed_payload(sealed, r->key);
  // A token's payload is a JSON object: it never starts with a purpose and a line break.
  if (!text || text->size() <= purpose.size() || !text->starts_with(purpose) ||
      (*text)[purpose.size()] != '\n')
    return std::nullopt;
  return text->substr(purpose.size() + 1);
}

std::optional<Claims> TokenSigner::verify(std::string_view token, int64_t now_s) const {
  const auto keys = keys_.load();
  auto json = open_signed_payload(token, keys->current);
  for (auto r = keys->retired.begin(); !json && r != keys->retired.end(); ++r)
    if (r->retire_at_s > now_s) json = open_signed_payload(token, r->key);
  if (!json) return std::nullopt;
  auto claims = claims_from_json(*json);
  if (!claims || claims->expires_at_s <= now_s) return std::nullopt;
  return claims;
}

}  // namespace sb::auth
