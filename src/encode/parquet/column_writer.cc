#include "encode/parquet/column_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "common/hash_bytes.h"
#include "encode/parquet/compression.h"
#include "encode/parquet/rle_bp.h"

namespace tracklake::parquet {
namespace {

constexpr size_t kLengthPrefixBytes = 4;
constexpr size_t kInt64Bytes = 8;
// Dictionary indices are written with at least 1 bit: a 0-bit width is legal but some
// readers have mishandled it.
constexpr int kMinIndexBitWidth = 1;
// Values are dictionary-encoded in runs of about this many bytes, while they are still in the
// L1/L2 cache from being appended.
constexpr size_t kPendingBytes = 16u << 10;
// How many values ahead of the lookup its dictionary slot is prefetched: far enough to cover a
// miss to memory, near enough that the line is still cached when the lookup comes.
constexpr size_t kPrefetchDistance = 8;

void PutU32(std::string& out, uint32_t v) {
  char buf[kLengthPrefixBytes];
  for (size_t i = 0; i < kLengthPrefixBytes; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out.append(buf, kLengthPrefixBytes);
}

void PutI64(std::string& out, int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (size_t i = 0; i < kInt64Bytes; ++i) out.push_back(static_cast<char>(u >> (8 * i)));
}

}  // namespace

ColumnWriter::ColumnWriter(ColumnSpec spec, Codec codec, uint64_t max_dictionary_bytes)
    : spec_(std::move(spec)), codec_(codec), max_dictionary_bytes_(max_dictionary_bytes) {
  ResetChunk();
}

void ColumnWriter::ResetChunk() {
  pages_.clear();
  chunk_page_bytes_ = 0;
  chunk_uncompressed_ = 0;
  num_values_ = 0;
  null_count_ = 0;
  dict_mode_ = spec_.type == PhysicalType::kByteArray;
  wrote_dict_pages_ = false;
  dict_.Clear();
  dict_bytes_ = 0;
  has_min_max_ = false;
}

// Inlined: it runs once per value of every column, and its common path is a few stores.
[[gnu::always_inline]] inline void ColumnWriter::BeginEntry(int16_t def, int16_t rep) {
  // Cut pages only where a new row starts, so no row spans two pages.
  if (rep == 0 && (page_bytes_ >= kPageBytes || defs_.size() >= kMaxPageValues)) FlushPage();
  // Kept even for required columns (all 0, not written): defs_.size() counts the entries.
  defs_.push_back(static_cast<uint8_t>(def));
  if (spec_.max_rep > 0) reps_.push_back(static_cast<uint8_t>(rep));
  ++page_bytes_;  // levels: an upper bound of their encoded size per entry
}

void ColumnWriter::AppendPlain(std::string_view value) {
  plain_.AppendU32LE(static_cast<uint32_t>(value.size()));
  plain_.Append(value.data(), value.size());
}

namespace {

// The first 8 bytes as a big-endian integer, zero-padded: when two prefixes differ, they
// order the strings as memcmp would, so most comparisons need no memcmp at all.
uint64_t OrderPrefix(std::string_view s) {
  uint64_t v = 0;
  std::memcpy(&v, s.data(), std::min(s.size(), sizeof v));
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

}  // namespace

void ColumnWriter::UpdateStringStats(std::string_view value) {
  const uint64_t prefix = OrderPrefix(value);
  if (!has_min_max_) {
    min_string_.assign(value);
    max_string_.assign(value);
    min_prefix_ = max_prefix_ = prefix;
    has_min_max_ = true;
    return;
  }
  // std::string comparison is byte-wise unsigned (char_traits<char>::compare is memcmp).
  if (prefix < min_prefix_ || (prefix == min_prefix_ && value < std::string_view(min_string_))) {
    min_string_.assign(value);
    min_prefix_ = prefix;
  }
  if (prefix > max_prefix_ || (prefix == max_prefix_ && value > std::string_view(max_string_))) {
    max_string_.assign(value);
    max_prefix_ = prefix;
  }
}

void ColumnWriter::AddString(std::string_view value, int16_t rep) {
  BeginEntry(spec_.max_def, rep);
  page_bytes_ += kLengthPrefixBytes + value.size();
  AppendPlain(value);
  // A PLAIN column has nothing pending: its values only update the statistics.
  if (!dict_mode_) UpdateStringStats(value);
  else if (plain_.size() - pending_from_ >= kPendingBytes) EncodePending();
}

// Turns the values appended since the last call into dictionary indices. When the dictionary
// fills up, the column turns PLAIN for the rest of the chunk; the page being filled is then
// written PLAIN whole (the values it already added stay in the dictionary, unreferenced), so
// its earlier indices are dropped and the rest of the values only update the statistics.
//
// The values are parsed and hashed a few ahead of their lookup into a small ring, so that the
// dictionary slot of a value 2d ahead and the dictionary value behind the slot of the value d
// ahead (a hit compares its bytes) are already loading when their lookup comes.
void ColumnWriter::EncodePending() {
  struct Pending {
    size_t offset;
    uint32_t size;
    uint64_t hash;
  };
  constexpr size_t kRing = 4 * kPrefetchDistance;
  Pending ring[kRing];
  const size_t end = plain_.size();
  size_t scan = pending_from_;
  size_t scanned = 0;
  pending_from_ = end;
  for (size_t i = 0;; ++i) {
    while (scan < end && scanned < i + 2 * kPrefetchDistance) {
      Pending& p = ring[scanned++ % kRing];
      p.size = plain_.LoadU32LE(scan);
      p.offset = scan + kLengthPrefixBytes;
      scan = p.offset + p.size;
      if (dict_mode_) {
        p.hash = HashBytes(std::string_view(plain_.data() + p.offset, p.size));
        dict_.Prefetch(p.hash);
      }
    }
    if (i == scanned) return;
    const Pending& p = ring[i % kRing];
    const std::string_view value(plain_.data() + p.offset, p.size);
    if (!dict_mode_) {
      UpdateStringStats(value);
      continue;
    }
    if (i + kPrefetchDistance < scanned) dict_.PrefetchValue(ring[(i + kPrefetchDistance) % kRing].hash);
    if (const uint32_t found = dict_.Find(value, p.hash); found != StringDictionary::kNotFound) {
      indices_.push_back(found);
    } else if (dict_.size() < kMaxDictionaryEntries &&
               dict_bytes_ + kLengthPrefixBytes + value.size() <= max_dictionary_bytes_) {
      indices_.push_back(dict_.InsertMissing(value));
      dict_bytes_ += kLengthPrefixBytes + value.size();
      UpdateStringStats(value);
    } else {
      indices_.clear();
      dict_mode_ = false;
      UpdateStringStats(value);
    }
  }
}

void ColumnWriter::AddInt64(int64_t value, int16_t rep) {
  BeginEntry(spec_.max_def, rep);
  page_bytes_ += kInt64Bytes;
  plain_.AppendU64LE(static_cast<uint64_t>(value));
  if (!has_min_max_) {
    min_int_ = max_int_ = value;
    has_min_max_ = true;
  } else {
    min_int_ = std::min(min_int_, value);
    max_int_ = std::max(max_int_, value);
  }
}

void ColumnWriter::AddNull(int16_t def, int16_t rep) {
  BeginEntry(def, rep);
  ++null_count_;
}

void ColumnWriter::AppendPage(PageType type, Encoding encoding, int32_t num_values, std::string_view body,
                              std::string& out, int64_t& uncompressed_total) {
  Status s = Compress(codec_, body, compressed_);
  if (!s.ok()) {
    if (status_.ok()) status_ = s;
    return;
  }
  PageHeader h;
  h.type = type;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(compressed_.size());
  h.num_values = num_values;
  h.encoding = encoding;
  const size_t before = out.size();
  WritePageHeader(h, out);
  uncompressed_total += static_cast<int64_t>(out.size() - before + body.size());
  out.append(compressed_);
}

void ColumnWriter::FlushPage() {
  if (defs_.empty()) return;
  std::string& body = body_;
  body.clear();
  body.reserve(page_bytes_ + kLengthPrefixBytes * 2);
  auto put_levels = [&](const std::vector<uint8_t>& levels, int16_t max_level) {
    levels_.clear();
    EncodeRleBp(levels, BitWidth(static_cast<uint64_t>(max_level)), levels_);
    PutU32(body, static_cast<uint32_t>(levels_.size()));
    body.append(levels_);
  };
  if (spec_.max_rep > 0) put_levels(reps_, spec_.max_rep);
  if (spec_.max_def > 0) put_levels(defs_, spec_.max_def);
  if (dict_mode_) EncodePending();  // only BYTE_ARRAY columns are ever in dictionary mode
  // A page without values is written PLAIN: it needs no dictionary.
  const bool dict_page = dict_mode_ && !indices_.empty();
  if (dict_page) {
    const int width = std::max(kMinIndexBitWidth, BitWidth(dict_.size() - 1));
    body.push_back(static_cast<char>(width));
    const size_t indices_start = body.size();
    EncodeRleBp(indices_, width, body);
    // Parquet-mr's rule: after the first page, keep the dictionary only if it and the indices
    // take fewer bytes than the same values PLAIN. A column of unique values (event_id) would
    // otherwise carry every value twice over, in the dictionary and as an index, and pay a
    // hash-table insert per value until the dictionary limit.
    const bool first_dictionary_page = !wrote_dict_pages_;
    if (first_dictionary_page && dict_bytes_ + (body.size() - indices_start) >= plain_.size()) dict_mode_ = false;
    wrote_dict_pages_ = true;
  } else {
    body.append(plain_.view());
  }
  AppendPage(PageType::kDataPage, dict_page ? Encoding::kRleDictionary : Encoding::kPlain,
             static_cast<int32_t>(defs_.size()), body, pages_, chunk_uncompressed_);
  num_values_ += static_cast<int64_t>(defs_.size());
  chunk_page_bytes_ += page_bytes_;
  defs_.clear();
  reps_.clear();
  plain_.clear();
  pending_from_ = 0;
  indices_.clear();
  page_bytes_ = 0;
}

Status ColumnWriter::WriteChunk(std::string& out, ColumnChunk& chunk) {
  FlushPage();
  ColumnMetaData& m = chunk.meta_data;
  m = ColumnMetaData{};
  const auto start = static_cast<int64_t>(out.size());
  int64_t uncompressed = 0;
  if (wrote_dict_pages_) {
    m.dictionary_page_offset = start;
    AppendPage(PageType::kDictionaryPage, Encoding::kPlain, static_cast<int32_t>(dict_.size()), dict_.plain_values(),
               out, uncompressed);
  }
  m.data_page_offset = static_cast<int64_t>(out.size());
  out.append(pages_);
  uncompressed += chunk_uncompressed_;

  m.type = spec_.type;
  if (wrote_dict_pages_) m.encodings = {Encoding::kPlain, Encoding::kRleDictionary};
  else m.encodings = {Encoding::kPlain};
  if (spec_.max_def > 0 || spec_.max_rep > 0) m.encodings.push_back(Encoding::kRle);
  m.path_in_schema = spec_.path;
  m.codec = codec_;
  m.num_values = num_values_;
  m.total_uncompressed_size = uncompressed;
  m.total_compressed_size = static_cast<int64_t>(out.size()) - start;
  Statistics& st = m.statistics.emplace();
  st.null_count = null_count_;
  if (has_min_max_ && spec_.type == PhysicalType::kInt64) {
    st.min_value.emplace();
    st.max_value.emplace();
    PutI64(*st.min_value, min_int_);
    PutI64(*st.max_value, max_int_);
  } else if (has_min_max_ && min_string_.size() <= kMaxStatisticsValueBytes &&
             max_string_.size() <= kMaxStatisticsValueBytes) {
    st.min_value = min_string_;
    st.max_value = max_string_;
  }
  chunk.file_offset = start;
  ResetChunk();
  return std::exchange(status_, Status::Ok());
}

}  // namespace tracklake::parquet
