#include "sink/kafka/delivered_batches.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

using State = DeliveredBatches::State;

TEST(DeliveredBatches, TheOldestBatchAdvancesTheWatermarkOthersAreListed) {
  DeliveredBatches d;
  d.Advance(10);  // batches below 10 were delivered before
  EXPECT_EQ(d.Lookup(3), State::kDelivered);
  d.Add(25, false);  // delivered ahead of the batch starting at 10
  EXPECT_EQ(d.Lookup(25), State::kDelivered);
  EXPECT_EQ(d.Lookup(10), State::kNotDelivered);
  EXPECT_EQ(d.listed(), 1u);
  d.Add(10, false);  // the oldest: nothing below 11 is missing now
  EXPECT_EQ(d.below(), 11u);
  EXPECT_EQ(d.Lookup(10), State::kDelivered);
  EXPECT_EQ(d.Lookup(17), State::kNotDelivered);  // not a batch we know of: a later one
  d.Advance(30);                                  // the pipeline's watermark passed both
  EXPECT_EQ(d.listed(), 0u);
  EXPECT_EQ(d.Lookup(25), State::kDelivered);
}

TEST(DeliveredBatches, ABatchWithRejectsStaysListedSoAReplayKeepsItsDeadLetter) {
  DeliveredBatches d;
  d.Advance(5);
  d.Add(5, true);
  EXPECT_EQ(d.below(), 5u);
  EXPECT_EQ(d.Lookup(5), State::kDeliveredWithRejects);
  d.Advance(4);  // never lowered
  EXPECT_EQ(d.below(), 5u);
}

TEST(DeliveredBatches, RoundTripsThroughItsTextForm) {
  DeliveredBatches d;
  d.Advance(1000);
  d.Add(1200, false);
  d.Add(1500, true);
  EXPECT_EQ(d.Encode(), "tl1 1000 200 500r");
  auto back = DeliveredBatches::Decode(d.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Encode(), d.Encode());
  EXPECT_EQ(back->Lookup(1500), State::kDeliveredWithRejects);
  EXPECT_EQ(back->Lookup(999), State::kDelivered);
  EXPECT_EQ(back->Lookup(1000), State::kNotDelivered);
  EXPECT_EQ(DeliveredBatches::Decode("tl1 0")->below(), 0u);
}

TEST(DeliveredBatches, TextThatIsNotOursIsCorruption) {
  for (std::string_view text : {"", "tl1", "tl2 5", "tl1 x", "tl1 5 7q", "tl1 5  7", "tl1 18446744073709551615 1"}) {
    EXPECT_FALSE(DeliveredBatches::Decode(text).ok()) << text;
  }
}

}  // namespace
}  // namespace tracklake
