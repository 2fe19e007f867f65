#include "aws/credentials.h"

#include "common/time_util.h"

namespace tracklake::aws {

std::string Redacted(const Credentials& credentials) {
  std::string out = "Credentials{access_key_id=" + credentials.access_key_id;
  out += ", secret_access_key=";
  out += credentials.secret_access_key.empty() ? "(none)" : "***";
  out += ", session_token=";
  out += credentials.session_token.empty() ? "(none)" : "***";
  out += ", expires=";
  out += credentials.expiration_ms ? FormatRfc3339Millis(*credentials.expiration_ms) : "never";
  out += ", source=" + credentials.source + "}";
  return out;
}

}  // namespace tracklake::aws
