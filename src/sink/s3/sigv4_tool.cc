// Test fixture for tests/aws (not installed, not part of the tracklake binary): prints what
// tracklake would send, so pytest can sign the same request with botocore and compare.
//
//   sigv4_tool sign --method PUT --path /b/k --query 'a=1&b' --header 'Name: value' ...
//              [--body-file F] --service s3 --region R --time 2026-11-26T06:00:00Z
//              --access-key A --secret S [--token T] [--s3]
//     the signer alone; --s3 selects S3's rules (no normalisation, single encoding, signed
//     x-amz-content-sha256). Prints {"authorization", "canonical_request", "headers"}.
//   sigv4_tool s3 --op put|create|part|complete|abort --endpoint URL --bucket B [--path-style]
//              [--prefix P] --key K [--sse X] [--kms-key-id K] [--storage-class C] [--events N]
//              [--upload-id U] [--part N] [--etag E]... [--body-file F] --region R --time T
//              --access-key A --secret S [--token T]
//     the S3 sink's own request for that operation. Prints {"method", "url", "headers", "body"}.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "sink/s3/s3_request.h"

namespace {

using tracklake::AppendJsonString;
using tracklake::aws::HeaderList;

struct Args {
  std::string mode;
  std::multimap<std::string, std::string> values;
  bool Has(const std::string& name) const { return values.contains(name); }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  std::vector<std::string> All(const std::string& name) const {
    std::vector<std::string> out;
    for (auto [it, end] = values.equal_range(name); it != end; ++it) out.push_back(it->second);
    return out;
  }
};

constexpr const char* kFlags[] = {"--path-style", "--s3"};

Args Parse(int argc, char** argv) {
  Args args;
  args.mode = argc > 1 ? argv[1] : "";
  for (int i = 2; i < argc; ++i) {
    const std::string name = argv[i];
    bool flag = false;
    for (const char* f : kFlags) flag |= name == f;
    if (flag || i + 1 >= argc) {
      args.values.emplace(name, "");
    } else {
      args.values.emplace(name, argv[++i]);
    }
  }
  return args;
}

std::string ReadFile(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string HeadersJson(const HeaderList& headers) {
  std::string out = "[";
  for (size_t i = 0; i < headers.size(); ++i) {
    out += i ? ", [" : "[";
    AppendJsonString(out, headers[i].first);
    out += ", ";
    AppendJsonString(out, headers[i].second);
    out += "]";
  }
  return out + "]";
}

tracklake::aws::Credentials CredentialsFrom(const Args& args) {
  return {args.Get("--access-key"), args.Get("--secret"), args.Get("--token"), std::nullopt, "command line"};
}

int64_t TimeFrom(const Args& args) {
  return tracklake::ParseRfc3339Millis(args.Get("--time")).value_or(tracklake::NowMillis());
}

int Sign(const Args& args) {
  tracklake::aws::SignableRequest request;
  request.method = args.Get("--method", "GET");
  request.path = args.Get("--path", "/");
  request.query = args.Get("--query");
  for (const std::string& header : args.All("--header")) {
    const size_t colon = header.find(':');
    request.headers.emplace_back(header.substr(0, colon), header.substr(colon + 1));
  }
  request.payload_hash = tracklake::aws::Sha256Hex(ReadFile(args.Get("--body-file")));
  tracklake::aws::SigningOptions options;
  options.region = args.Get("--region", "us-east-1");
  options.service = args.Get("--service", "s3");
  options.time_ms = TimeFrom(args);
  const bool s3 = args.Has("--s3");
  options.normalize_path = !s3;
  options.double_encode_path = !s3;
  options.add_content_sha256_header = s3;
  const tracklake::aws::SignedRequest s = tracklake::aws::SignRequest(request, CredentialsFrom(args), options);
  std::string out = "{\"authorization\": ";
  AppendJsonString(out, s.authorization);
  out += ", \"canonical_request\": ";
  AppendJsonString(out, s.canonical_request);
  out += ", \"headers\": " + HeadersJson(s.headers_to_add) + "}\n";
  std::cout << out;
  return 0;
}

int S3(const Args& args) {
  tracklake::S3SinkOptions options;
  options.endpoint = args.Get("--endpoint");
  options.bucket = args.Get("--bucket");
  options.path_style = args.Has("--path-style");
  options.prefix = args.Get("--prefix");
  options.region = args.Get("--region", "us-east-1");
  options.sse = args.Get("--sse");
  options.sse_kms_key_id = args.Get("--kms-key-id");
  options.storage_class = args.Get("--storage-class");
  const std::string key = tracklake::S3ObjectKey(options, args.Get("--key"));
  const std::string body = ReadFile(args.Get("--body-file"));
  const std::string upload_id = args.Get("--upload-id");
  const uint64_t events = std::stoull(args.Get("--events", "0"));
  const std::string op = args.Get("--op");
  std::string document;
  tracklake::S3Call call;
  if (op == "put") {
    call = tracklake::PutObjectCall(options, key, body, events);
  } else if (op == "create") {
    call = tracklake::CreateMultipartUploadCall(options, key, events);
  } else if (op == "part") {
    call = tracklake::UploadPartCall(key, upload_id, std::stoi(args.Get("--part", "1")), body);
  } else if (op == "complete") {
    call = tracklake::CompleteMultipartUploadCall(key, upload_id, args.All("--etag"), document);
  } else if (op == "abort") {
    call = tracklake::AbortMultipartUploadCall(key, upload_id);
  } else {
    std::cerr << "unknown --op " << op << "\n";
    return 2;
  }
  auto client = tracklake::S3Client::Create(options, nullptr);
  if (!client.ok()) {
    std::cerr << client.status().ToString() << "\n";
    return 2;
  }
  const tracklake::aws::HttpRequest request = (*client)->Prepare(call, CredentialsFrom(args), TimeFrom(args));
  std::string out = "{\"method\": ";
  AppendJsonString(out, request.method);
  out += ", \"url\": ";
  AppendJsonString(out, request.url);
  out += ", \"headers\": " + HeadersJson(request.headers) + ", \"body\": ";
  AppendJsonString(out, request.body);
  out += "}\n";
  std::cout << out;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  if (args.mode == "sign") return Sign(args);
  if (args.mode == "s3") return S3(args);
  std::cerr << "usage: sigv4_tool sign|s3 ... (see the comment at the top of sigv4_tool.cc)\n";
  return 2;
}
