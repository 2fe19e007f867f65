// Base64 as trackers send it: the URL-safe alphabet (RFC 4648 section 5, Snowplow's ue_px and cx)
// or the standard one (Segment's pixel), padded or not. Pure function.
#pragma once

#include <string>
#include <string_view>

namespace tracklake {

// Appends the decoded bytes to out; false (out unspecified) on a character outside both
// alphabets, misplaced padding, or a length no encoder produces. Decoding never grows: the
// output is at most 3/4 of the input.
bool DecodeBase64Any(std::string_view text, std::string& out);

}  // namespace tracklake
