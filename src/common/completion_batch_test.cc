#include "common/completion_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tracklake {
namespace {

void AppendA(void* out) { *static_cast<std::string*>(out) += "a"; }
void AppendB(void* out) { *static_cast<std::string*>(out) += "b"; }

TEST(CompletionBatch, EachFlushRunsOnceWhenTheBatchEndsInRegistrationOrder) {
  std::string log;
  {
    CompletionBatch batch;
    ASSERT_EQ(CompletionBatch::Current(), &batch);
    batch.AtEnd(&AppendB, &log);
    batch.AtEnd(&AppendA, &log);
    batch.AtEnd(&AppendB, &log);
    EXPECT_EQ(log, "") << "nothing runs before the batch ends";
  }
  EXPECT_EQ(log, "ba");
  EXPECT_EQ(CompletionBatch::Current(), nullptr);
}

TEST(CompletionBatch, TheSameFlushForAnotherArgumentRunsToo) {
  std::string first, second;
  {
    CompletionBatch batch;
    batch.AtEnd(&AppendA, &first);
    batch.AtEnd(&AppendA, &second);
    batch.AtEnd(&AppendA, &first);
  }
  EXPECT_EQ(first, "a");
  EXPECT_EQ(second, "a");
}

// More distinct flushes than the batch keeps inline: every one still runs once, in order.
TEST(CompletionBatch, ManyDistinctFlushesEachRunOnceInOrder) {
  std::string logs[7];
  std::string order;
  struct Step {
    std::string* log;
    std::string* order;
    char name;
  };
  Step steps[7];
  {
    CompletionBatch batch;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 7; ++i) {
        steps[i] = Step{&logs[i], &order, static_cast<char>('0' + i)};
        batch.AtEnd(
            [](void* arg) {
              auto* step = static_cast<Step*>(arg);
              *step->log += "x";
              *step->order += step->name;
            },
            &steps[i]);
      }
    }
  }
  for (const std::string& log : logs) EXPECT_EQ(log, "x");
  EXPECT_EQ(order, "0123456");
}

TEST(CompletionBatch, AnInnerBatchIsCurrentUntilItEndsThenTheOuterOneAgain) {
  std::string log;
  CompletionBatch outer;
  {
    CompletionBatch inner;
    EXPECT_EQ(CompletionBatch::Current(), &inner);
    inner.AtEnd(&AppendA, &log);
  }
  EXPECT_EQ(log, "a");
  EXPECT_EQ(CompletionBatch::Current(), &outer);
}

TEST(CompletionBatch, ABatchIsCurrentOnlyOnItsOwnThread) {
  CompletionBatch batch;
  CompletionBatch* seen = &batch;
  std::thread([&] { seen = CompletionBatch::Current(); }).join();
  EXPECT_EQ(seen, nullptr);
}

// A flush that completes more work finds no batch open: that work is handed off directly
// rather than registered with a batch that has already run its flushes.
void RecordCurrent(void* out) { *static_cast<CompletionBatch**>(out) = CompletionBatch::Current(); }

TEST(CompletionBatch, AFlushRunsWithTheBatchNoLongerCurrent) {
  CompletionBatch* during_flush = reinterpret_cast<CompletionBatch*>(1);
  {
    CompletionBatch batch;
    batch.AtEnd(&RecordCurrent, &during_flush);
  }
  EXPECT_EQ(during_flush, nullptr);
}

}  // namespace
}  // namespace tracklake
