#include "http/handler.h"

#include "common/json_writer.h"

namespace tracklake {

HttpResponse ErrorResponse(unsigned status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"error\":";
  AppendJsonString(r.body, message);
  r.body += "}";
  return r;
}

}  // namespace tracklake
