// The providers that ask a service: STS AssumeRoleWithWebIdentity, the ECS container
// credentials endpoint, and the EC2 instance metadata service (IMDSv2).
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "aws/credential_providers.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/time_util.h"

namespace tracklake::aws {
namespace {

constexpr std::string_view kEcsRelativeHost = "http://169.254.170.2";
constexpr std::string_view kImdsDefaultEndpoint = "http://169.254.169.254";
constexpr std::string_view kImdsTokenTtlSeconds = "21600";
// Metadata endpoints answer in milliseconds when they exist; off EC2 / ECS the address does
// not answer at all, and the chain must not stall start-up for long.
constexpr int64_t kMetadataConnectTimeoutMs = 1'000;
constexpr int64_t kMetadataTimeoutMs = 3'000;
constexpr int64_t kStsTimeoutMs = 10'000;
constexpr long kHttpOk = 200;
constexpr long kHttpNotFound = 404;

std::string EnvValue(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return Status::IoError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  return text.substr(begin);
}

std::optional<int64_t> ParseExpiration(std::string_view text) { return ParseRfc3339Millis(text); }

// The JSON document both ECS and IMDS return: AccessKeyId, SecretAccessKey, Token, Expiration.
Result<Credentials> CredentialsFromJson(const std::string& body, std::string source) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) {
    return Status::Unavailable(source + ": response is not JSON");
  }
  std::string_view code;
  if (doc["Code"].get(code) == simdjson::SUCCESS && code != "Success") {
    return Status::Unavailable(source + ": credentials not available (Code " + std::string(code) + ")");
  }
  std::string_view id, secret, token, expiration;
  if (doc["AccessKeyId"].get(id) != simdjson::SUCCESS || doc["SecretAccessKey"].get(secret) != simdjson::SUCCESS) {
    return Status::Unavailable(source + ": response has no AccessKeyId / SecretAccessKey");
  }
  Credentials c{std::string(id), std::string(secret), "", std::nullopt, std::move(source)};
  if (doc["Token"].get(token) == simdjson::SUCCESS) c.session_token = token;
  if (doc["Expiration"].get(expiration) == simdjson::SUCCESS) {
    c.expiration_ms = ParseExpiration(expiration);
    if (!c.expiration_ms) return Status::Unavailable(c.source + ": bad Expiration " + std::string(expiration));
  }
  return c;
}

class WebIdentityProvider : public CredentialsProvider {
 public:
  explicit WebIdentityProvider(const Environment& env)
      : token_file_(EnvValue(env, "AWS_WEB_IDENTITY_TOKEN_FILE")),
        role_arn_(EnvValue(env, "AWS_ROLE_ARN")),
        session_name_(EnvValue(env, "AWS_ROLE_SESSION_NAME")) {
    endpoint_ = EnvValue(env, "AWS_ENDPOINT_URL_STS");
    if (endpoint_.empty()) endpoint_ = EnvValue(env, "AWS_ENDPOINT_URL");
    std::string region = EnvValue(env, "AWS_REGION");
    if (region.empty()) region = EnvValue(env, "AWS_DEFAULT_REGION");
    if (endpoint_.empty()) {
      endpoint_ = region.empty() ? "https://sts.amazonaws.com" : "https://sts." + region + ".amazonaws.com";
    }
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
    if (session_name_.empty()) session_name_ = "tracklake-" + std::to_string(NowMillis());
  }

