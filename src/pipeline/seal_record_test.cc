#include "pipeline/seal_record.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(SealRecord, SealPayloadRoundTrips) {
  SealPayload p{"page_view/dt=2026-11-26/hr=06", 10, 99, 42};
  SealPayload q;
  ASSERT_TRUE(DecodeSealPayload(EncodeSealPayload(p), q).ok());
  EXPECT_EQ(q.partition, p.partition);
  EXPECT_EQ(q.first_seq, 10u);
  EXPECT_EQ(q.last_seq, 99u);
  EXPECT_EQ(q.events, 42u);
  EXPECT_FALSE(DecodeSealPayload("x\ty", q).ok());
}

}  // namespace
}  // namespace tracklake
