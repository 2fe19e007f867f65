#include "http/tls_context.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <string>

namespace tracklake {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites of Mozilla's "intermediate" profile (forward secrecy, AEAD only), minus DHE,
// which would need DH parameters of our own. TLS 1.3 suites are all sound; OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Our own read gives "cannot read <file>: <errno text>"; OpenSSL's file loaders would report a
// missing file as a PEM parse error.
Result<std::string> ReadPemFile(std::string_view option, const std::string& path) {
  const std::string what = std::string(option) + " " + path;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(what + " does not exist");
    return Status::FromErrno("cannot read " + what, err);
  }
  std::string text;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  const int err = errno;
  std::fclose(file);
  OPENSSL_cleanse(buffer, sizeof(buffer));
  if (failed) return Status::FromErrno("cannot read " + what, err);
  return text;
}

// Wipes the key's PEM text when loading is done, whichever way it ends.
struct CleansedString {
  std::string text;
  ~CleansedString() { OPENSSL_cleanse(text.data(), text.size()); }
};

void WarnIfOutsideValidity(SSL_CTX* ctx, const std::string& cert_file) {
  const X509* leaf = SSL_CTX_get0_certificate(ctx);
  if (leaf == nullptr) return;
  // Starting anyway keeps a collector up whose clients pin the certificate or skip checks;
  // the warning is what an operator needs to see.
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    spdlog::warn("the TLS certificate in {} has expired: clients that verify it will refuse to connect", cert_file);
  } else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
    spdlog::warn("the TLS certificate in {} is not valid yet: clients that verify it will refuse to connect",
                 cert_file);
  }
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeTlsServerContext(const TlsOptions& options) {
  Result<std::string> chain = ReadPemFile("server.tls_cert", options.cert_file);
  if (!chain.ok()) return chain.status();
  Result<std::string> key_text = ReadPemFile("server.tls_key", options.key_file);
  if (!key_text.ok()) return key_text.status();
  const CleansedString key{std::move(key_text).value()};

  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  // The option bits above are deprecated in OpenSSL 3 in favour of a version floor; set both.
  const int floor = options.min_version == TlsMinVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  // The server picks the suite so that a client's weak preference cannot win; renegotiation
  // is a DoS lever HTTP/1.1 clients never need.
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, floor) != 1 || SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status::InvalidArgument("the OpenSSL library refused the TLS protocol settings");
  }

  // OpenSSL's default would prompt on the terminal for the passphrase of an encrypted key, and
  // a service would hang there; an empty one makes such a key fail to load instead.
  ctx->set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(*chain), ec);
  if (ec) {
    return Status::InvalidArgument("server.tls_cert " + options.cert_file + ": not a PEM certificate chain (" +
                                   ec.message() + ")");
  }
  const Status mismatch = Status::InvalidArgument("server.tls_key " + options.key_file +
                                                  " is not the private key of the certificate in server.tls_cert " +
                                                  options.cert_file);
  ctx->use_private_key(boost::asio::buffer(key.text), ssl::context::pem, ec);
  if (ec) {
    // OpenSSL 3 refuses a key that does not match the certificate here.
    const auto code = static_cast<unsigned long>(ec.value());
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) return mismatch;
    return Status::InvalidArgument("server.tls_key " + options.key_file + ": not an unencrypted PEM private key (" +
                                   ec.message() + ")");
  }
  // Older OpenSSL loads a mismatched key without complaint; every handshake would then fail.
  if (SSL_CTX_check_private_key(native) != 1) return mismatch;
  WarnIfOutsideValidity(native, options.cert_file);
  return ctx;
}

}  // namespace tracklake
