// The server's TLS configuration as an OpenSSL context: the certificate chain and key from PEM
// files, checked against each other, and protocol settings that leave out what is broken
// (SSLv2/3, TLS 1.0/1.1, compression, renegotiation). Internal to src/http/.
//
// Thread-safety: build once before serving; the context is then shared read-only by the
// connections (OpenSSL allows concurrent SSL objects on one SSL_CTX).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "common/status.h"
#include "http/server.h"

namespace tracklake {

// Errors name the option and the file: NotFound / IoError when a file cannot be read,
// InvalidArgument when it holds no usable PEM certificate or key, or the key is not the
// certificate's. Key bytes never appear in an error and are wiped from memory once loaded.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsServerContext(const TlsOptions& options);

}  // namespace tracklake
