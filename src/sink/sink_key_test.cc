#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sink/sink.h"

namespace tracklake {
namespace {

TEST(IsLakeKey, AcceptsWhatObjectKeyMakes) {
  EXPECT_TRUE(IsLakeKey(ObjectKey("page_view/dt=2026-11-26/hr=06", "node-1.a", "3f9a0c2e", 1, 42, ".parquet")));
  EXPECT_TRUE(IsLakeKey(ObjectKey("_rejected/dt=2026-11-26/hr=23", "n", "", 7, 9, ".ndjson.gz")));
  EXPECT_TRUE(IsLakeKey(ObjectKey("click/dt=2026-01-01/hr=00", "host", "0a0b0c0d", 1, 1, ".ndjson")));
}

TEST(IsLakeKey, RefusesEverythingElse) {
  const std::string good = ObjectKey("click/dt=2026-01-01/hr=00", "host", "0a0b0c0d", 1, 1, ".parquet");
  for (const std::string& key : std::vector<std::string>{
           std::string("../etc/passwd"),
           "click/dt=2026-01-01/hr=00/../../x.parquet",
           "/" + good,
           good + "/x",
           "other/" + good,
           "Click/dt=2026-01-01/hr=00/host-00000000000000000001-00000000000000000001.parquet",
           "click/dt=2026-1-01/hr=00/host-00000000000000000001-00000000000000000001.parquet",
           "click/dt=2026-01-01/hr=0/host-00000000000000000001-00000000000000000001.parquet",
           "click/dt=2026-01-01/hr=00/host-00000000000000000001-0000000000000000001.parquet",
           "click/dt=2026-01-01/hr=00/host-00000000000000000001-00000000000000000001.exe",
           "click/dt=2026-01-01/hr=00/.-00000000000000000001-00000000000000000001.parquet",
           "click/dt=2026-01-01/hr=00/-00000000000000000001-00000000000000000001.parquet",
           "click/dt=2026-01-01/hr=00/a b-00000000000000000001-00000000000000000001.parquet",
           "",
           "click",
       }) {
    EXPECT_FALSE(IsLakeKey(key)) << key;
  }
}

}  // namespace
}  // namespace tracklake
