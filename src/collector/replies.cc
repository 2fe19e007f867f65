#include "collector/replies.h"

#include <fmt/format.h>

#include "common/json_writer.h"

namespace tracklake {
namespace {

// GIF89a, 1x1, one transparent pixel: what pixel endpoints answer (43 bytes).
constexpr unsigned char kPixelGif[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
                                       0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
                                       0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                                       0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

std::string_view SegmentCode(unsigned status) {
  switch (status) {
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 413: return "too_large";
    case 415: return "unsupported_media_type";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "server_error" : "invalid_request";
  }
}

}  // namespace

void AppendRejections(std::string& out, const std::vector<Rejection>& rejected) {
  out.push_back('[');
  for (size_t i = 0; i < rejected.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"index\":";
    out += fmt::format_int(rejected[i].index).c_str();
    out += ",\"field\":";
    AppendJsonString(out, rejected[i].field);
    out += ",\"error\":";
    AppendJsonString(out, rejected[i].error);
    out.push_back('}');
  }
  out.push_back(']');
}

HttpResponse ErrorReply(ReplyStyle style, unsigned status, std::string_view field, std::string_view message) {
  if (style == ReplyStyle::kNative) return ErrorResponse(status, message);
  std::string body = "{";
  if (style == ReplyStyle::kSegment) {
    body += "\"success\":false,\"code\":";
    AppendJsonString(body, SegmentCode(status));
    body += ",\"message\":";
  } else {
    body += "\"error\":";
  }
  AppendJsonString(body, message);
  body += ",\"field\":";
  AppendJsonString(body, field);
  body += "}";
  return MakeResponse(status, std::move(body));
}

HttpResponse AcceptedReply(ReplyStyle style, uint32_t accepted, const std::vector<Rejection>& rejected) {
  const unsigned status = accepted == 0 && !rejected.empty() ? 400 : 200;
  std::string body;
  switch (style) {
    case ReplyStyle::kNative:
      // Every native response has one: sized once, integers by format_int.
      body.reserve(rejected.empty() ? 32 : 64 + 96 * rejected.size());
      body = "{\"accepted\":";
      body += fmt::format_int(accepted).c_str();
      if (rejected.empty()) {
        body += ",\"rejected\":[]}";
      } else {
        body += ",\"rejected\":";
        AppendRejections(body, rejected);
        body += "}";
      }
      return MakeResponse(status, std::move(body));
    case ReplyStyle::kSegment:
      body = status == 200
                 ? "{\"success\":true"
                 : "{\"success\":false,\"code\":\"invalid_request\",\"message\":\"every message was rejected\"";
      if (!rejected.empty()) {
        body += ",\"rejected\":";
        AppendRejections(body, rejected);
      }
      body += "}";
      return MakeResponse(status, std::move(body));
    case ReplyStyle::kSnowplow:
    case ReplyStyle::kPixel: break;
  }
  if (status != 200) {
    body = "{\"error\":\"every event was rejected\",\"rejected\":";
    AppendRejections(body, rejected);
    body += "}";
    return MakeResponse(status, std::move(body));
  }
  if (style == ReplyStyle::kSnowplow) return MakeResponse(200, "ok", "text/plain; charset=utf-8");
  HttpResponse r = MakeResponse(200, std::string(reinterpret_cast<const char*>(kPixelGif), sizeof(kPixelGif)),
                                "image/gif");
  r.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
  return r;
}

}  // namespace tracklake
