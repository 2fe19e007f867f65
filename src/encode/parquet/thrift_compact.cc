#include "encode/parquet/thrift_compact.h"

namespace tracklake::parquet {
namespace {

constexpr int kMaxFieldDelta = 15;
constexpr size_t kShortListMax = 14;  // sizes above this use the long list header form
constexpr uint8_t kLongListNibble = 0xf0;
constexpr int kMaxVarintShift = 63;
// Hostile input could nest structs/lists arbitrarily deep; Parquet metadata needs < 10.
constexpr int kMaxSkipDepth = 32;
constexpr size_t kDoubleBytes = 8;

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, CompactType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= kMaxFieldDelta) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last_id_ = id;
}

void CompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CompactType::kI16);
  Varint(ZigZag(v));
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CompactType::kI32);
  Varint(ZigZag(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CompactType::kI64);
  Varint(ZigZag(v));
}

void CompactWriter::FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CompactType::kTrue : CompactType::kFalse); }

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CompactType::kBinary);
  ElementBinary(v);
}

void CompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, CompactType::kStruct);
  BeginStructElement();
}

void CompactWriter::EmptyStructField(int16_t id) {
  BeginStructField(id);
  EndStruct();
}

void CompactWriter::BeginListField(int16_t id, CompactType element_type, size_t size) {
  FieldHeader(id, CompactType::kList);
  if (size <= kShortListMax) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<size_t>(element_type)));
  } else {
    out_.push_back(static_cast<char>(kLongListNibble | static_cast<uint8_t>(element_type)));
    Varint(size);
  }
}

void CompactWriter::ElementI32(int32_t v) { Varint(ZigZag(v)); }

void CompactWriter::ElementBinary(std::string_view v) {
  Varint(v.size());
  out_.append(v);
}

void CompactWriter::BeginStructElement() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_.push_back(static_cast<char>(CompactType::kStop));
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

uint64_t CompactReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift <= kMaxVarintShift; shift += 7) {
    if (pos_ >= in_.size()) break;
    const auto b = static_cast<uint8_t>(in_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail();
  return 0;
}

bool CompactReader::NextField(int16_t& id, CompactType& type) {
  if (!ok_ || pos_ >= in_.size()) {
    Fail();
    return false;
  }
  const auto b = static_cast<uint8_t>(in_[pos_++]);
  type = static_cast<CompactType>(b & 0x0f);
  if (type == CompactType::kStop) return false;
  const int delta = b >> 4;
  if (delta != 0) {
    id = static_cast<int16_t>(last_id_ + delta);
  } else {
    const int64_t raw = UnZigZag(Varint());
    if (raw < INT16_MIN || raw > INT16_MAX) {
      Fail();
      return false;
    }
    id = static_cast<int16_t>(raw);
  }
  last_id_ = id;
  return ok_;
}

int64_t CompactReader::ReadInt(CompactType type) {
  switch (type) {
    case CompactType::kByte:
      if (pos_ >= in_.size()) break;
      return static_cast<int8_t>(in_[pos_++]);
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: {
      const int64_t v = UnZigZag(Varint());
      if (type == CompactType::kI16 && (v < INT16_MIN || v > INT16_MAX)) break;
      if (type == CompactType::kI32 && (v < INT32_MIN || v > INT32_MAX)) break;
      return v;
    }
    default: break;
  }
  Fail();
  return 0;
}

bool CompactReader::ReadBool(CompactType type) {
  if (type == CompactType::kTrue) return true;
  if (type != CompactType::kFalse) Fail();
  return false;
}

std::string_view CompactReader::ReadBinary() {
  const uint64_t n = Varint();
  if (!ok_ || n > in_.size() - pos_) {
    Fail();
    return {};
  }
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

size_t CompactReader::ReadListHeader(CompactType& element_type) {
  if (pos_ >= in_.size()) {
    Fail();
    return 0;
  }
  const auto b = static_cast<uint8_t>(in_[pos_++]);
  element_type = static_cast<CompactType>(b & 0x0f);
  uint64_t size = b >> 4;
  if ((b & kLongListNibble) == kLongListNibble) size = Varint();
  // Every element takes at least one byte, so a larger size is certainly truncated.
  if (!ok_ || size > in_.size() - pos_) {
    Fail();
    return 0;
  }
  return size;
}

void CompactReader::EnterStruct() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactReader::LeaveStruct() {
  if (stack_.empty()) {
    Fail();
    return;
  }
  last_id_ = stack_.back();
  stack_.pop_back();
}

void CompactReader::Skip(CompactType type) { SkipDepth(type, 0); }

void CompactReader::SkipDepth(CompactType type, int depth) {
  if (!ok_ || depth > kMaxSkipDepth) {
    Fail();
    return;
  }
  switch (type) {
    case CompactType::kTrue:
    case CompactType::kFalse: return;  // a bool field's value lives in its header
    case CompactType::kByte:
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: ReadInt(type); return;
    case CompactType::kDouble:
      if (in_.size() - pos_ < kDoubleBytes) Fail();
      else pos_ += kDoubleBytes;
      return;
    case CompactType::kBinary: ReadBinary(); return;
    case CompactType::kList:
    case CompactType::kSet: {
      CompactType elem;
      const size_t n = ReadListHeader(elem);
      for (size_t i = 0; i < n && ok_; ++i) {
        // Bool list elements are one byte each, unlike bool fields.
        if (elem == CompactType::kTrue || elem == CompactType::kFalse) {
          SkipDepth(CompactType::kByte, depth + 1);
        } else {
          SkipDepth(elem, depth + 1);
        }
      }
      return;
    }
    case CompactType::kMap: {
      const uint64_t n = Varint();
      if (n == 0) return;
      if (!ok_ || pos_ >= in_.size() || n > in_.size() - pos_) {
        Fail();
        return;
      }
      const auto kv = static_cast<uint8_t>(in_[pos_++]);
      auto fix = [](CompactType t) {
        return (t == CompactType::kTrue || t == CompactType::kFalse) ? CompactType::kByte : t;
      };
      const CompactType kt = fix(static_cast<CompactType>(kv >> 4));
      const CompactType vt = fix(static_cast<CompactType>(kv & 0x0f));
      for (uint64_t i = 0; i < n && ok_; ++i) {
        SkipDepth(kt, depth + 1);
        SkipDepth(vt, depth + 1);
      }
      return;
    }
    case CompactType::kStruct: {
      EnterStruct();
      int16_t id;
      CompactType t;
      while (NextField(id, t)) SkipDepth(t, depth + 1);
      LeaveStruct();
      return;
    }
    case CompactType::kStop: break;
  }
  Fail();
}

}  // namespace tracklake::parquet
