#include "sink/s3/s3_sink.h"

#include "sink/s3/s3_errors.h"
#include "sink/s3/s3_multipart.h"

namespace tracklake {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's minimum for every part but the last

// The probe of Check: a tiny object beside the lake's partitions (no table reads _tracklake/),
// overwritten by every check, so that a write is proven with the permissions Put uses.
constexpr std::string_view kCheckKey = "_tracklake/write-check";
constexpr std::string_view kCheckBody = "tracklake checks that it may write here\n";
constexpr long kMovedPermanently = 301;
constexpr long kForbidden = 403;
constexpr long kNotFound = 404;

// A HEAD answer has no error document: the status is all there is to explain.
std::string ExplainHeadBucket(const S3SinkOptions& options, const Result<aws::HttpResponse>& response) {
  if (!response.ok()) return "";
  switch (response->status) {
    case kNotFound: return "; the bucket " + options.bucket + " does not exist";
    case kForbidden:
      return "; these credentials may not reach the bucket " + options.bucket +
             " (wrong credentials, or no s3:ListBucket on it, which HeadBucket needs)";
    case kMovedPermanently: {
      const std::string region = response->Header("x-amz-bucket-region");
      return "; the bucket is in another region" + (region.empty() ? std::string() : " (" + region + ")") +
             " than s3.region = " + options.region;
    }
    default: return "";
  }
}

class S3Sink : public Sink {
 public:
  S3Sink(const S3SinkOptions& options, std::unique_ptr<S3Client> client)
      : options_(options), client_(std::move(client)), records_(options.uploads_dir) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::string key = S3ObjectKey(options_, object.key);
    DeliveryResult r = object.bytes.size() >= options_.multipart_threshold
                           ? PutMultipart(*client_, options_, records_, key, object.bytes, object.events)
                           : ClassifyS3Response("PutObject", key,
                                                client_->Send(
                                                    PutObjectCall(options_, key, object.bytes, object.events)));
    // The lake's objects are well-formed: S3 refusing one for good (denied, no bucket, wrong
    // region or KMS key) refuses them all.
    r.destination_refuses = r.outcome == DeliveryOutcome::kRejected;
    return r;
  }
  std::string_view name() const override { return "s3"; }

  void Recover() override { AbortRecordedUploads(*client_, options_, records_); }

  std::string Destination(std::string_view) const override {
    return "s3://" + options_.bucket + "/" + options_.prefix;
  }

  // HeadBucket (the bucket exists, the credentials reach it, the region is right), then a signed
  // PutObject of a small probe under _tracklake/ (writing is allowed where the lake goes).
  DeliveryResult Check(std::string_view) override {
    const Result<aws::HttpResponse> head = client_->Send(HeadBucketCall());
    DeliveryResult r = ClassifyS3Response("HeadBucket", options_.bucket, head);
    if (r.outcome == DeliveryOutcome::kRejected) r.detail += ExplainHeadBucket(options_, head);
    if (r.outcome == DeliveryOutcome::kDelivered) {
      const std::string key = S3ObjectKey(options_, kCheckKey);
      r = ClassifyS3Response("PutObject", key, client_->Send(PutObjectCall(options_, key, kCheckBody, 0)));
    }
    r.destination_refuses = r.outcome == DeliveryOutcome::kRejected;
    return r;
  }

 private:
  const S3SinkOptions options_;
  const std::unique_ptr<S3Client> client_;
  const UploadRecords records_;
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
