// Self-signed certificates made at test time (with the openssl command), for servers
// that speak TLS in tests.
#pragma once

#include <filesystem>
#include <string>

namespace sb::test {

struct TlsFiles {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

// Writes NAME.crt and NAME.key into dir: a fresh P-256 key and a certificate for
// 127.0.0.1 and localhost with subject CN=common_name and the given serial, valid for
// a day. Throws with openssl's output if it fails.
TlsFiles make_self_signed(const std::filesystem::path& dir, const std::string& name,
                          const std::string& common_name, unsigned serial);

}  // namespace sb::test
