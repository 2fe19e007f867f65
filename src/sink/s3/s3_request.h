// The S3 calls the sink makes, as data (S3Call), and the client that addresses, signs and
// sends them. Separate from the sink so that tests (and sigv4_tool) can see the exact request
// tracklake sends, byte for byte, without a server.
//
// Thread-safety: S3Client is immutable after Create; Send may run on many threads at once.
// Errors: Create returns InvalidArgument for a bad endpoint. Send returns the credential
// chain's error, or Unavailable when no HTTP response came back; any HTTP status is a response
// (see s3_errors.h for what it means).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "common/status.h"

namespace tracklake {

struct S3SinkOptions {
  std::string bucket;
  std::string prefix;  // prepended to every lake key ("events/"); '/' added if missing
  std::string region = "us-east-1";
  std::string endpoint;                        // "" = AWS (https://s3.<region>.amazonaws.com); else an override
  bool path_style = false;                     // https://host/bucket/key instead of https://bucket.host/key
  std::string sse;                             // "", "AES256" or "aws:kms"
  std::string sse_kms_key_id;                  // with sse = "aws:kms"; "" = the account's default key
  std::string storage_class;                   // "" = STANDARD
  uint64_t multipart_threshold = 64ull << 20;  // objects at least this big go multipart
  uint64_t part_size = 16ull << 20;            // S3 needs >= 5 MiB for all parts but the last
  int max_parallel_parts = 4;
  int64_t request_timeout_ms = aws::kDefaultRequestTimeoutMs;
  // Where multipart uploads in flight are recorded (s3_upload_records.h); "" records none.
  std::string uploads_dir;
};

// One S3 request before addressing and signing. key is the full object key (unencoded).
struct S3Call {
  std::string operation;  // "PutObject", for messages
  std::string method;
  std::string key;
  std::string query;  // already encoded, e.g. "partNumber=1&uploadId=abc"
  aws::HeaderList headers;
  std::string_view body;  // must outlive Send
};

// The calls the sink makes. Bodies are referenced, not copied.
std::string S3ObjectKey(const S3SinkOptions& options, std::string_view lake_key);
S3Call PutObjectCall(const S3SinkOptions& options, const std::string& key, std::string_view body, uint64_t events);
S3Call CreateMultipartUploadCall(const S3SinkOptions& options, const std::string& key, uint64_t events);
S3Call UploadPartCall(const std::string& key, const std::string& upload_id, int part_number, std::string_view body);
// The CompleteMultipartUpload document is built into `document`, which the call references.
S3Call CompleteMultipartUploadCall(const std::string& key, const std::string& upload_id,
                                   const std::vector<std::string>& etags, std::string& document);
S3Call AbortMultipartUploadCall(const std::string& key, const std::string& upload_id);
// HEAD of the bucket itself: 200 when it exists, these credentials reach it and the region is right.
S3Call HeadBucketCall();

// base64(MD5(body)), the Content-MD5 header S3 verifies.
std::string ContentMd5(std::string_view body);

class S3Client {
 public:
  static Result<std::unique_ptr<S3Client>> Create(const S3SinkOptions& options,
                                                  std::shared_ptr<aws::CredentialsProvider> credentials);

  // The request as it goes on the wire: URL, Host, the call's headers, the signature headers.
  aws::HttpRequest Prepare(const S3Call& call, const aws::Credentials& credentials, int64_t time_ms) const;
  // Credentials from the provider, signed now, sent.
  Result<aws::HttpResponse> Send(const S3Call& call) const;

 private:
  S3Client(const S3SinkOptions& options, std::shared_ptr<aws::CredentialsProvider> credentials)
      : options_(options), credentials_(std::move(credentials)) {}
  S3SinkOptions options_;
  std::string scheme_;
  std::string host_;       // the Host header: "bucket.s3.eu-west-1.amazonaws.com", "127.0.0.1:5000"
  std::string base_path_;  // "" or "/bucket" (path style), plus any path of the endpoint
  std::shared_ptr<aws::CredentialsProvider> credentials_;
};

}  // namespace tracklake
