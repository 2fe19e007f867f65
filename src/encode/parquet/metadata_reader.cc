// Compact-protocol parsing of file_metadata.h structs. Every struct parser loops over the
// fields present, reads the ones it knows (a wrong wire type is corruption) and skips the rest.
#include <limits>

#include "encode/parquet/file_metadata.h"
#include "encode/parquet/thrift_compact.h"

namespace tracklake::parquet {
namespace {

int32_t I32(CompactReader& r, CompactType t) {
  if (t != CompactType::kI32 && t != CompactType::kI16 && t != CompactType::kByte) r.Fail();
  return static_cast<int32_t>(r.ReadInt(t));
}

int64_t I64(CompactReader& r, CompactType t) {
  if (t != CompactType::kI64 && t != CompactType::kI32) r.Fail();
  return r.ReadInt(t);
}

std::string Binary(CompactReader& r, CompactType t) {
  if (t != CompactType::kBinary) {
    r.Fail();
    return {};
  }
  return std::string(r.ReadBinary());
}

// Calls fn(id, type) for each field of a nested struct whose header was just read.
template <typename Fn>
void ForEachField(CompactReader& r, CompactType t, Fn&& fn) {
  if (t != CompactType::kStruct) {
    r.Fail();
    return;
  }
  r.EnterStruct();
  int16_t id;
  CompactType ft;
  while (r.NextField(id, ft)) fn(id, ft);
  r.LeaveStruct();
}

// Calls fn(type) for each element of a list whose field header was just read.
template <typename Fn>
void ForEachElement(CompactReader& r, CompactType t, Fn&& fn) {
  if (t != CompactType::kList) {
    r.Fail();
    return;
  }
  CompactType elem;
  const size_t n = r.ReadListHeader(elem);
  for (size_t i = 0; i < n && r.ok(); ++i) fn(elem);
}

void ReadStatistics(CompactReader& r, CompactType t, Statistics& s) {
  ForEachField(r, t, [&](int16_t id, CompactType ft) {
    switch (id) {
      case 3: s.null_count = I64(r, ft); break;
      case 5: s.max_value = Binary(r, ft); break;
      case 6: s.min_value = Binary(r, ft); break;
      default: r.Skip(ft);
    }
  });
}

void ReadColumnMetaData(CompactReader& r, CompactType t, ColumnMetaData& m) {
  ForEachField(r, t, [&](int16_t id, CompactType ft) {
    switch (id) {
      case 1: m.type = static_cast<PhysicalType>(I32(r, ft)); break;
      case 2:
        ForEachElement(r, ft, [&](CompactType et) { m.encodings.push_back(static_cast<Encoding>(I32(r, et))); });
        break;
      case 3: ForEachElement(r, ft, [&](CompactType et) { m.path_in_schema.push_back(Binary(r, et)); }); break;
      case 4: m.codec = static_cast<Codec>(I32(r, ft)); break;
      case 5: m.num_values = I64(r, ft); break;
      case 6: m.total_uncompressed_size = I64(r, ft); break;
      case 7: m.total_compressed_size = I64(r, ft); break;
      case 9: m.data_page_offset = I64(r, ft); break;
      case 11: m.dictionary_page_offset = I64(r, ft); break;
      case 12: ReadStatistics(r, ft, m.statistics.emplace()); break;
      default: r.Skip(ft);
    }
  });
}

void ReadRowGroup(CompactReader& r, CompactType t, RowGroup& rg) {
  ForEachField(r, t, [&](int16_t id, CompactType ft) {
    switch (id) {
      case 1:
        ForEachElement(r, ft, [&](CompactType et) {
          ColumnChunk& c = rg.columns.emplace_back();
          ForEachField(r, et, [&](int16_t cid, CompactType cft) {
            if (cid == 2) c.file_offset = I64(r, cft);
            else if (cid == 3) ReadColumnMetaData(r, cft, c.meta_data);
            else r.Skip(cft);
          });
        });
        break;
      case 2: rg.total_byte_size = I64(r, ft); break;
      case 3: rg.num_rows = I64(r, ft); break;
      case 5: rg.file_offset = I64(r, ft); break;
      case 6: rg.total_compressed_size = I64(r, ft); break;
      case 7: rg.ordinal = static_cast<int16_t>(I32(r, ft)); break;
      default: r.Skip(ft);
    }
  });
}

void ReadLogicalType(CompactReader& r, CompactType t, SchemaElement& e) {
  ForEachField(r, t, [&](int16_t id, CompactType ft) {
    switch (static_cast<LogicalKind>(id)) {
      case LogicalKind::kString:
      case LogicalKind::kMap:
      case LogicalKind::kList:
        e.logical = static_cast<LogicalKind>(id);
        r.Skip(ft);
        break;
      case LogicalKind::kTimestamp:
        e.logical = LogicalKind::kTimestamp;
        ForEachField(r, ft, [&](int16_t tid, CompactType tft) {
          if (tid == 1) {
            e.timestamp_utc = r.ReadBool(tft);
          } else if (tid == 2) {
            ForEachField(r, tft, [&](int16_t uid, CompactType uft) {
              e.timestamp_unit = static_cast<TimeUnit>(uid);
              r.Skip(uft);
            });
          } else {
            r.Skip(tft);
          }
        });
        break;
      default: e.logical = LogicalKind::kOther; r.Skip(ft);
    }
  });
}

void ReadSchemaElement(CompactReader& r, CompactType t, SchemaElement& e) {
  ForEachField(r, t, [&](int16_t id, CompactType ft) {
    switch (id) {
      case 1: e.type = static_cast<PhysicalType>(I32(r, ft)); break;
      case 3: e.repetition = static_cast<Repetition>(I32(r, ft)); break;
      case 4: e.name = Binary(r, ft); break;
      case 5: e.num_children = I32(r, ft); break;
      case 6: e.converted_type = static_cast<ConvertedType>(I32(r, ft)); break;
      case 10: ReadLogicalType(r, ft, e); break;
      default: r.Skip(ft);
    }
  });
}

}  // namespace

Status ReadFileMetaData(std::string_view in, FileMetaData& out) {
  out = FileMetaData{};
  CompactReader r(in);
  int16_t id;
  CompactType ft;
  while (r.NextField(id, ft)) {
    switch (id) {
      case 1: out.version = I32(r, ft); break;
      case 2:
        ForEachElement(r, ft, [&](CompactType et) { ReadSchemaElement(r, et, out.schema.emplace_back()); });
        break;
      case 3: out.num_rows = I64(r, ft); break;
      case 4:
        ForEachElement(r, ft, [&](CompactType et) { ReadRowGroup(r, et, out.row_groups.emplace_back()); });
        break;
      case 5:
        ForEachElement(r, ft, [&](CompactType et) {
          KeyValue& kv = out.key_value_metadata.emplace_back();
          ForEachField(r, et, [&](int16_t kid, CompactType kft) {
            if (kid == 1) kv.key = Binary(r, kft);
            else if (kid == 2) kv.value = Binary(r, kft);
            else r.Skip(kft);
          });
        });
        break;
      case 6: out.created_by = Binary(r, ft); break;
      case 7:
        ForEachElement(r, ft, [&](CompactType et) {
          r.Skip(et);
          ++out.num_column_orders;
        });
        break;
      default: r.Skip(ft);
    }
  }
  if (!r.ok()) return Status::Corruption("malformed Parquet footer (FileMetaData)");
  return Status::Ok();
}

Status ReadPageHeader(std::string_view in, PageHeader& out, size_t& consumed) {
  out = PageHeader{};
  CompactReader r(in);
  int16_t id;
  CompactType ft;
  bool has_sizes[2] = {false, false};
  while (r.NextField(id, ft)) {
    switch (id) {
      case 1: out.type = static_cast<PageType>(I32(r, ft)); break;
      case 2:
        out.uncompressed_page_size = I32(r, ft);
        has_sizes[0] = true;
        break;
      case 3:
        out.compressed_page_size = I32(r, ft);
        has_sizes[1] = true;
        break;
      case 5:
      case 7: {
        const bool data = id == 5;
        ForEachField(r, ft, [&](int16_t did, CompactType dft) {
          if (did == 1) out.num_values = I32(r, dft);
          else if (did == 2) out.encoding = static_cast<Encoding>(I32(r, dft));
          else if (data && did == 3) out.definition_level_encoding = static_cast<Encoding>(I32(r, dft));
          else if (data && did == 4) out.repetition_level_encoding = static_cast<Encoding>(I32(r, dft));
          else r.Skip(dft);
        });
        break;
      }
      default: r.Skip(ft);
    }
  }
  if (!r.ok() || !has_sizes[0] || !has_sizes[1] || out.uncompressed_page_size < 0 || out.compressed_page_size < 0 ||
      out.num_values < 0) {
    return Status::Corruption("malformed Parquet page header");
  }
  consumed = r.consumed();
  return Status::Ok();
}

}  // namespace tracklake::parquet
