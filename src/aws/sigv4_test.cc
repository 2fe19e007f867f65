// The signer against the AWS SigV4 test suite (non-S3 rules: normalised, double-encoded paths)
// and against the S3 examples of the S3 API reference (paths signed as sent).
#include "aws/sigv4.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/time_util.h"

namespace tracklake::aws {
namespace {

namespace fs = std::filesystem;

// Compile definition: src/aws/testdata/aws-sigv4 (see its README.md for where they come from).
const fs::path kVectorsDir = fs::path(TRACKLAKE_SIGV4_VECTORS);
constexpr size_t kMinimumVectorCases = 30;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TrimTrailingNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct VectorCase {
  SignableRequest request;
  Credentials credentials;
  SigningOptions options;
  std::string body;
};

// request.txt: "METHOD /path?query HTTP/1.1", headers (continuation lines start with a space),
// a blank line, the body.
VectorCase ParseCase(const fs::path& dir) {
  VectorCase c;
  std::istringstream in(ReadFile(dir / "request.txt"));
  std::string line;
  std::getline(in, line);
  const size_t first_space = line.find(' ');
  const size_t version = line.rfind(" HTTP/");
  c.request.method = line.substr(0, first_space);
  const std::string target = line.substr(first_space + 1, version - first_space - 1);
  const size_t question = target.find('?');
  c.request.path = target.substr(0, question);
  if (question != std::string::npos) c.request.query = target.substr(question + 1);
  while (std::getline(in, line) && !line.empty()) {
    if (line[0] == ' ' || line[0] == '\t') {
      c.request.headers.back().second += " " + line;
    } else {
      const size_t colon = line.find(':');
      c.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  std::ostringstream body;
  body << in.rdbuf();
  c.body = body.str();

  simdjson::dom::parser parser;
  const std::string json = ReadFile(dir / "context.json");
  simdjson::dom::element context = parser.parse(json);
  simdjson::dom::element creds = context["credentials"];
  c.credentials.access_key_id = std::string(std::string_view(creds["access_key_id"]));
  c.credentials.secret_access_key = std::string(std::string_view(creds["secret_access_key"]));
  std::string_view token;
  if (creds["token"].get(token) == simdjson::SUCCESS) c.credentials.session_token = token;
  c.options.region = std::string(std::string_view(context["region"]));
  c.options.service = std::string(std::string_view(context["service"]));
  c.options.time_ms = *ParseRfc3339Millis(std::string_view(context["timestamp"]));
  c.options.normalize_path = bool(context["normalize"]);
  c.options.double_encode_path = true;
  c.options.add_content_sha256_header = bool(context["sign_body"]);
  bool omit_token = false;
  if (context["omit_session_token"].get(omit_token) == simdjson::SUCCESS) {
    c.options.sign_session_token = !omit_token;
  }
  c.request.payload_hash = Sha256Hex(c.body);
  return c;
}

std::string AuthorizationLine(const fs::path& signed_request) {
  std::istringstream in(ReadFile(signed_request));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Authorization:", 0) == 0) return line.substr(std::string("Authorization:").size());
  }
  return "";
}

TEST(SigV4TestSuite, EveryOfficialVectorSignsToTheExpectedRequest) {
  ASSERT_TRUE(fs::is_directory(kVectorsDir)) << "AWS SigV4 test vectors missing at " << kVectorsDir;
  size_t cases = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kVectorsDir)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "header-signature.txt")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    const VectorCase c = ParseCase(entry.path());
    const SignedRequest s = SignRequest(c.request, c.credentials, c.options);
    EXPECT_EQ(s.canonical_request, TrimTrailingNewlines(ReadFile(entry.path() / "header-canonical-request.txt")));
    EXPECT_EQ(s.string_to_sign, TrimTrailingNewlines(ReadFile(entry.path() / "header-string-to-sign.txt")));
    EXPECT_EQ(s.signature, TrimTrailingNewlines(ReadFile(entry.path() / "header-signature.txt")));
    EXPECT_EQ(s.authorization, AuthorizationLine(entry.path() / "header-signed-request.txt"));
    ++cases;
  }
  EXPECT_GE(cases, kMinimumVectorCases);
}

