// Serialises an HttpResponse into the bytes of an HTTP/1.x response in one string.
//
// Why not Beast's serializer: for our small responses its buffer-sequence machinery
// (buffers_cat_view iteration, a fields container with one allocation per header) cost more
// than the socket write it prepares. The header values are the server's own (never copied
// from a request), so no CR/LF can reach them from a client.
#pragma once

#include <string>

#include "http/handler.h"

namespace tracklake {

// Appends status line, headers (Server, Content-Type, Content-Length, Connection as needed for
// `version` 10 or 11 and keep_alive, then response.headers) and, unless the response answers a
// HEAD request (which gets GET's headers and no content), the body to out.
void AppendHttpResponse(const HttpResponse& response, unsigned version, bool keep_alive, bool head_request,
                        std::string& out);

}  // namespace tracklake
