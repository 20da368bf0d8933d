#include "auth/password.hpp"

#include <catch2/catch.hpp>

using sb::auth::hash_password;
using sb::auth::verify_password;

TEST_CASE("a hashed password verifies, another password does not") {
  std::string hash = hash_password("correct horse");
  CHECK(hash.starts_with("$argon2id$"));
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(verify_password(hash, "correct horse"));
  CHECK_FALSE(verify_password(hash, "correct hors"));
  CHECK_FALSE(verify_password(hash, ""));
}

TEST_CASE("hashing the same password twice gives different hashes (salted)") {
  std::string a = hash_password("same");
  std::string b = hash_password("same");
  CHECK(a != b);
  CHECK(verify_password(a, "same"));
  CHECK(verify_password(b, "same"));
}

TEST_CASE("passwords with any bytes work, including empty and NUL") {
  std::string tricky("p\0ss \xe2\x9c\x93", 8);
  std::string hash = hash_password(tricky);
  CHECK(verify_password(hash, tricky));
  CHECK_FALSE(verify_password(hash, "p"));
  CHECK(verify_password(hash_password(""), ""));
}

TEST_CASE("malformed hashes never verify") {
  std::string good = hash_password("pw");
  for (std::string bad : {std::string(), std::string("pw"), std::string("$argon2id$"),
                          good.substr(0, good.size() - 4), good + std::string(200, 'A'),
                          std::string(good).insert(10, 1, '\0')}) {
    CHECK_FALSE(verify_password(bad, "pw"));
  }
}

TEST_CASE("the hash unknown accounts are checked against costs what a real one does") {
  // The same algorithm and parameters ("$argon2id$v=19$m=...,t=...,p=...$") as a
  // hash made now, so verifying it takes as long as a wrong password for an account.
  const std::string made = hash_password("anything");
  const auto parameters = [](std::string_view hash) {
    return hash.substr(0, hash.find('$', hash.find("$m=") + 1) + 1);
  };
  CHECK(parameters(sb::auth::kTimingEqualiserHash) == parameters(made));
  CHECK(parameters(made).find("$m=") != std::string::npos);
  CHECK_FALSE(verify_password(sb::auth::kTimingEqualiserHash, ""));
  CHECK_FALSE(verify_password(sb::auth::kTimingEqualiserHash, "switchboard-timing-equaliser"));
}
