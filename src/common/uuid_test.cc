#include "common/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace tracklake {
namespace {

TEST(UuidV7, HasVersionVariantAndTimePrefix) {
  std::string id;
  AppendUuidV7(id, 0x0123456789ab);
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id.substr(0, 13), "01234567-89ab");
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

TEST(UuidV7, IdsAreDistinctWithinOneMillisecond) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    std::string id;
    AppendUuidV7(id, 1000);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 10000u);
}

}  // namespace
}  // namespace tracklake
