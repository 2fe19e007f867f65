#include "client/collector_answer.h"

#include <gtest/gtest.h>

namespace tracklake::client {
namespace {

constexpr double kNow = 1'764'137'235;  // Wed, 26 Nov 2025 06:07:15 GMT

TEST(CollectorAnswerTest, DeliveredWithTheRejectionsItLists) {
  Answer a = ClassifyAnswer(
      200, R"j({"accepted":2,"rejected":[{"index":1,"field":"n","error":"must be a string (got number)"}]})j", "", 3,
      kNow);
  EXPECT_EQ(a.kind, AnswerKind::kDelivered);
  EXPECT_EQ(a.rejected, 1u);
  EXPECT_EQ(a.detail, "first: field 'n', must be a string (got number)");
  a = ClassifyAnswer(
      400, R"j({"accepted":0,"rejected":[{"index":0,"field":"","error":"x"},{"index":1,"field":"","error":"y"}]})j",
      "", 2, kNow);
  EXPECT_EQ(a.kind, AnswerKind::kDelivered);
  EXPECT_EQ(a.rejected, 2u);
  EXPECT_EQ(ClassifyAnswer(204, "", "", 5, kNow).kind, AnswerKind::kDelivered);
}

TEST(CollectorAnswerTest, OverloadOutagesAndRefusedKeysAreRetried) {
  for (unsigned status : {0u, 429u, 503u, 500u, 502u, 401u, 403u}) {
    const Answer a = ClassifyAnswer(status, R"j({"error":"busy"})j", "3", 10, kNow);
    EXPECT_EQ(a.kind, AnswerKind::kRetry) << status;
    EXPECT_EQ(a.retry_after_s, 3.0) << status;
  }
  EXPECT_EQ(ClassifyAnswer(503, R"j({"error":"log queue full"})j", "", 1, kNow).detail, "HTTP 503 (log queue full)");
}

TEST(CollectorAnswerTest, TooLargeSplitsUntilOneEventIsLeft) {
  EXPECT_EQ(ClassifyAnswer(413, "", "", 2, kNow).kind, AnswerKind::kSplit);
  const Answer one = ClassifyAnswer(413, "", "", 1, kNow);
  EXPECT_EQ(one.kind, AnswerKind::kRejected);
  EXPECT_EQ(one.rejected, 1u);
}

TEST(CollectorAnswerTest, OtherClientErrorsAreRefusedForGood) {
  for (unsigned status : {400u, 404u, 415u}) {
    const Answer a = ClassifyAnswer(status, R"j({"error":"request body is not valid JSON"})j", "", 7, kNow);
    EXPECT_EQ(a.kind, AnswerKind::kRejected) << status;
    EXPECT_EQ(a.rejected, 7u);
  }
}

TEST(CollectorAnswerTest, RetryAfterInSecondsOrAsADate) {
  EXPECT_EQ(ParseRetryAfter("5", kNow), 5.0);
  EXPECT_EQ(ParseRetryAfter(" 7 ", kNow), 7.0);
  EXPECT_EQ(ParseRetryAfter("Wed, 26 Nov 2025 06:07:45 GMT", kNow), 30.0);
  EXPECT_EQ(ParseRetryAfter("Wed, 26 Nov 2025 06:07:00 GMT", kNow), 0.0);  // already past
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", kNow), std::nullopt);
}

TEST(CollectorAnswerTest, BackoffIsJitteredCappedAndNeverBelowRetryAfter) {
  std::mt19937_64 rng(24);
  for (int attempt = 1; attempt < 40; ++attempt) {
    const double d = BackoffSeconds(attempt, 30, std::nullopt, rng);
    EXPECT_GE(d, 0);
    EXPECT_LE(d, std::min(30.0, 0.1 * (1 << std::min(attempt, 20))));
    EXPECT_GE(BackoffSeconds(attempt, 0.5, 2.0, rng), 2.0);
    EXPECT_LE(BackoffSeconds(attempt, 0.5, 1e9, rng), 600.0);
  }
}

}  // namespace
}  // namespace tracklake::client
