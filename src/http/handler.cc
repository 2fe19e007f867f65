#include "http/handler.h"

#include "common/json_writer.h"

namespace tracklake {

HttpResponse MakeResponse(unsigned status, std::string body, std::string_view content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = content_type;
  return r;
}

HttpResponse ErrorResponse(unsigned status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"error\":";
  AppendJsonString(r.body, message);
  r.body += "}";
  return r;
}

}  // namespace tracklake
