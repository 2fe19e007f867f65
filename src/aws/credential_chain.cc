// The chain of providers and the cache in front of it.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/credential_providers.h"
#include "common/mutex.h"
#include "common/time_util.h"

namespace tracklake::aws {
namespace {

class ChainProvider : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}

  Result<Credentials> Get() override {
    std::string tried;
    for (const auto& provider : providers_) {
      Result<Credentials> c = provider->Get();
      if (c.ok()) return c;
      if (c.status().code() != Status::Code::kNotFound) {
        return Status(c.status().code() == Status::Code::kInvalidArgument
                          ? Status::InvalidArgument(std::string(provider->name()) + ": " + c.status().message())
                          : Status::Unavailable(std::string(provider->name()) + ": " + c.status().message()));
      }
      tried += (tried.empty() ? "" : "; ") + std::string(provider->name()) + ": " + c.status().message();
    }
    return Status::NotFound("no AWS credentials found (" + tried + ")");
  }
  std::string_view name() const override { return "credential chain"; }

 private:
  const std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

class CachingProvider : public CredentialsProvider {
 public:
  CachingProvider(std::unique_ptr<CredentialsProvider> inner, int64_t margin_ms, Clock now_ms)
      : inner_(std::move(inner)), margin_ms_(margin_ms), now_ms_(std::move(now_ms)) {
    if (!now_ms_) now_ms_ = NowMillis;
  }

  Result<Credentials> Get() override {
    MutexLock lock(mu_);
    const int64_t now = now_ms_();
    if (cached_ && (!cached_->expiration_ms || now < refresh_at_ms_)) return *cached_;
    Result<Credentials> fresh = inner_->Get();
    if (!fresh.ok()) {
      if (cached_ && now < *cached_->expiration_ms) {
        spdlog::warn("cannot refresh AWS credentials ({}); using the current ones until they expire",
                     fresh.status().message());
        return *cached_;
      }
      return fresh.status();
    }
    if (!cached_ || cached_->access_key_id != fresh->access_key_id || cached_->source != fresh->source) {
      spdlog::info("AWS credentials: {}", Redacted(*fresh));
    }
    cached_ = *fresh;
    if (cached_->expiration_ms) {
      // Credentials shorter-lived than twice the margin are refreshed at half their life, so a
      // short lifetime does not mean a request to the provider on every call.
      const int64_t life = *cached_->expiration_ms - now;
      refresh_at_ms_ = *cached_->expiration_ms - std::min(margin_ms_, std::max<int64_t>(life / 2, 0));
    }
    return *cached_;
  }
  std::string_view name() const override { return inner_->name(); }

 private:
  const std::unique_ptr<CredentialsProvider> inner_;
  const int64_t margin_ms_;
  Clock now_ms_;
  Mutex mu_;
  std::optional<Credentials> cached_ GUARDED_BY(mu_);
  int64_t refresh_at_ms_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers) {
  return std::make_unique<ChainProvider>(std::move(providers));
}

std::unique_ptr<CredentialsProvider> MakeCachingProvider(std::unique_ptr<CredentialsProvider> inner,
                                                         int64_t refresh_margin_ms, Clock now_ms) {
  return std::make_unique<CachingProvider>(std::move(inner), refresh_margin_ms, std::move(now_ms));
}

std::shared_ptr<CredentialsProvider> MakeDefaultCredentialsChain(const Environment& env) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(MakeEnvironmentProvider(env));
  providers.push_back(MakeProfileProvider(env));
  providers.push_back(MakeWebIdentityProvider(env));
  providers.push_back(MakeEcsProvider(env));
  providers.push_back(MakeImdsProvider(env));
  return MakeCachingProvider(MakeChainProvider(std::move(providers)));
}

}  // namespace tracklake::aws
