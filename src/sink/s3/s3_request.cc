#include "sink/s3/s3_request.h"

#include <openssl/evp.h>

#include "aws/xml.h"
#include "common/time_util.h"

namespace tracklake {
namespace {

constexpr std::string_view kParquetSuffix = ".parquet";
constexpr std::string_view kGzipSuffix = ".gz";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Set on the object so that tools (and browsers of the bucket) know what the bytes are. Never
// Content-Encoding: gzip, which would make HTTP clients decompress the file on download.
std::string ContentTypeFor(std::string_view key) {
  if (EndsWith(key, kParquetSuffix)) return "application/vnd.apache.parquet";
  if (EndsWith(key, kGzipSuffix)) return "application/gzip";
  return "application/octet-stream";
}

// Headers that describe the stored object: given on PutObject and CreateMultipartUpload only.
aws::HeaderList ObjectHeaders(const S3SinkOptions& options, const std::string& key, uint64_t events) {
  aws::HeaderList headers{{"Content-Type", ContentTypeFor(key)},
                          {"x-amz-meta-tracklake-events", std::to_string(events)}};
  if (!options.sse.empty()) {
    headers.emplace_back("x-amz-server-side-encryption", options.sse);
    if (options.sse == "aws:kms" && !options.sse_kms_key_id.empty()) {
      headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id);
    }
  }
  if (!options.storage_class.empty()) headers.emplace_back("x-amz-storage-class", options.storage_class);
  return headers;
}

}  // namespace

std::string ContentMd5(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[2 * EVP_MAX_MD_SIZE];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

std::string S3ObjectKey(const S3SinkOptions& options, std::string_view lake_key) {
  if (options.prefix.empty()) return std::string(lake_key);
  return options.prefix + (options.prefix.back() == '/' ? "" : "/") + std::string(lake_key);
}

S3Call PutObjectCall(const S3SinkOptions& options, const std::string& key, std::string_view body, uint64_t events) {
  S3Call call{"PutObject", "PUT", key, "", ObjectHeaders(options, key, events), body};
  call.headers.emplace_back("Content-MD5", ContentMd5(body));
  return call;
}

S3Call CreateMultipartUploadCall(const S3SinkOptions& options, const std::string& key, uint64_t events) {
  return S3Call{"CreateMultipartUpload", "POST", key, "uploads", ObjectHeaders(options, key, events), {}};
}

S3Call UploadPartCall(const std::string& key, const std::string& upload_id, int part_number, std::string_view body) {
  S3Call call{"UploadPart",
              "PUT",
              key,
              "partNumber=" + std::to_string(part_number) + "&uploadId=" + aws::UriEncode(upload_id, false),
              {},
              body};
  call.headers.emplace_back("Content-MD5", ContentMd5(body));
  return call;
}

S3Call CompleteMultipartUploadCall(const std::string& key, const std::string& upload_id,
                                   const std::vector<std::string>& etags, std::string& document) {
  document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags.size(); ++i) {
    document += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + aws::XmlEscape(etags[i]) +
                "</ETag></Part>";
  }
  document += "</CompleteMultipartUpload>";
  S3Call call{"CompleteMultipartUpload",
              "POST",
              key,
              "uploadId=" + aws::UriEncode(upload_id, false),
              {{"Content-Type", "application/xml"}},
              document};
  call.headers.emplace_back("Content-MD5", ContentMd5(document));
  return call;
}

S3Call AbortMultipartUploadCall(const std::string& key, const std::string& upload_id) {
  return S3Call{"AbortMultipartUpload", "DELETE", key, "uploadId=" + aws::UriEncode(upload_id, false), {}, {}};
}

S3Call HeadBucketCall() { return S3Call{"HeadBucket", "HEAD", "", "", {}, {}}; }

Result<std::unique_ptr<S3Client>> S3Client::Create(const S3SinkOptions& options,
                                                   std::shared_ptr<aws::CredentialsProvider> credentials) {
  if (options.bucket.empty()) return Status::InvalidArgument("s3.bucket is empty");
  const std::string endpoint = options.endpoint.empty() ? "https://s3." + options.region + ".amazonaws.com"
                                                        : options.endpoint;
  Result<aws::Url> url = aws::ParseUrl(endpoint);
  if (!url.ok()) return Status::InvalidArgument("s3.endpoint: " + url.status().message());
  std::unique_ptr<S3Client> client(new S3Client(options, std::move(credentials)));
  client->scheme_ = url->scheme;
  if (options.path_style) {
    client->host_ = url->authority;
    client->base_path_ = url->path + "/" + aws::UriEncode(options.bucket, false);
  } else {
    client->host_ = options.bucket + "." + url->authority;
    client->base_path_ = url->path;
  }
  return client;
}

aws::HttpRequest S3Client::Prepare(const S3Call& call, const aws::Credentials& credentials, int64_t time_ms) const {
  aws::SignableRequest signable;
  signable.method = call.method;
  // S3 object keys are encoded once, '/' kept, and signed exactly as sent.
  signable.path = base_path_ + "/" + aws::UriEncode(call.key, /*keep_slash=*/true);
  signable.query = call.query;
  signable.headers.emplace_back("Host", host_);
  signable.headers.insert(signable.headers.end(), call.headers.begin(), call.headers.end());
  signable.payload_hash = aws::Sha256Hex(call.body);
  const aws::SigningOptions signing = aws::S3SigningOptions(options_.region, time_ms);
  aws::SignedRequest signed_request = aws::SignRequest(signable, credentials, signing);

  aws::HttpRequest request;
  request.method = call.method;
  request.url = scheme_ + "://" + host_ + signable.path + (call.query.empty() ? "" : "?" + call.query);
  request.headers = std::move(signable.headers);
  request.headers.insert(request.headers.end(), signed_request.headers_to_add.begin(),
                         signed_request.headers_to_add.end());
  request.body = call.body;
  request.timeout_ms = options_.request_timeout_ms;
  return request;
}

Result<aws::HttpResponse> S3Client::Send(const S3Call& call) const {
  Result<aws::Credentials> credentials = credentials_->Get();
  if (!credentials.ok()) return credentials.status();
  return aws::SendHttp(Prepare(call, *credentials, NowMillis()));
}

}  // namespace tracklake
