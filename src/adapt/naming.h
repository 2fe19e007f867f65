// Names the adapters derive from client text: event types from event names, and key segments
// from object keys. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tracklake {

// "Order Completed" -> "order_completed": ASCII letters lower-cased, digits kept, every run of
// other bytes (spaces, punctuation, non-ASCII) one '_', none leading or trailing; cut to
// max_bytes (then trailing '_' dropped). Appends to out; returns false when nothing is left
// (the name had no letter or digit).
bool NormalizeEventName(std::string_view name, size_t max_bytes, std::string& out);

// Appends one segment of a flattened key: [A-Za-z0-9_-] kept, every other character (a UTF-8
// sequence counts as one) becomes '_', so "Order Total" -> "Order_Total" and "a.b" -> "a_b"
// ('.' separates levels). An empty name becomes "_".
void AppendKeySegment(std::string_view name, std::string& out);

}  // namespace tracklake
