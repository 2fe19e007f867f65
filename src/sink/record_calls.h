// Sending one object's records through an API that takes many records per call and may fail
// some of them while accepting the rest (Firehose PutRecordBatch, Kinesis PutRecords): the
// records a call reports failed, and only they, are sent again a bounded number of rounds with
// jittered backoff inside one Put; which records were accepted is remembered across the
// pipeline's attempts, so a retry never resends what already got in (while the process lives).
//
// Thread-safety: SendRecordsWithRetries is reentrant; AcceptedRecords is safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "sink/sink.h"

namespace tracklake {

// One call's answer. kDelivered: the call was answered and `failed` lists the records to send
// again (positions within the call); otherwise the whole call failed with this outcome.
struct RecordCallOutcome {
  DeliveryOutcome call = DeliveryOutcome::kDelivered;
  std::vector<size_t> failed;
  std::string detail;  // call failure, or the first failed record's error
};

struct RecordRetryPolicy {
  int max_rounds = 3;                // rounds of resending failed records
  int64_t initial_backoff_ms = 100;  // before the first resend; doubles each round
};

// Groups record indices (in order) into calls within the API's quotas.
using GroupRecords = std::function<std::vector<std::vector<size_t>>(const std::vector<size_t>& pending)>;
// Sends the records at these indices as one call.
using SendRecordCall = std::function<RecordCallOutcome(const std::vector<size_t>& call)>;

// Sends every record whose accepted[i] is false, marking those that get in. destination names
// the target in logs and details ("Kinesis stream tracking-page_view"). kRetry when a call
// fails transiently or records still fail after the rounds; kRejected when a call is refused
// for good.
DeliveryResult SendRecordsWithRetries(std::string_view destination, std::vector<bool>& accepted,
                                      const GroupRecords& group, const SendRecordCall& send,
                                      const RecordRetryPolicy& policy);

// Which records of an object were already accepted, kept across the pipeline's attempts
// (key and a fingerprint of the content). Bounded: beyond kMaxObjects the oldest memory is
// dropped, which costs duplicates, never losses.
class AcceptedRecords {
 public:
  static constexpr size_t kMaxObjects = 1024;
  // The remembered marks (and forgets them), or all false.
  std::vector<bool> Take(const std::string& key, size_t fingerprint, size_t records);
  void Keep(const std::string& key, size_t fingerprint, std::vector<bool> accepted);

 private:
  struct Entry {
    size_t fingerprint;
    std::vector<bool> accepted;
  };
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
};

// Groups the records at `indices` (in order) into calls of at most max_records records and
// max_bytes bytes (size_of(index) each). REQUIRES: every record is at most max_bytes.
std::vector<std::vector<size_t>> GroupIntoCalls(const std::function<size_t(size_t)>& size_of,
                                                const std::vector<size_t>& indices, size_t max_records,
                                                size_t max_bytes);

// "1, 2, 3 and 7 more": line numbers for a detail.
std::string LineList(const std::vector<uint64_t>& lines);

}  // namespace tracklake