  Result<Credentials> Get() override {
    if (token_file_.empty() && role_arn_.empty()) return Status::NotFound("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
    if (token_file_.empty() || role_arn_.empty()) {
      return Status::InvalidArgument("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
    }
    // Re-read on every refresh: the orchestrator rotates the token file.
    Result<std::string> token = ReadWholeFile(token_file_);
    if (!token.ok()) return token.status();
    const std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
                             UriEncode(role_arn_, false) + "&RoleSessionName=" + UriEncode(session_name_, false) +
                             "&WebIdentityToken=" + UriEncode(Trim(*token), false);
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint_ + "/";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = body;
    request.timeout_ms = kStsTimeoutMs;
    Result<HttpResponse> response = SendHttp(request);
    if (!response.ok()) return response.status();
    if (response->status != kHttpOk) {
      return Status::Unavailable("STS AssumeRoleWithWebIdentity: HTTP " + std::to_string(response->status) + " " +
                                 XmlText(response->body, "Code").value_or("") + ": " +
                                 XmlText(response->body, "Message").value_or(""));
    }
    Credentials c;
    c.source = "web identity (" + role_arn_ + ")";
    c.access_key_id = XmlText(response->body, "AccessKeyId").value_or("");
    c.secret_access_key = XmlText(response->body, "SecretAccessKey").value_or("");
    c.session_token = XmlText(response->body, "SessionToken").value_or("");
    c.expiration_ms = ParseExpiration(XmlText(response->body, "Expiration").value_or(""));
    if (c.access_key_id.empty() || c.secret_access_key.empty() || !c.expiration_ms) {
      return Status::Unavailable("STS AssumeRoleWithWebIdentity: response without credentials");
    }
    return c;
  }
  std::string_view name() const override { return "web identity"; }

 private:
  const std::string token_file_;
  const std::string role_arn_;
  std::string session_name_;
  std::string endpoint_;
};

// Full URIs over plain http may only point at the container agent or the machine itself, as in
// the AWS SDKs: the authorization token must not be sent anywhere else in clear text.
bool AllowedPlainHttpHost(std::string_view authority) {
  const std::string_view host = authority.substr(0, authority.rfind(':') == std::string_view::npos
                                                        ? authority.size()
                                                        : authority.rfind(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" || host == "169.254.170.2" ||
         host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

class EcsProvider : public CredentialsProvider {
 public:
  explicit EcsProvider(const Environment& env)
      : relative_uri_(EnvValue(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")),
        full_uri_(EnvValue(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")),
        token_(EnvValue(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")),
        token_file_(EnvValue(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {}

  Result<Credentials> Get() override {
    HttpRequest request;
    if (!relative_uri_.empty()) {
      request.url = std::string(kEcsRelativeHost) + relative_uri_;
    } else if (!full_uri_.empty()) {
      Result<Url> url = ParseUrl(full_uri_);
      if (!url.ok()) return Status::InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI: " + url.status().message());
      if (url->scheme == "http" && !AllowedPlainHttpHost(url->authority)) {
        return Status::InvalidArgument(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI over http must point at a loopback or "
            "the ECS/EKS agent address, not " +
            url->authority);
      }
      request.url = full_uri_;
    } else {
      return Status::NotFound("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI are not set");
    }
    std::string token = token_;
    if (!token_file_.empty()) {
      Result<std::string> from_file = ReadWholeFile(token_file_);
      if (!from_file.ok()) return from_file.status();
      token = Trim(*from_file);
    }
    if (!token.empty()) request.headers.emplace_back("Authorization", token);
    request.connect_timeout_ms = kMetadataConnectTimeoutMs;
    request.timeout_ms = kMetadataTimeoutMs;
    request.use_proxy = false;
    Result<HttpResponse> response = SendHttp(request);
    if (!response.ok()) return response.status();
    if (response->status != kHttpOk) {
      return Status::Unavailable("container credentials endpoint: HTTP " + std::to_string(response->status));
    }
    return CredentialsFromJson(response->body, "container credentials");
  }
  std::string_view name() const override { return "container credentials"; }

 private:
  const std::string relative_uri_;
  const std::string full_uri_;
  const std::string token_;
  const std::string token_file_;
};

class ImdsProvider : public CredentialsProvider {
 public:
  explicit ImdsProvider(const Environment& env)
      : disabled_(EnvValue(env, "AWS_EC2_METADATA_DISABLED") == "true"),
        endpoint_(EnvValue(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    if (endpoint_.empty()) endpoint_ = kImdsDefaultEndpoint;
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  }

  Result<Credentials> Get() override {
    if (disabled_) return Status::NotFound("AWS_EC2_METADATA_DISABLED=true");
    // IMDSv2: a session token first (a PUT, which a misconfigured proxy or an SSRF cannot do).
    HttpRequest put = Request("PUT", "/latest/api/token");
    put.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", std::string(kImdsTokenTtlSeconds));
    Result<HttpResponse> token = SendHttp(put);
    // No answer at all: not on EC2 (or the metadata service is off). That is "not found".
    if (!token.ok()) return Status::NotFound("instance metadata: " + token.status().message());
    if (token->status != kHttpOk) {
      return Status::NotFound("instance metadata token: HTTP " + std::to_string(token->status));
    }
    const std::string session = Trim(token->body);
    Result<HttpResponse> roles = Fetch("/latest/meta-data/iam/security-credentials/", session);
    if (!roles.ok()) return roles.status();
    if (roles->status == kHttpNotFound) return Status::NotFound("instance metadata: no IAM role attached");
    if (roles->status != kHttpOk)
      return Status::Unavailable("instance metadata roles: HTTP " + std::to_string(roles->status));
    const std::string role = Trim(roles->body.substr(0, roles->body.find('\n')));
    if (role.empty()) return Status::NotFound("instance metadata: no IAM role attached");
    Result<HttpResponse> creds = Fetch("/latest/meta-data/iam/security-credentials/" + UriEncode(role, false),
                                       session);
    if (!creds.ok()) return creds.status();
    if (creds->status != kHttpOk) {
      return Status::Unavailable("instance metadata credentials: HTTP " + std::to_string(creds->status));
    }
    return CredentialsFromJson(creds->body, "instance metadata (" + role + ")");
  }
  std::string_view name() const override { return "instance metadata"; }

 private:
  HttpRequest Request(std::string method, const std::string& path) const {
    HttpRequest r;
    r.method = std::move(method);
    r.url = endpoint_ + path;
    r.connect_timeout_ms = kMetadataConnectTimeoutMs;
    r.timeout_ms = kMetadataTimeoutMs;
    r.use_proxy = false;
    return r;
  }
  Result<HttpResponse> Fetch(const std::string& path, const std::string& session) const {
    HttpRequest r = Request("GET", path);
    r.headers.emplace_back("X-aws-ec2-metadata-token", session);
    Result<HttpResponse> response = SendHttp(r);
    if (!response.ok()) return Status::Unavailable("instance metadata: " + response.status().message());
    return response;
  }

  const bool disabled_;
  std::string endpoint_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeWebIdentityProvider(const Environment& env) {
  return std::make_unique<WebIdentityProvider>(env);
}
std::unique_ptr<CredentialsProvider> MakeEcsProvider(const Environment& env) {
  return std::make_unique<EcsProvider>(env);
}
std::unique_ptr<CredentialsProvider> MakeImdsProvider(const Environment& env) {
  return std::make_unique<ImdsProvider>(env);
}

}  // namespace tracklake::aws
