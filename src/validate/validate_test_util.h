// Test fixture shared by the validate tests: runs Validator::Parse and decodes every record.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "event/event_record.h"
#include "validate/validate.h"

namespace tracklake {

inline constexpr int64_t kTestReceivedAtMs = 1'795'673'235'123;  // 2026-11-26T06:07:15.123Z
inline constexpr std::string_view kTestAppId = "shop";

class ValidateTest : public ::testing::Test {
 protected:
  // Parses body with rules_ and info_, then decodes out_ into records_ (in span order).
  Status Run(std::string_view body, BodyFormat format = BodyFormat::kJson) {
    info_.received_at_ms = kTestReceivedAtMs;
    Validator validator(rules_);
    Status status = validator.Parse(body, format, info_, out_);
    records_.clear();
    for (const RecordSpan& span : out_.spans) {
      EventView view;
      const Status decoded = DecodeEventRecord(std::string_view(out_.records).substr(span.offset, span.size), view);
      EXPECT_TRUE(decoded.ok()) << decoded.ToString();
      records_.push_back(std::move(view));
    }
    return status;
  }

  // Runs a body expected to hold exactly one event that is rejected; returns its Rejection.
  Rejection RunRejected(std::string_view body) {
    const Status status = Run(body);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(out_.accepted, 0u);
    if (out_.rejected.size() != 1) {
      ADD_FAILURE() << "expected one rejection, got " << out_.rejected.size();
      return {};
    }
    return out_.rejected[0];
  }

  // Runs a body expected to hold exactly one accepted event; returns its decoded record.
  EventView RunAccepted(std::string_view body) {
    const Status status = Run(body);
    EXPECT_TRUE(status.ok()) << status.ToString();
    for (const Rejection& r : out_.rejected) {
      ADD_FAILURE() << "unexpected rejection: field '" << r.field << "': " << r.error;
    }
    if (out_.accepted != 1 || records_.size() != 1) {
      ADD_FAILURE() << "expected one accepted event";
      return {};
    }
    return records_[0];
  }

  static std::vector<std::string> Keys(const EventView& e) {
    std::vector<std::string> keys;
    for (const Field& f : e.fields) keys.emplace_back(f.key);
    return keys;
  }

  static std::string Value(const EventView& e, std::string_view key) {
    const auto v = e.Get(key);
    return v ? std::string(*v) : std::string("<absent>");
  }

  ValidationRules rules_;
  RequestInfo info_{kTestAppId, kTestReceivedAtMs, nullptr};
  ValidatedBody out_;
  std::vector<EventView> records_;
};

}  // namespace tracklake
