// The credential providers of the standard AWS chain, in the standard order:
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
//   2. shared files: ~/.aws/credentials then ~/.aws/config, profile AWS_PROFILE (or "default");
//      AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN via STS
//      AssumeRoleWithWebIdentity (endpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or the
//      regional STS of AWS_REGION / AWS_DEFAULT_REGION)
//   4. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN (or _TOKEN_FILE)
//   5. EC2 instance metadata, IMDSv2 (token PUT, then GET); AWS_EC2_METADATA_SERVICE_ENDPOINT
//      moves it, AWS_EC2_METADATA_DISABLED=true skips it
// Each provider reads the environment snapshot it was built with (never the live process
// environment), so tests can give each its own.
//
// Thread-safety: every provider's Get is safe to call concurrently. The remote providers do
// blocking HTTP calls; wrap the chain in a caching provider (MakeCachingProvider) so that the
// calls happen once per credential lifetime, not once per request.
// Errors: NotFound when the provider's source is not configured; anything else when it is
// configured but failed (the chain stops there instead of silently using a weaker source).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"

namespace tracklake::aws {

using Environment = std::map<std::string, std::string>;

// A copy of the process environment (AWS_* and HOME are what the providers read).
Environment ProcessAwsEnvironment();

std::unique_ptr<CredentialsProvider> MakeEnvironmentProvider(const Environment& env);
std::unique_ptr<CredentialsProvider> MakeProfileProvider(const Environment& env);
std::unique_ptr<CredentialsProvider> MakeWebIdentityProvider(const Environment& env);
std::unique_ptr<CredentialsProvider> MakeEcsProvider(const Environment& env);
std::unique_ptr<CredentialsProvider> MakeImdsProvider(const Environment& env);

// Tries each provider in order: NotFound moves on, success or any other error is the answer.
std::unique_ptr<CredentialsProvider> MakeChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers);

// Keeps the last credentials and asks `inner` again only when they are within
// refresh_margin_ms of their expiration (never, for credentials without one). If the refresh
// fails while the old credentials are still valid, the old ones are returned.
inline constexpr int64_t kDefaultRefreshMarginMs = 5 * 60 * 1000;
using Clock = std::function<int64_t()>;  // Unix ms
std::unique_ptr<CredentialsProvider> MakeCachingProvider(std::unique_ptr<CredentialsProvider> inner,
                                                         int64_t refresh_margin_ms = kDefaultRefreshMarginMs,
                                                         Clock now_ms = nullptr);

// The standard chain above, cached.
std::shared_ptr<CredentialsProvider> MakeDefaultCredentialsChain(const Environment& env);

}  // namespace tracklake::aws
