// Where one event record (event/event_record.h) lies in a buffer of records written back to back:
// validation produces them (validate/validate.h ValidatedBody), the pipeline and the write-ahead
// log take them as they are (pipeline/pipeline.h Ingest, wal/wal.h Append).
#pragma once

#include <cstdint>

namespace tracklake {

struct RecordSpan {
  uint32_t offset;
  uint32_t size;
};

}  // namespace tracklake
