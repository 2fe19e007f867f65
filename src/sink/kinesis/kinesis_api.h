// The Kinesis Data Streams calls as tracklake uses them: PutRecords, its body and what its answer
// means (sink/aws_records/record_api.h; on top of the common transient errors,
// ProvisionedThroughputExceededException and KMSThrottlingException are retried), and
// DescribeStreamSummary, the sink's check of a stream (Sink::Check).
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http_client.h"
#include "common/status.h"
#include "sink/kinesis/kinesis_records.h"
#include "sink/record_calls.h"

namespace tracklake {

inline constexpr std::string_view kPutRecordsTarget = "Kinesis_20131202.PutRecords";

// {"StreamName":"...","Records":[{"Data":"<base64>","PartitionKey":"..."},...]} for the records
// at `indices`.
std::string PutRecordsBody(std::string_view stream, const std::vector<KinesisRecord>& records,
                           const std::vector<size_t>& indices);

RecordCallOutcome ClassifyPutRecords(std::string_view stream, const Result<aws::HttpResponse>& response,
                                     size_t records_sent);

bool IsRetryableKinesisError(std::string_view type);

inline constexpr std::string_view kDescribeStreamSummaryTarget = "Kinesis_20131202.DescribeStreamSummary";
// {"StreamName":"..."}
std::string DescribeStreamSummaryBody(std::string_view stream);
// kDelivered when the stream is ACTIVE or UPDATING (both take records); kRejected with
// destination_refuses when it is missing, CREATING or DELETING, or access is denied (the detail
// says which, and for a denial which permissions the collector needs); kRetry when the check
// cannot tell (unreachable, throttled, 5xx).
DeliveryResult ClassifyDescribeStreamSummary(std::string_view stream, const Result<aws::HttpResponse>& response);

}  // namespace tracklake
