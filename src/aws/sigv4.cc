#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "common/hex.h"
#include "common/sha256.h"
#include "common/time_util.h"

namespace tracklake::aws {

SigningOptions S3SigningOptions(std::string region, int64_t time_ms) {
  SigningOptions o;
  o.region = std::move(region);
  o.service = "s3";
  o.time_ms = time_ms;
  o.normalize_path = false;
  o.double_encode_path = false;
  o.add_content_sha256_header = true;
  return o;
}

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr size_t kDateLength = 8;  // "20150830" of "20150830T123600Z"

bool IsUnreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trimmed, with every run of whitespace (folded lines included) collapsed to one space, as
// botocore and the AWS test suite do.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : value) {
    if (std::isspace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

// Removes empty and "." segments and resolves ".."; keeps a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  if (path.size() > 1 && path.back() == '/' && !out.empty()) out += '/';
  return out.empty() ? "/" : out;
}

std::string CanonicalUri(std::string_view path, const SigningOptions& options) {
  std::string uri = path.empty() ? "/" : std::string(path);
  if (options.normalize_path) uri = NormalizePath(uri);
  if (options.double_encode_path) uri = UriEncode(uri, /*keep_slash=*/true);
  return uri;
}

// Each name and value decoded and encoded again (so "%E1%88%B4" and raw UTF-8 agree), sorted
// by name, then value.
std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    if (!param.empty()) {
      const size_t eq = param.find('=');
      const std::string_view name = param.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
      params.emplace_back(UriEncode(UriDecode(name), false), UriEncode(UriDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Bytes(data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      AppendHexByte(out, c, /*upper=*/true);
    }
  }
  return out;
}

std::string UriDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendPercentDecoded(out, text, /*plus_is_space=*/false);
  return out;
}

std::string AmzDate(int64_t time_ms) {
  // RFC 3339 "2015-08-30T12:36:00.000Z" without punctuation and fraction.
  const std::string rfc = FormatRfc3339Millis(time_ms);
  std::string out;
  for (char c : rfc.substr(0, rfc.find('.'))) {
    if (c != '-' && c != ':') out += c;
  }
  return out + "Z";
}

SignedRequest SignRequest(const SignableRequest& request, const Credentials& credentials,
                          const SigningOptions& options) {
  SignedRequest signed_request;
  const std::string amz_date = AmzDate(options.time_ms);
  const std::string date = amz_date.substr(0, kDateLength);
  const std::string payload_hash = request.payload_hash.empty() ? std::string(kEmptyPayloadHash)
                                                                : request.payload_hash;

  std::map<std::string, std::vector<std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    headers[Lower(name)].push_back(CanonicalHeaderValue(value));
  }
  auto add = [&](std::string_view name, const std::string& value, bool sign) {
    signed_request.headers_to_add.emplace_back(std::string(name), value);
    if (sign) headers[Lower(name)] = {value};
  };
  add("X-Amz-Date", amz_date, true);
  if (options.add_content_sha256_header && !headers.contains("x-amz-content-sha256")) {
    add("X-Amz-Content-Sha256", payload_hash, true);
  }
  if (!credentials.session_token.empty()) {
    add("X-Amz-Security-Token", credentials.session_token, options.sign_session_token);
  }

  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, values] : headers) {
    canonical_headers += name + ":";
    for (size_t i = 0; i < values.size(); ++i) canonical_headers += (i ? "," : "") + values[i];
    canonical_headers += "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }

  signed_request.canonical_request = request.method + "\n" + CanonicalUri(request.path, options) + "\n" +
                                     CanonicalQuery(request.query) + "\n" + canonical_headers + "\n" + signed_headers +
                                     "\n" + payload_hash;
  const std::string scope = date + "/" + options.region + "/" + options.service + "/" + std::string(kTerminator);
  signed_request.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
                                  Sha256Hex(signed_request.canonical_request);

  const std::string date_key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  const std::string region_key = HmacSha256(date_key, options.region);
  const std::string service_key = HmacSha256(region_key, options.service);
  const std::string signing_key = HmacSha256(service_key, kTerminator);
  signed_request.signature = HexEncode(HmacSha256(signing_key, signed_request.string_to_sign));
  signed_request.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                                 ", SignedHeaders=" + signed_headers + ", Signature=" + signed_request.signature;
  signed_request.headers_to_add.emplace_back("Authorization", signed_request.authorization);
  return signed_request;
}

}  // namespace tracklake::aws
