#include "support/tls_files.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "support/process.hpp"

namespace sb::test {

namespace {

// The openssl command, found on PATH as a shell would.
std::string openssl_command() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto end = dirs.find(':');
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, end)) / "openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (end == std::string_view::npos) break;
    dirs.remove_prefix(end + 1);
  }
  throw std::runtime_error("the openssl command is not installed (Debian: apt install openssl)");
}

}  // namespace

TlsFiles make_self_signed(const std::filesystem::path& dir, const std::string& name,
                          const std::string& common_name, unsigned serial) {
  TlsFiles files{dir / (name + ".crt"), dir / (name + ".key")};
  const auto result = run_process({openssl_command(),
                                   "req",
                                   "-x509",
                                   "-newkey",
                                   "ec",
                                   "-pkeyopt",
                                   "ec_paramgen_curve:prime256v1",
                                   "-nodes",
                                   "-days",
                                   "1",
                                   "-subj",
                                   "/CN=" + common_name,
                                   "-set_serial",
                                   std::to_string(serial),
                                   "-addext",
                                   "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                   "-keyout",
                                   files.key_file.string(),
                                   "-out",
                                   files.cert_file.string()});
  if (result.exit_code != 0)
    throw std::runtime_error("openssl req failed (" + std::to_string(result.exit_code) +
                             "): " + result.err);
  return files;
}

}  // namespace sb::test
