#include "hub/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace sb::hub {

namespace ssl = boost::asio::ssl;

namespace {

// The file opens for reading: a missing or unreadable file gets its own message
// rather than OpenSSL's.
void check_readable(const std::filesystem::path& file, std::string_view what) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error("cannot read the TLS " + std::string(what) + " file " + file.string() +
                             ": " + std::strerror(errno));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// What an operator checks after a renewal: whose certificate, which one, until when.
std::string describe(SSL_CTX* context) {
  X509* certificate = SSL_CTX_get0_certificate(context);
  if (!certificate) return "no certificate";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  std::string text = "subject " + bio_text(bio.get());
  (void)BIO_reset(bio.get());
  i2a_ASN1_INTEGER(bio.get(), X509_get0_serialNumber(certificate));
  text += ", serial " + bio_text(bio.get());
  (void)BIO_reset(bio.get());
  ASN1_TIME_print(bio.get(), X509_get0_notAfter(certificate));
  text += ", valid until " + bio_text(bio.get());
  if (X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0) text += " (EXPIRED)";
  return text;
}

std::shared_ptr<ssl::context> load(const TlsSettings& settings) {
  check_readable(settings.cert_file, "certificate");
  check_readable(settings.key_file, "key");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  // OpenSSL's default cipher lists; only the oldest protocol versions are cut.
  context->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use |
                       ssl::context::no_compression);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native,
                                settings.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  // An idle connection gives its read and write buffers back (thousands stay open).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

  boost::system::error_code ec;
  context->use_certificate_chain_file(settings.cert_file.string(), ec);
  if (ec)
    throw std::runtime_error("the TLS certificate file " + settings.cert_file.string() +
                             " holds no usable PEM certificate: " + ec.message());
  const auto mismatch = [&] {
    return std::runtime_error("the TLS key file " + settings.key_file.string() +
                              " does not hold the key of the certificate in " +
                              settings.cert_file.string());
  };
  context->use_private_key_file(settings.key_file.string(), ssl::context::pem, ec);
  // OpenSSL compares the key with the certificate as it reads it.
  if (ec && ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
    throw mismatch();
  if (ec)
    throw std::runtime_error("the TLS key file " + settings.key_file.string() +
                             " holds no usable PEM private key: " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) throw mismatch();
  return context;
}

}  // namespace

TlsContext::TlsContext(TlsSettings settings) : settings_(std::move(settings)) {
  current_ = load(settings_);
  description_ = describe(current_->native_handle());
}

TlsContext::~TlsContext() = default;

bool TlsContext::reload(std::string& error) {
  try {
    auto fresh = load(settings_);
    auto text = describe(fresh->native_handle());
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
    description_ = std::move(text);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

std::string TlsContext::description() const {
  std::lock_guard lock(mutex_);
  return description_;
}

std::shared_ptr<ssl::context> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace sb::hub
