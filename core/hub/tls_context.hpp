// The server's TLS certificate and key, ready for handshakes, and their reload.
//
// OpenSSL stays behind this header: whoever only passes a TlsContext around (the
// server, the hub's options) does not compile Asio's SSL headers.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace sb::hub {

struct TlsSettings {
  std::filesystem::path cert_file;  // PEM: the certificate, then any intermediates
  std::filesystem::path key_file;   // PEM: its private key, unencrypted
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

class TlsContext {
 public:
  // Reads and checks the files; throws std::runtime_error naming the file that
  // cannot be used (missing, unreadable, not PEM, key not matching the certificate).
  explicit TlsContext(TlsSettings settings);
  ~TlsContext();

  // Reads the files again (a renewal replaced them). New handshakes use the new
  // certificate, connections already open keep theirs. On failure the certificate
  // in use stays and the error says why. Any thread.
  bool reload(std::string& error);

  // The context for the next handshake. Any thread.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // "subject ..., serial ..., valid until ...": for the log.
  std::string description() const;
  const TlsSettings& settings() const { return settings_; }

 private:
  TlsSettings settings_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mutex_
  std::string description_;                             // written only with current_
};

}  // namespace sb::hub
