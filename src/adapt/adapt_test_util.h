// Test helpers of the adapter tests: the records of a ValidatedBody as maps.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "event/event_record.h"
#include "validate/validate.h"

namespace tracklake {

inline constexpr int64_t kAdaptReceivedAtMs = 1'767'225'610'000;  // 2026-01-01T00:00:10Z

// Every record (accepted or rejected) as field -> value, in span order.
inline std::vector<std::map<std::string, std::string>> Records(const ValidatedBody& out) {
  std::vector<std::map<std::string, std::string>> records;
  for (const RecordSpan& span : out.spans) {
    EventView view;
    EXPECT_TRUE(DecodeEventRecord(std::string_view(out.records).substr(span.offset, span.size), view).ok());
    std::map<std::string, std::string> m;
    for (const Field& f : view.fields) m.emplace(std::string(f.key), std::string(f.value));
    records.push_back(std::move(m));
  }
  return records;
}

}  // namespace tracklake
