// Status and Result<T>: how tracklake reports expected failures (I/O, bad input, full disk)
// without exceptions. Cheap to copy when OK. Thread-compatible value types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tracklake {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kInvalidArgument,
    kNotFound,
    kCorruption,
    kIoError,
    kNoSpace,      // disk full or a configured budget reached: retry later
    kUnavailable,  // a dependency is down or the queue is full: retry later
  };
  // What a caller may need beyond the code to answer it: which limit a refused input broke. Set
  // only by the factories that name it; callers branch on it, never on the message's words.
  enum class Reason : unsigned char {
    kNone = 0,
    kTooLarge,  // kInvalidArgument: beyond a configured size limit (HTTP 413, not 400)
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status NoSpace(std::string msg) { return {Code::kNoSpace, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status TooLarge(std::string msg) { return {Code::kInvalidArgument, std::move(msg), Reason::kTooLarge}; }
  // errno-based I/O failure; ENOSPC and EDQUOT become kNoSpace.
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  Reason reason() const { return reason_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code code, std::string msg, Reason reason = Reason::kNone)
      : code_(code), reason_(reason), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  Reason reason_ = Reason::kNone;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tracklake
