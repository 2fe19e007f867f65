#include "sink/s3/s3_multipart.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "aws/xml.h"
#include "sink/s3/s3_errors.h"

namespace tracklake {
namespace {

// An upload left behind is billed until a lifecycle rule removes it, so the abort is tried
// harder than a single request, with short pauses for a throttled or flapping endpoint.
constexpr int kAbortAttempts = 5;
constexpr auto kAbortPause = std::chrono::milliseconds(200);

// True once the upload is gone (aborted now, or before: NoSuchUpload).
bool Abort(const S3Client& client, const std::string& key, const std::string& upload_id) {
  DeliveryResult last;
  for (int attempt = 1; attempt <= kAbortAttempts; ++attempt) {
    Result<aws::HttpResponse> response = client.Send(AbortMultipartUploadCall(key, upload_id));
    last = ClassifyS3Response("AbortMultipartUpload", key, response);
    // NoSuchUpload: already gone (a previous abort whose answer was lost, or completed).
    if (last.outcome == DeliveryOutcome::kDelivered || (response.ok() && response->status == 404)) return true;
    if (last.outcome == DeliveryOutcome::kRejected) break;
    std::this_thread::sleep_for(kAbortPause * attempt);
  }
  spdlog::error(
      "could not abort multipart upload {} of {}: {}; it is tried again at the next start (and a bucket "
      "lifecycle rule, AbortIncompleteMultipartUpload, removes it eventually)",
      upload_id, key, last.detail);
  return false;
}

}  // namespace

void AbortRecordedUploads(const S3Client& client, const S3SinkOptions& options, const UploadRecords& records) {
  const std::vector<UploadRecords::Entry> left = records.List(S3ObjectKey(options, ""));
  size_t aborted = 0;
  for (const UploadRecords::Entry& e : left) {
    if (!Abort(client, e.key, e.upload_id)) continue;
    records.Forget(e);
    ++aborted;
  }
  if (!left.empty()) {
    spdlog::info("aborted {} of {} multipart uploads a previous run left unfinished", aborted, left.size());
  }
}

DeliveryResult PutMultipart(const S3Client& client, const S3SinkOptions& options, const UploadRecords& records,
                            const std::string& key, std::string_view body, uint64_t events) {
  Result<aws::HttpResponse> created = client.Send(CreateMultipartUploadCall(options, key, events));
  DeliveryResult result = ClassifyS3Response("CreateMultipartUpload", key, created);
  if (result.outcome != DeliveryOutcome::kDelivered) return result;
  const std::string upload_id = aws::XmlText(created->body, "UploadId").value_or("");
  if (upload_id.empty()) return {DeliveryOutcome::kRetry, "S3 CreateMultipartUpload " + key + ": no UploadId"};
  // Durably before the first part: a crash from here on leaves a record the next start aborts.
  if (Status s = records.Add(key, upload_id); !s.ok()) {
    if (Abort(client, key, upload_id)) records.Remove(key, upload_id);
    return {DeliveryOutcome::kRetry,
            "cannot record multipart upload " + upload_id + " of " + key + ": " + s.ToString()};
  }

  const size_t part_size = std::max<size_t>(options.part_size, 1);
  const size_t parts = (body.size() + part_size - 1) / part_size;
  std::vector<std::string> etags(parts);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex failure_mu;
  DeliveryResult failure;
  auto upload = [&] {
    for (size_t i = next++; i < parts && !failed; i = next++) {
      const std::string_view chunk = body.substr(i * part_size, part_size);
      const int number = static_cast<int>(i + 1);
      Result<aws::HttpResponse> response = client.Send(UploadPartCall(key, upload_id, number, chunk));
      DeliveryResult r = ClassifyS3Response("UploadPart " + std::to_string(number), key, response);
      if (r.outcome == DeliveryOutcome::kDelivered && response->Header("etag").empty()) {
        r = {DeliveryOutcome::kRetry, "S3 UploadPart " + key + ": no ETag in the response"};
      }
      if (r.outcome != DeliveryOutcome::kDelivered) {
        std::lock_guard lock(failure_mu);
        if (!failed.exchange(true)) failure = std::move(r);
        return;
      }
      etags[i] = response->Header("etag");
    }
  };
  const size_t threads = std::min<size_t>(parts, static_cast<size_t>(std::max(options.max_parallel_parts, 1)));
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(upload);
  upload();  // this thread is one of the workers
  for (std::thread& w : workers) w.join();

  if (!failed) {
    std::string document;
    Result<aws::HttpResponse> completed = client.Send(CompleteMultipartUploadCall(key, upload_id, etags, document));
    result = ClassifyS3Response("CompleteMultipartUpload", key, completed);
    if (result.outcome == DeliveryOutcome::kDelivered) {
      records.Remove(key, upload_id);
      return result;
    }
    failure = std::move(result);
  }
  if (Abort(client, key, upload_id)) records.Remove(key, upload_id);
  return failure;
}

}  // namespace tracklake
