// Rejected events: records the Rejection for the HTTP response and appends the dead-letter
// event record (kind kRejected) that carries the event's raw text to the lake's dead-letter
// area through the write-ahead log.
//
// Thread-safety: free functions; the scratch string is the caller's (thread-local).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "validate/validate.h"

namespace tracklake {

// Appends the standard base64 (RFC 4648, with padding) of in to out.
void AppendBase64(std::string& out, std::string_view in);

// Pushes Rejection{index, field, error} to out.rejected and appends the record
// {app_id, index, field, error, raw | raw_base64} with its span. raw is stored as text when
// it is valid UTF-8, else base64-encoded (built in scratch) under "raw_base64".
void RejectEvent(ValidatedBody& out, const RequestInfo& info, uint32_t index, std::string_view field,
                 std::string_view error, std::string_view raw, std::string& scratch);

}  // namespace tracklake
