// The S3 requests as they go on the wire: addressing (path style, virtual host), key encoding,
// the headers each call carries, and option checks. Signatures are compared with botocore in
// tests/aws; here we check what is signed and sent.
#include "sink/s3/s3_request.h"

#include <gtest/gtest.h>

#include "aws/sigv4.h"
#include "common/time_util.h"
#include "sink/s3/s3_sink.h"

namespace tracklake {
namespace {

const aws::Credentials kCredentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"};
const std::string kLakeKey = "page_view/dt=2026-11-26/hr=06/node-00000000000000000001-00000000000000000042.ndjson.gz";

std::string HeaderOf(const aws::HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

S3SinkOptions LocalOptions() {
  S3SinkOptions o;
  o.bucket = "lake";
  o.endpoint = "http://127.0.0.1:5000";
  o.path_style = true;
  o.prefix = "events";
  return o;
}

TEST(S3ObjectKey, JoinsPrefixAndLakeKeyWithOneSlash) {
  S3SinkOptions o;
  EXPECT_EQ(S3ObjectKey(o, "a/b.gz"), "a/b.gz");
  o.prefix = "events";
  EXPECT_EQ(S3ObjectKey(o, "a/b.gz"), "events/a/b.gz");
  o.prefix = "events/";
  EXPECT_EQ(S3ObjectKey(o, "a/b.gz"), "events/a/b.gz");
}

TEST(S3Client, PathStyleKeepsTheBucketInThePathAndEncodesHiveKeysOnce) {
  const S3SinkOptions o = LocalOptions();
  auto client = S3Client::Create(o, nullptr);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const std::string key = S3ObjectKey(o, kLakeKey);
  const aws::HttpRequest r = (*client)->Prepare(PutObjectCall(o, key, "body", 1), kCredentials, 0);
  EXPECT_EQ(r.url,
            "http://127.0.0.1:5000/lake/events/page_view/dt%3D2026-11-26/hr%3D06/"
            "node-00000000000000000001-00000000000000000042.ndjson.gz");
  EXPECT_EQ(HeaderOf(r.headers, "Host"), "127.0.0.1:5000");
  EXPECT_EQ(HeaderOf(r.headers, "X-Amz-Content-Sha256"), aws::Sha256Hex("body"));
  EXPECT_EQ(HeaderOf(r.headers, "X-Amz-Date"), "19700101T000000Z");
  EXPECT_EQ(
      HeaderOf(r.headers, "Authorization").rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/19700101/us-east-1/s3/", 0),
      0u);
  EXPECT_EQ(r.body, "body");
}

TEST(S3Client, VirtualHostStyleOnAwsPutsTheBucketInTheHostName) {
  S3SinkOptions o;
  o.bucket = "my-bucket";
  o.region = "eu-west-1";
  auto client = S3Client::Create(o, nullptr);
  ASSERT_TRUE(client.ok());
  const aws::HttpRequest r = (*client)->Prepare(AbortMultipartUploadCall("a b", "id+/="), kCredentials, 0);
  EXPECT_EQ(r.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b?uploadId=id%2B%2F%3D");
  EXPECT_EQ(HeaderOf(r.headers, "Host"), "my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(r.method, "DELETE");
}

TEST(S3Calls, PutObjectCarriesChecksumTypeMetadataEncryptionAndStorageClass) {
  S3SinkOptions o = LocalOptions();
  o.sse = "aws:kms";
  o.sse_kms_key_id = "alias/lake";
  o.storage_class = "STANDARD_IA";
  const S3Call call = PutObjectCall(o, "k.ndjson.gz", "hello", 7);
  EXPECT_EQ(call.method, "PUT");
  EXPECT_EQ(HeaderOf(call.headers, "Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
  EXPECT_EQ(HeaderOf(call.headers, "Content-Type"), "application/gzip");
  EXPECT_EQ(HeaderOf(call.headers, "x-amz-meta-tracklake-events"), "7");
  EXPECT_EQ(HeaderOf(call.headers, "x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(HeaderOf(call.headers, "x-amz-server-side-encryption-aws-kms-key-id"), "alias/lake");
  EXPECT_EQ(HeaderOf(call.headers, "x-amz-storage-class"), "STANDARD_IA");
}

TEST(S3Calls, Aes256HasNoKmsKeyAndPlainObjectsNoEncryptionHeaders) {
  S3SinkOptions o = LocalOptions();
  o.sse = "AES256";
  o.sse_kms_key_id = "ignored";
  const S3Call aes = CreateMultipartUploadCall(o, "k.parquet", 1);
  EXPECT_EQ(aes.query, "uploads");
  EXPECT_EQ(aes.method, "POST");
  EXPECT_EQ(HeaderOf(aes.headers, "x-amz-server-side-encryption"), "AES256");
  EXPECT_EQ(HeaderOf(aes.headers, "x-amz-server-side-encryption-aws-kms-key-id"), "<absent>");
  EXPECT_EQ(HeaderOf(aes.headers, "Content-Type"), "application/vnd.apache.parquet");
  const S3Call plain = PutObjectCall(LocalOptions(), "k", "", 0);
  EXPECT_EQ(HeaderOf(plain.headers, "x-amz-server-side-encryption"), "<absent>");
  EXPECT_EQ(HeaderOf(plain.headers, "x-amz-storage-class"), "<absent>");
}

TEST(S3Calls, UploadPartAndCompleteNameTheUploadAndEveryPartInOrder) {
  const S3Call part = UploadPartCall("k", "up/1", 3, "part-bytes");
  EXPECT_EQ(part.query, "partNumber=3&uploadId=up%2F1");
  EXPECT_EQ(HeaderOf(part.headers, "Content-MD5"), ContentMd5("part-bytes"));
  std::string document;
  const S3Call done = CompleteMultipartUploadCall("k", "up/1", {"\"e1\"", "\"e2\""}, document);
  EXPECT_EQ(done.query, "uploadId=up%2F1");
  EXPECT_EQ(done.body, document);
  EXPECT_NE(document.find("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
                          "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"),
            std::string::npos)
      << document;
  EXPECT_EQ(HeaderOf(done.headers, "Content-MD5"), ContentMd5(document));
}

TEST(MakeS3Sink, RefusesOptionsThatCannotWork) {
  S3SinkOptions o = LocalOptions();
  o.part_size = 1 << 20;
  EXPECT_EQ(MakeS3Sink(o, nullptr).status().code(), Status::Code::kInvalidArgument);
  o = LocalOptions();
  o.sse = "aes256";
  EXPECT_EQ(MakeS3Sink(o, nullptr).status().code(), Status::Code::kInvalidArgument);
  o = LocalOptions();
  o.bucket = "";
  EXPECT_EQ(MakeS3Sink(o, nullptr).status().code(), Status::Code::kInvalidArgument);
  o = LocalOptions();
  o.endpoint = "127.0.0.1:5000";
  EXPECT_EQ(MakeS3Sink(o, nullptr).status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(MakeS3Sink(LocalOptions(), nullptr).ok());
}

}  // namespace
}  // namespace tracklake
