// Rules on how the S3 sink addresses its bucket: virtual-hosted style ("bucket.host") needs a host
// name that DNS can extend, and a certificate that covers it.
#include <arpa/inet.h>

#include <string>

#include "config/config.h"
#include "config/config_sections.h"

namespace tracklake {
namespace {

// The host of an http(s):// endpoint (brackets of an IPv6 literal kept), or "".
std::string EndpointHost(std::string_view endpoint) {
  const size_t scheme = endpoint.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = endpoint.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  }
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1;
}

bool VirtualHostedOverHttps(const Config& c) {
  return !c.s3.path_style && (c.s3.endpoint.empty() || c.s3.endpoint.starts_with("https://"));
}

}  // namespace

namespace config_internal {

void CheckS3Addressing(const Config& config, ErrorList& errors) {
  if (config.sink.type != SinkType::kS3 || config.s3.path_style) return;
  const std::string host = EndpointHost(config.s3.endpoint);
  if (!host.empty() && IsIpLiteral(host)) {
    errors.push_back("s3.path_style = false with s3.endpoint = \"" + config.s3.endpoint +
                     "\": virtual-hosted addressing puts the bucket in the host name (\"" + config.s3.bucket + "." +
                     host +
                     "\"), which an IP address cannot take (every upload would fail with "
                     "\"Couldn't resolve host name\"); set s3.path_style = true");
  }
}

}  // namespace config_internal

std::vector<std::string> ConfigWarnings(const Config& config) {
  std::vector<std::string> warnings;
  if (config.sink.type == SinkType::kS3 && VirtualHostedOverHttps(config) &&
      config.s3.bucket.find('.') != std::string::npos) {
    warnings.push_back("s3.bucket = \"" + config.s3.bucket +
                       "\" has dots and is addressed virtual-hosted over HTTPS (s3.path_style = false): the "
                       "host name \"" +
                       config.s3.bucket +
                       ".<endpoint>\" is not covered by the endpoint's "
                       "wildcard certificate, so TLS verification fails; set s3.path_style = true, or use a "
                       "bucket name without dots");
  }
  return warnings;
}

}  // namespace tracklake
