#include "sink/aws_records/record_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "aws/json_api.h"
#include "common/json_writer.h"

namespace tracklake {
namespace {

constexpr long kOk = 200;

}  // namespace

RecordCallOutcome ClassifyRecordCall(const RecordApi& api, std::string_view destination,
                                     const Result<aws::HttpResponse>& response, size_t records_sent) {
  RecordCallOutcome out;
  if (!response.ok()) {
    out.call = DeliveryOutcome::kRetry;
    out.detail = fmt::format("{} {}: {}", api.call_name, destination, response.status().ToString());
    return out;
  }
  const long status = response->status;
  if (status != kOk) {
    const aws::JsonApiError error = aws::ParseJsonApiError(response.value());
    out.detail = fmt::format("{} {}: HTTP {}", api.call_name, destination, status) +
                 aws::DescribeAwsError(error.type, error.message, response->Header("x-amzn-requestid"));
    const bool retry = response->RetryableStatus() || aws::IsRetryableJsonApiError(error.type) ||
                       (api.retryable != nullptr && api.retryable(error.type));
    out.call = retry ? DeliveryOutcome::kRetry : DeliveryOutcome::kRejected;
    return out;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array results;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc[api.results_field].get(results) != simdjson::SUCCESS) {
    // A 200 we cannot read proves nothing about the records: send them all again.
    out.call = DeliveryOutcome::kRetry;
    out.detail = fmt::format("{} {}: unreadable 200 response", api.call_name, destination);
    return out;
  }
  size_t position = 0;
  for (simdjson::dom::element entry : results) {
    if (position >= records_sent) break;
    std::string_view code;
    if (entry["ErrorCode"].get(code) == simdjson::SUCCESS && !code.empty()) {
      if (out.failed.empty()) {
        std::string_view message;
        if (entry["ErrorMessage"].get(message) != simdjson::SUCCESS) message = "";
        out.detail = fmt::format("{} {}: record failed with {}: {}", api.call_name, destination, code, message);
      }
      out.failed.push_back(position);
    }
    ++position;
  }
  // Records the answer does not mention were not confirmed.
  for (; position < records_sent; ++position) out.failed.push_back(position);
  if (!out.failed.empty() && out.detail.empty()) {
    out.detail = fmt::format("{} {}: answer covers fewer records than sent", api.call_name, destination);
  }
  return out;
}

std::string DescribeCallBody(const DescribeApi& api, std::string_view stream) {
  std::string body = "{";
  AppendJsonString(body, api.name_field);
  body += ":";
  AppendJsonString(body, stream);
  body += "}";
  return body;
}

DeliveryResult ClassifyDescribeCall(const DescribeApi& api, std::string_view stream,
                                    const Result<aws::HttpResponse>& response, std::string* status) {
  if (!response.ok()) {
    return {DeliveryOutcome::kRetry, fmt::format("{} {}: {}", api.call_name, stream, response.status().ToString())};
  }
  if (response->status != kOk) {
    const aws::JsonApiError error = aws::ParseJsonApiError(response.value());
    std::string detail = fmt::format("{} {}: HTTP {}", api.call_name, stream, response->status) +
                         aws::DescribeAwsError(error.type, error.message, response->Header("x-amzn-requestid"));
    if (response->RetryableStatus() || aws::IsRetryableJsonApiError(error.type) ||
        (api.retryable != nullptr && api.retryable(error.type))) {
      return {DeliveryOutcome::kRetry, std::move(detail)};
    }
    return {DeliveryOutcome::kRejected, std::move(detail), /*destination_refuses=*/true};
  }
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(response->body)[api.description_field][api.status_field].get(text) != simdjson::SUCCESS) {
    return {DeliveryOutcome::kRetry,
            fmt::format("{} {}: no {} in the answer", api.call_name, stream, api.status_field)};
  }
  *status = text;
  return {};
}

}  // namespace tracklake
