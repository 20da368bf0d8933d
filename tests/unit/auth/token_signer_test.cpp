#include "auth/token_signer.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using sb::auth::Claims;
using sb::auth::TokenSigner;

namespace {

constexpr int64_t kNow_s = 1'800'000'000;

std::array<unsigned char, 32> token_signer_key_of(unsigned char fill) {
  std::array<unsigned char, 32> key;
  key.fill(fill);
  return key;
}

Claims agent_claims() {
  return Claims{"agent", "demo", "dana", "admin", kNow_s + 3600, 7};
}

struct TokenSignerTempDir {
  fs::path path =
      fs::temp_directory_path() / ("sb-auth-test-" + std::to_string(std::random_device{}()));
  ~TokenSignerTempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("an issued token verifies to the same claims") {
  TokenSigner signer(token_signer_key_of(1));
  std::string token = signer.issue(agent_claims());
  auto claims = signer.verify(token, kNow_s);
  REQUIRE(claims);
  CHECK(*claims == agent_claims());

  Claims visitor{"visitor", "acme", "v_123", "visitor", kNow_s + 60, 0};
  CHECK(signer.verify(signer.issue(visitor), kNow_s) == visitor);
}

TEST_CASE("tokens are safe in a URL query without escaping") {
  TokenSigner signer(token_signer_key_of(2));
  Claims claims = agent_claims();
  claims.subject =
      "??&&==//++ \xc3\xa9";  // characters that would need escaping if they leaked through
  std::string token = signer.issue(claims);
  for (char c : token) {
    INFO(token);
    CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'));
  }
  CHECK(signer.verify(token, kNow_s)->subject == claims.subject);
}

TEST_CASE("an expired token is rejected") {
  TokenSigner signer(token_signer_key_of(3));
  std::string token = signer.issue(agent_claims());
  CHECK(signer.verify(token, kNow_s + 3599));
  CHECK_FALSE(signer.verify(token, kNow_s + 3600));
  CHECK_FALSE(signer.verify(token, kNow_s + 100000));
}

TEST_CASE("a token signed with another key is rejected") {
  std::string token = TokenSigner(token_signer_key_of(4)).issue(agent_claims());
  CHECK_FALSE(TokenSigner(token_signer_key_of(5)).verify(token, kNow_s));
}

TEST_CASE("any change to a token is rejected") {
  TokenSigner signer(token_signer_key_of(6));
  std::string token = signer.issue(agent_claims());
  // Flip every character in turn: payload or signature, nothing passes.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    if (tampered == token) continue;
    INFO(i);
    CHECK_FALSE(signer.verify(tampered, kNow_s));
  }
  // A forged payload (admin role, far expiry) with the original signature.
  std::string signature = token.substr(token.find('.'));
  Claims forged = agent_claims();
  forged.expires_at_s = kNow_s * 2;
  std::string other = signer.issue(forged);
  CHECK_FALSE(signer.verify(other.substr(0, other.find('.')) + signature, kNow_s));
}

TEST_CASE("malformed tokens are rejected") {
  TokenSigner signer(token_signer_key_of(7));
  std::string token = signer.issue(agent_claims());
  for (std::string bad :
       {std::string(), std::string("."), std::string("abc"), token.substr(0, token.find('.')),
        token + ".", "." + token, token + "=", token.substr(0, token.size() - 1)}) {
    INFO(bad);
    CHECK_FALSE(signer.verify(bad, kNow_s));
  }
}

TEST_CASE("open creates the secret once, 0600, and reuses it") {
  TokenSignerTempDir dir;
  fs::path data_dir = dir.path / "nested" / "var";
  std::string token = TokenSigner::open(data_dir).issue(agent_claims());

  fs::path key_file = data_dir / "secret.key";
  REQUIRE(fs::exists(key_file));
  CHECK(fs::file_size(key_file) == 32);
  struct stat info {};
  REQUIRE(::stat(key_file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // A restart (or another worker process) verifies tokens issued before.
  CHECK(TokenSigner::open(data_dir).verify(token, kNow_s));
  // Another install does not.
  TokenSignerTempDir other;
  CHECK_FALSE(TokenSigner::open(other.path).verify(token, kNow_s));
  // No temporary files are left behind.
  CHECK(std::distance(fs::directory_iterator(data_dir), fs::directory_iterator()) == 1);
}

TEST_CASE("workers starting at once agree on one secret") {
  TokenSignerTempDir dir;
  std::vector<std::string> tokens(8);
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    workers.emplace_back([&, i] { tokens[i] = TokenSigner::open(dir.path).issue(agent_claims()); });
  for (auto& worker : workers) worker.join();
  auto signer = TokenSigner::open(dir.path);
  for (const auto& token : tokens) CHECK(signer.verify(token, kNow_s));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("open refuses a damaged secret with a clear message") {
  TokenSignerTempDir dir;
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "secret.key") << "short";
  CHECK_THROWS_WITH(TokenSigner::open(dir.path),
                    Catch::Contains("secret.key") && Catch::Contains("32 bytes"));
}

TEST_CASE("open reports a data directory it cannot create") {
  TokenSignerTempDir dir;
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "file") << "x";
  CHECK_THROWS_WITH(TokenSigner::open(dir.path / "file" / "var"),
                    Catch::Contains("data directory"));
}

TEST_CASE(
    "a rotated key: old tokens verify until the retired key's time, new ones use the new key") {
  TokenSignerTempDir dir;
  TokenSigner before = TokenSigner::open(dir.path);
  const Claims claims = agent_claims();
  const std::string old_token = before.issue(claims);
  const std::string old_csrf = before.csrf_token(old_token);

  TokenSigner::rotate(dir.path, 600, kNow_s);  // old key accepted 10 more minutes
  TokenSigner after = TokenSigner::open(dir.path);
  CHECK(after.verify(old_token, kNow_s + 1) == claims);
  CHECK(after.csrf_matches(old_token, old_csrf));  // a console signed in before still writes
  const std::string new_token = after.issue(claims);
  CHECK(new_token != old_token);
  CHECK_FALSE(before.verify(new_token, kNow_s));  // signed with the new key
  // Past the retired key's time its tokens stop, whatever their own expiry.
  CHECK_FALSE(after.verify(old_token, kNow_s + 601));
  CHECK(after.verify(new_token, kNow_s + 601));

  // A running signer takes the rotation up on reload, keeping the old key's tokens.
  before.reload(dir.path);
  CHECK(before.verify(new_token, kNow_s));
  CHECK(before.verify(old_token, kNow_s));
  CHECK(before.issue(claims) == new_token);
}

TEST_CASE("rotating with no time to keep signs everyone out, retired keys past their time go") {
  TokenSignerTempDir dir;
  const std::string first = TokenSigner::open(dir.path).issue(agent_claims());
  TokenSigner::rotate(dir.path, 0, kNow_s);
  CHECK_FALSE(TokenSigner::open(dir.path).verify(first, kNow_s));

  const std::string second = TokenSigner::open(dir.path).issue(agent_claims());
  TokenSigner::rotate(dir.path, 60, kNow_s);
  TokenSigner::rotate(dir.path, 60, kNow_s + 120);  // the key retired at kNow_s has expired
  std::ifstream retired(dir.path / "secret.key.retired");
  const std::string text((std::istreambuf_iterator<char>(retired)), {});
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  CHECK_FALSE(TokenSigner::open(dir.path).verify(second, kNow_s + 121));

  // After a rotation that kept the old key, keeping nothing signs out the holders of
  // both keys: a leaked data dir leaks the retired keys too.
  const std::string third = TokenSigner::open(dir.path).issue(agent_claims());
  TokenSigner::rotate(dir.path, 3600, kNow_s + 200);
  const std::string fourth = TokenSigner::open(dir.path).issue(agent_claims());
  CHECK(TokenSigner::open(dir.path).verify(third, kNow_s + 201));
  TokenSigner::rotate(dir.path, 0, kNow_s + 300);
  CHECK_FALSE(TokenSigner::open(dir.path).verify(third, kNow_s + 301));
  CHECK_FALSE(TokenSigner::open(dir.path).verify(fourth, kNow_s + 301));
}

TEST_CASE("a damaged retired-keys file is refused with a clear message") {
  TokenSignerTempDir dir;
  TokenSigner::open(dir.path);
  std::ofstream(dir.path / "secret.key.retired") << "not-hex 123\n";
  CHECK_THROWS_WITH(TokenSigner::open(dir.path),
                    Catch::Contains("secret.key.retired") && Catch::Contains("32-byte key"));
}

TEST_CASE("a sealed payload opens for its purpose only, and is never a token") {
  TokenSigner signer(token_signer_key_of(1));
  const std::string sealed = signer.seal("node-forward", R"({"to":"node-a"})");
  CHECK(signer.open_sealed("node-forward", sealed, kNow_s) == R"({"to":"node-a"})");
  CHECK_FALSE(signer.open_sealed("node-forwarded", sealed, kNow_s));
  CHECK_FALSE(signer.open_sealed("node", sealed, kNow_s));
  CHECK_FALSE(TokenSigner(token_signer_key_of(2)).open_sealed("node-forward", sealed, kNow_s));
  // Neither stands for the other, under the same key.
  CHECK_FALSE(signer.verify(sealed, kNow_s));
  CHECK_FALSE(signer.open_sealed("node-forward", signer.issue(agent_claims()), kNow_s));
}

TEST_CASE("a payload sealed before a rotation opens while the retired key is in use") {
  TokenSignerTempDir dir;
  const std::string sealed = TokenSigner::open(dir.path).seal("node-forward", "x");
  TokenSigner::rotate(dir.path, 60, kNow_s);
  const TokenSigner after = TokenSigner::open(dir.path);
  CHECK(after.open_sealed("node-forward", sealed, kNow_s + 59) == "x");
  CHECK_FALSE(after.open_sealed("node-forward", sealed, kNow_s + 61));
}