// The S3 API reference's examples ("Signature Calculations for the Authorization Header"),
// keys AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 2013-05-24.
class S3ReferenceExample : public ::testing::Test {
 protected:
  S3ReferenceExample() {
    credentials_.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    credentials_.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    options_.region = "us-east-1";
    options_.service = "s3";
    options_.time_ms = *ParseRfc3339Millis("2013-05-24T00:00:00Z");
    options_.normalize_path = false;
    options_.double_encode_path = false;
    options_.add_content_sha256_header = true;
  }
  Credentials credentials_;
  SigningOptions options_;
};

TEST_F(S3ReferenceExample, GetObjectWithRangeHeader) {
  SignableRequest r{"GET", "/test.txt", "", {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}}, ""};
  EXPECT_EQ(SignRequest(r, credentials_, options_).signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_F(S3ReferenceExample, PutObjectWithEncodedKeyAndStorageClass) {
  const std::string body = "Welcome to Amazon S3.";
  SignableRequest r{"PUT",
                    "/" + UriEncode("test$file.text", true),
                    "",
                    {{"Host", "examplebucket.s3.amazonaws.com"},
                     {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                    Sha256Hex(body)};
  const SignedRequest s = SignRequest(r, credentials_, options_);
  EXPECT_NE(s.canonical_request.find("\n/test%24file.text\n"), std::string::npos) << s.canonical_request;
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_F(S3ReferenceExample, GetBucketLifecycleWithValuelessQueryParameter) {
  SignableRequest r{"GET", "/", "lifecycle", {{"Host", "examplebucket.s3.amazonaws.com"}}, ""};
  const SignedRequest s = SignRequest(r, credentials_, options_);
  EXPECT_NE(s.canonical_request.find("\n/\nlifecycle=\n"), std::string::npos) << s.canonical_request;
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST_F(S3ReferenceExample, ListObjectsWithQueryParametersOutOfOrder) {
  SignableRequest r{"GET", "/", "prefix=J&max-keys=2", {{"Host", "examplebucket.s3.amazonaws.com"}}, ""};
  EXPECT_EQ(SignRequest(r, credentials_, options_).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_F(S3ReferenceExample, S3PathsAreNeitherNormalisedNorEncodedTwice) {
  SignableRequest r{"PUT", "/bucket/a/./b//c%3Dd", "", {{"Host", "s3.amazonaws.com"}}, ""};
  const SignedRequest s = SignRequest(r, credentials_, options_);
  EXPECT_NE(s.canonical_request.find("\n/bucket/a/./b//c%3Dd\n"), std::string::npos) << s.canonical_request;
}

TEST_F(S3ReferenceExample, SessionTokenIsSentAndSigned) {
  credentials_.session_token = "token/with+chars";
  SignableRequest r{"GET", "/", "", {{"Host", "s3.amazonaws.com"}}, ""};
  const SignedRequest s = SignRequest(r, credentials_, options_);
  EXPECT_NE(s.canonical_request.find("x-amz-security-token:token/with+chars\n"), std::string::npos);
  EXPECT_NE(s.authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  bool sent = false;
  for (const auto& [name, value] : s.headers_to_add)
    sent |= name == "X-Amz-Security-Token" && value == "token/with+chars";
  EXPECT_TRUE(sent);
}

TEST(UriEncode, KeepsOnlyUnreservedCharactersAndOptionallySlashes) {
  EXPECT_EQ(UriEncode("dt=2026-11-26/hr=06/a b:c~_.-", true), "dt%3D2026-11-26/hr%3D06/a%20b%3Ac~_.-");
  EXPECT_EQ(UriEncode("a/b+c", false), "a%2Fb%2Bc");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", false), "%E1%88%B4");
}

TEST(UriDecode, ReversesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(UriDecode("%E1%88%B4=x%3d"), "\xE1\x88\xB4=x=");
  EXPECT_EQ(UriDecode("100%"), "100%");
  EXPECT_EQ(UriDecode("%zz%4"), "%zz%4");
}

TEST(AmzDate, FormatsUtcBasicIso8601) {
  EXPECT_EQ(AmzDate(*ParseRfc3339Millis("2015-08-30T12:36:00.999Z")), "20150830T123600Z");
}

}  // namespace
}  // namespace tracklake::aws
