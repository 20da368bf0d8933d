// A blocking HTTP/1.1 client for one request at a time, with a deadline. Enough for
// login, history, health and metrics; no Beast types leak out of this header.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sb::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  // The body as JSON; throws with the body in the message if it is not JSON.
  boost::json::value json() const;
};

HttpResponse http_request(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = {}, const Headers& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

inline HttpResponse http_get(uint16_t port, const std::string& target,
                             const Headers& headers = {}) {
  return http_request(port, "GET", target, {}, headers);
}
HttpResponse http_post_json(uint16_t port, const std::string& target,
                            const boost::json::value& body, const Headers& headers = {});
// The same over TLS (https://127.0.0.1:port). Any certificate is accepted: the
// tests' servers use self-signed ones.
HttpResponse https_request(uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body = {}, const Headers& headers = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
inline HttpResponse https_get(uint16_t port, const std::string& target,
                              const Headers& headers = {}) {
  return https_request(port, "GET", target, {}, headers);
}
HttpResponse https_post_json(uint16_t port, const std::string& target,
                             const boost::json::value& body, const Headers& headers = {});

// The certificate a new TLS connection to the port is shown (a handshake, nothing
// more); throws if the handshake fails.
struct TlsCertificateSeen {
  std::string subject;  // e.g. "CN=first"
  std::string serial;   // hex, as OpenSSL prints it
};
TlsCertificateSeen tls_certificate_seen(
    uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

inline Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace sb::test
