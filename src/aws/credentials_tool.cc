// Test fixture for tests/aws: resolves credentials through the standard chain of this
// process's environment and prints them as one JSON object per line. The secret and the
// session token are printed as SHA-256 digests only, so even test output never holds them.
// Usage: credentials_tool [--gets N] [--interval-ms MS]   (N lookups through one cached chain)
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "aws/credential_providers.h"
#include "aws/sigv4.h"

namespace {

std::string JsonEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tracklake::aws;
  int gets = 1;
  int interval_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--gets") gets = std::stoi(argv[i + 1]);
    if (flag == "--interval-ms") interval_ms = std::stoi(argv[i + 1]);
  }
  std::shared_ptr<CredentialsProvider> chain = MakeDefaultCredentialsChain(ProcessAwsEnvironment());
  int rc = 0;
  for (int i = 0; i < gets; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    tracklake::Result<Credentials> c = chain->Get();
    if (!c.ok()) {
      std::printf("{\"error\": \"%s\"}\n", JsonEscape(c.status().ToString()).c_str());
      rc = 1;
      continue;
    }
    std::printf(
        "{\"access_key_id\": \"%s\", \"secret_sha256\": \"%s\", \"token_sha256\": \"%s\", "
        "\"expiration_ms\": %lld, \"source\": \"%s\", \"redacted\": \"%s\"}\n",
        c->access_key_id.c_str(), Sha256Hex(c->secret_access_key).c_str(),
        c->session_token.empty() ? "" : Sha256Hex(c->session_token).c_str(),
        static_cast<long long>(c->expiration_ms.value_or(0)), JsonEscape(c->source).c_str(),
        JsonEscape(Redacted(*c)).c_str());
    std::fflush(stdout);
  }
  return rc;
}
