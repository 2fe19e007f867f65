// Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md): a writer that
// appends to a string and a bounds-checked reader over a byte view. Only what Parquet metadata
// needs: structs, i16/i32/i64 (zigzag varints), bool (in the field header's type nibble),
// binary and lists. Maps and sets are skipped by the reader but never written.
//
// Thread-safety: instances are single-threaded; the reader borrows its input, which must
// outlive it and every string_view it returns.
//
// Errors: the reader is sticky. After the first malformed or truncated byte every read returns
// a zero value / a stop, and ok() is false; callers check ok() once at the end. Every loop the
// reader drives is bounded by the remaining input, so hostile input cannot make it spin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake::parquet {

enum class CompactType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactWriter {
 public:
  // Starts inside the top-level struct; call EndStruct() once at the end to write its stop.
  explicit CompactWriter(std::string& out) : out_(out) {}

  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBool(int16_t id, bool v);
  void FieldBinary(int16_t id, std::string_view v);
  // Field header of a nested struct; its fields follow, then EndStruct().
  void BeginStructField(int16_t id);
  // An empty struct field (e.g. a union member like LogicalType.STRING): header + stop.
  void EmptyStructField(int16_t id);
  // Field header plus list header; then `size` elements via the element writers below.
  void BeginListField(int16_t id, CompactType element_type, size_t size);

  // List elements.
  void ElementI32(int32_t v);
  void ElementBinary(std::string_view v);
  void BeginStructElement();

  // Writes a stop byte and returns to the enclosing struct's field-id context.
  void EndStruct();

 private:
  void FieldHeader(int16_t id, CompactType type);
  void Varint(uint64_t v);

  std::string& out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;
};

class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  size_t consumed() const { return pos_; }

  // Next field of the current struct. Returns false at its stop byte (or on error).
  // For bool fields the value is carried by `type` (kTrue / kFalse).
  bool NextField(int16_t& id, CompactType& type);
  int64_t ReadInt(CompactType type);  // i8/i16/i32/i64 per type; other types are an error
  bool ReadBool(CompactType type);    // a bool field's value
  std::string_view ReadBinary();
  // List header: element type and size; size is checked against the remaining input.
  size_t ReadListHeader(CompactType& element_type);
  // Enter a nested struct after its field header / as a list element; leave after NextField
  // returned false.
  void EnterStruct();
  void LeaveStruct();
  // Skips a value of the given type (any type, nested up to a fixed depth).
  void Skip(CompactType type);

  void Fail() {
    ok_ = false;
    pos_ = in_.size();
  }

 private:
  uint64_t Varint();
  void SkipDepth(CompactType type, int depth);

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;
};

}  // namespace tracklake::parquet
