// AWS Signature Version 4 over OpenSSL: canonical request, string to sign, signing key and the
// Authorization header, for S3 (no path normalisation, no double encoding, signed payload hash
// in x-amz-content-sha256) and for the other services (normalised, double-encoded paths).
//
// tracklake signs requests itself instead of using libcurl's CURLOPT_AWS_SIGV4, which on
// Debian 12 (curl 7.88) mis-signs S3 requests (unsorted query strings, "?uploads", '=' and ':'
// in keys, x-amz-meta-* headers sharing a prefix).
//
// Pure functions, thread-safe. Preconditions: the request's headers include "host"; the path
// and query are exactly what goes on the request line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"

namespace tracklake::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SignableRequest {
  std::string method;  // "PUT"
  std::string path;    // as on the request line, e.g. "/bucket/a%3Db.gz"
  std::string query;   // as on the request line without '?', e.g. "partNumber=1&uploadId=x"
  HeaderList headers;  // names in any case; repeated names allowed
  // Hex SHA-256 of the body (or "UNSIGNED-PAYLOAD"); empty: the hash of the empty body.
  std::string payload_hash;
};

struct SigningOptions {
  std::string region;   // "us-east-1"
  std::string service;  // "s3", "sts", "firehose"
  int64_t time_ms = 0;  // request time, Unix ms
  // S3 signs the path as sent; every other service removes "." / ".." / empty segments and
  // URI-encodes the (already encoded) path once more.
  bool normalize_path = true;
  bool double_encode_path = true;
  // S3 requires the payload hash as a signed x-amz-content-sha256 header.
  bool add_content_sha256_header = false;
  // A few services want the session token added after signing; S3, STS and Firehose sign it.
  bool sign_session_token = true;
};

// The S3 rules: path signed exactly as sent, payload hash as a signed x-amz-content-sha256.
// Other services (STS, Firehose) use SigningOptions' defaults.
SigningOptions S3SigningOptions(std::string region, int64_t time_ms);

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // hex
  std::string authorization;
  // Headers to add to the request as sent: X-Amz-Date, X-Amz-Security-Token,
  // X-Amz-Content-Sha256 (when asked for) and Authorization.
  HeaderList headers_to_add;
};

SignedRequest SignRequest(const SignableRequest& request, const Credentials& credentials,
                          const SigningOptions& options);

// RFC 3986 percent-encoding as AWS specifies it: everything but A-Z a-z 0-9 - . _ ~ becomes
// %XX (upper-case hex); '/' is kept when keep_slash (object keys in paths).
std::string UriEncode(std::string_view text, bool keep_slash);
// Reverses %XX escapes (malformed escapes are kept as they are).
std::string UriDecode(std::string_view text);

// Digests as lower-case hex, and the raw HMAC used to derive the signing key.
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// "20150830T123600Z" and "20150830".
std::string AmzDate(int64_t time_ms);

}  // namespace tracklake::aws
