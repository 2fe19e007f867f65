#include "encode/parquet/column_reader.h"

#include "encode/parquet/compression.h"
#include "encode/parquet/rle_bp.h"

namespace tracklake::parquet {
namespace {

constexpr size_t kLengthPrefixBytes = 4;
constexpr size_t kInt64Bytes = 8;

uint32_t GetU32(std::string_view p) {
  uint32_t v = 0;
  for (size_t i = 0; i < kLengthPrefixBytes; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

int64_t GetI64(std::string_view p) {
  uint64_t v = 0;
  for (size_t i = 0; i < kInt64Bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return static_cast<int64_t>(v);
}

Status Corrupt(std::string_view what) { return Status::Corruption("Parquet column chunk: " + std::string(what)); }

// Reads n PLAIN byte arrays from p into out.
bool DecodePlainStrings(std::string_view& p, size_t n, std::vector<std::string>& out) {
  for (size_t i = 0; i < n; ++i) {
    if (p.size() < kLengthPrefixBytes) return false;
    const uint32_t len = GetU32(p);
    p.remove_prefix(kLengthPrefixBytes);
    if (len > p.size()) return false;
    out.emplace_back(p.substr(0, len));
    p.remove_prefix(len);
  }
  return true;
}

// Reads one length-prefixed level run of n levels (each <= max_level) from p.
bool DecodeLevels(std::string_view& p, int16_t max_level, size_t n, std::vector<uint32_t>& out) {
  if (p.size() < kLengthPrefixBytes) return false;
  const uint32_t len = GetU32(p);
  p.remove_prefix(kLengthPrefixBytes);
  if (len > p.size()) return false;
  const size_t before = out.size();
  if (!DecodeRleBp(p.substr(0, len), BitWidth(static_cast<uint64_t>(max_level)), n, out)) return false;
  p.remove_prefix(len);
  for (size_t i = before; i < out.size(); ++i) {
    if (out[i] > static_cast<uint32_t>(max_level)) return false;
  }
  return true;
}

Status DecodeDataPage(std::string_view p, const PageHeader& h, const LeafInfo& leaf,
                      const std::vector<std::string>& dict, bool has_dict, ColumnValues& out) {
  const auto n = static_cast<size_t>(h.num_values);
  if (leaf.max_rep > 0 && !DecodeLevels(p, leaf.max_rep, n, out.reps)) return Corrupt("bad repetition levels");
  const size_t first = out.defs.size();
  if (leaf.max_def > 0) {
    if (!DecodeLevels(p, leaf.max_def, n, out.defs)) return Corrupt("bad definition levels");
  } else {
    out.defs.insert(out.defs.end(), n, 0);
  }
  size_t present = 0;
  for (size_t i = first; i < out.defs.size(); ++i) present += out.defs[i] == static_cast<uint32_t>(leaf.max_def);

  if (h.encoding == Encoding::kPlain) {
    if (leaf.type == PhysicalType::kByteArray) {
      if (!DecodePlainStrings(p, present, out.strings)) return Corrupt("PLAIN values run past the page");
    } else {
      if (p.size() / kInt64Bytes < present) return Corrupt("PLAIN values run past the page");
      for (size_t i = 0; i < present; ++i) out.ints.push_back(GetI64(p.substr(i * kInt64Bytes)));
    }
    return Status::Ok();
  }
  if (h.encoding != Encoding::kRleDictionary && h.encoding != Encoding::kPlainDictionary) {
    return Corrupt("unsupported data page encoding");
  }
  if (!has_dict || leaf.type != PhysicalType::kByteArray) return Corrupt("dictionary page missing");
  if (present == 0) return Status::Ok();
  if (p.empty()) return Corrupt("dictionary indices missing");
  const int width = static_cast<uint8_t>(p[0]);
  std::vector<uint32_t> indices;
  if (!DecodeRleBp(p.substr(1), width, present, indices)) return Corrupt("bad dictionary indices");
  for (uint32_t index : indices) {
    if (index >= dict.size()) return Corrupt("dictionary index out of range");
    out.strings.push_back(dict[index]);
  }
  return Status::Ok();
}

}  // namespace

Status DecodeColumnChunk(std::string_view file, size_t data_end, const ColumnChunk& chunk, const LeafInfo& leaf,
                         uint64_t& value_budget, ColumnValues& out) {
  out = ColumnValues{};
  const ColumnMetaData& m = chunk.meta_data;
  if (m.type != leaf.type) return Corrupt("physical type differs from the schema");
  const int64_t start = m.dictionary_page_offset.value_or(m.data_page_offset);
  if (start < static_cast<int64_t>(kMagic.size()) || start > static_cast<int64_t>(data_end) ||
      m.total_compressed_size < 0 || m.total_compressed_size > static_cast<int64_t>(data_end) - start) {
    return Corrupt("chunk lies outside the file's data");
  }
  if (m.num_values < 0 || static_cast<uint64_t>(m.num_values) > value_budget) {
    return Corrupt("value count out of range");
  }
  value_budget -= static_cast<uint64_t>(m.num_values);
  std::string_view region = file.substr(static_cast<size_t>(start), static_cast<size_t>(m.total_compressed_size));
  std::vector<std::string> dict;
  bool has_dict = false;
  std::string page;
  const auto total = static_cast<size_t>(m.num_values);
  while (out.size() < total) {
    PageHeader h;
    size_t consumed = 0;
    Status s = ReadPageHeader(region, h, consumed);
    if (!s.ok()) return s;
    region.remove_prefix(consumed);
    if (static_cast<size_t>(h.compressed_page_size) > region.size()) return Corrupt("page runs past the chunk");
    if (static_cast<size_t>(h.uncompressed_page_size) > kMaxReaderPageBytes) return Corrupt("page too large");
    const std::string_view payload = region.substr(0, static_cast<size_t>(h.compressed_page_size));
    region.remove_prefix(payload.size());
    if (h.type == PageType::kIndexPage) continue;
    if (h.type != PageType::kDictionaryPage && h.type != PageType::kDataPage) {
      return Corrupt("unsupported page type");
    }
    s = Decompress(m.codec, payload, static_cast<size_t>(h.uncompressed_page_size), page);
    if (!s.ok()) return s;
    if (h.type == PageType::kDictionaryPage) {
      if (has_dict || out.size() > 0 || leaf.type != PhysicalType::kByteArray ||
          (h.encoding != Encoding::kPlain && h.encoding != Encoding::kPlainDictionary)) {
        return Corrupt("unexpected dictionary page");
      }
      // Each entry takes at least its 4-byte length, which bounds the count.
      if (static_cast<size_t>(h.num_values) > page.size() / kLengthPrefixBytes) return Corrupt("bad dictionary page");
      std::string_view p = page;
      if (!DecodePlainStrings(p, static_cast<size_t>(h.num_values), dict)) return Corrupt("bad dictionary page");
      has_dict = true;
      continue;
    }
    if (static_cast<size_t>(h.num_values) > kMaxReaderPageValues ||
        static_cast<size_t>(h.num_values) > total - out.size()) {
      return Corrupt("page value count out of range");
    }
    if (h.num_values == 0) return Corrupt("empty data page");
    s = DecodeDataPage(page, h, leaf, dict, has_dict, out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace tracklake::parquet
