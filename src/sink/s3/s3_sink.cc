#include "sink/s3/s3_sink.h"

#include "sink/s3/s3_errors.h"
#include "sink/s3/s3_multipart.h"

namespace tracklake {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's minimum for every part but the last

class S3Sink : public Sink {
 public:
  S3Sink(const S3SinkOptions& options, std::unique_ptr<S3Client> client)
      : options_(options), client_(std::move(client)) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::string key = S3ObjectKey(options_, object.key);
    if (object.bytes.size() >= options_.multipart_threshold) {
      return PutMultipart(*client_, options_, key, object.bytes, object.events);
    }
    return ClassifyS3Response("PutObject", key,
                              client_->Send(PutObjectCall(options_, key, object.bytes, object.events)));
  }
  std::string_view name() const override { return "s3"; }

 private:
  const S3SinkOptions options_;
  const std::unique_ptr<S3Client> client_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeS3Sink(const S3SinkOptions& options,
                                         std::shared_ptr<aws::CredentialsProvider> credentials) {
  if (options.part_size < kMinPartSize) return Status::InvalidArgument("s3.part_size must be at least 5 MiB");
  if (options.max_parallel_parts < 1) return Status::InvalidArgument("s3.max_parallel_parts must be at least 1");
  if (!options.sse.empty() && options.sse != "AES256" && options.sse != "aws:kms") {
    return Status::InvalidArgument("s3.sse must be \"\", \"AES256\" or \"aws:kms\"");
  }
  Result<std::unique_ptr<S3Client>> client = S3Client::Create(options, std::move(credentials));
  if (!client.ok()) return client.status();
  return std::unique_ptr<Sink>(std::make_unique<S3Sink>(options, std::move(client).value()));
}

}  // namespace tracklake
