// ColumnWriter: buffers one leaf column of the current row group as compressed data pages and
// serialises it as a column chunk (dictionary page first, then data pages v1).
//
// BYTE_ARRAY columns start dictionary-encoded (RLE_DICTIONARY data pages, PLAIN dictionary
// page) and fall back to PLAIN for the rest of the chunk once the dictionary would exceed
// kMaxDictionaryBytes or kMaxDictionaryEntries; the page in which that happens is written
// PLAIN, so pages are only ever cut at row boundaries (rep level 0). INT64 columns are PLAIN.
// Levels use the RLE/bit-packed hybrid with a 4-byte length prefix.
//
// Values are appended PLAIN and dictionary-encoded a run of them at a time (kPendingBytes):
// looking them up row by row touched every column's dictionary for every row, and the
// dictionaries of high-cardinality columns together outgrow the caches; one column's run at a
// time keeps one dictionary hot and lets the lookups prefetch their slots a few values ahead.
//
// Memory: the compressed pages of the current chunk, one uncompressed page and the
// dictionary. Thread-compatible: one thread at a time.
// Errors: compression failures are remembered and returned by WriteChunk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encode/parquet/byte_buffer.h"
#include "encode/parquet/file_metadata.h"
#include "encode/parquet/string_dictionary.h"

namespace tracklake::parquet {

struct ColumnSpec {
  std::vector<std::string> path;  // path_in_schema
  PhysicalType type = PhysicalType::kByteArray;
  int16_t max_def = 0;  // levels are buffered a byte each: at most 255 (tracklake's schema: 3)
  int16_t max_rep = 0;
};

class ColumnWriter {
 public:
  ColumnWriter(ColumnSpec spec, Codec codec, uint64_t max_dictionary_bytes);

  const ColumnSpec& spec() const { return spec_; }

  // A present value (definition level max_def). REQUIRES the matching physical type.
  void AddString(std::string_view value, int16_t rep = 0);
  void AddInt64(int64_t value, int16_t rep = 0);
  // An absent value at definition level def < max_def.
  void AddNull(int16_t def, int16_t rep = 0);

  // Uncompressed bytes buffered for the current chunk (pages, current page, dictionary).
  uint64_t buffered_bytes() const { return chunk_page_bytes_ + page_bytes_ + dict_bytes_; }

  // At least the bytes WriteChunk will append (the open page and the dictionary counted
  // uncompressed): lets the caller size the file buffer once instead of growing it page by page.
  uint64_t chunk_bytes_bound() const { return pages_.size() + page_bytes_ + dict_bytes_ + kChunkHeaderSlack; }

  // Appends the chunk to out (whose size is its file offset) and fills chunk; resets the
  // writer for the next row group.
  Status WriteChunk(std::string& out, ColumnChunk& chunk);

 private:
  // Page headers of the open page and the dictionary page, with room to spare.
  static constexpr uint64_t kChunkHeaderSlack = 256;

  void BeginEntry(int16_t def, int16_t rep);
  void AppendPlain(std::string_view value);
  void UpdateStringStats(std::string_view value);
  void EncodePending();
  void FlushPage();
  void AppendPage(PageType type, Encoding encoding, int32_t num_values, std::string_view body, std::string& out,
                  int64_t& uncompressed_total);
  void ResetChunk();

  ColumnSpec spec_;
  Codec codec_;
  uint64_t max_dictionary_bytes_;
  Status status_;
  std::string compressed_;  // scratch
  std::string levels_;      // scratch
  std::string body_;        // scratch: the uncompressed page being serialised

  // Current page.
  std::vector<uint8_t> defs_;
  std::vector<uint8_t> reps_;
  ByteBuffer plain_;               // every value, PLAIN-encoded
  size_t pending_from_ = 0;        // plain_ from here on is not dictionary-encoded yet
  std::vector<uint32_t> indices_;  // dictionary indices (dictionary mode)
  uint64_t page_bytes_ = 0;

  // Current chunk.
  std::string pages_;  // compressed data pages with headers
  uint64_t chunk_page_bytes_ = 0;
  int64_t chunk_uncompressed_ = 0;
  int64_t num_values_ = 0;
  int64_t null_count_ = 0;
  bool dict_mode_ = false;
  bool wrote_dict_pages_ = false;
  StringDictionary dict_;
  uint64_t dict_bytes_ = 0;
  bool has_min_max_ = false;
  std::string min_string_, max_string_;
  uint64_t min_prefix_ = 0, max_prefix_ = 0;  // OrderPrefix of min_string_ / max_string_
  int64_t min_int_ = 0, max_int_ = 0;
};

}  // namespace tracklake::parquet
