#include "collector/service_notify.h"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>
#include <cstring>
#include <string>

namespace tracklake {

void NotifyServiceManager(std::string_view state) {
  const std::string text(state);
  // unset_environment = 0: the collector starts no child processes that could inherit it.
  if (const int r = sd_notify(0, text.c_str()); r < 0) {
    spdlog::warn("cannot notify the service manager through $NOTIFY_SOCKET: {}", std::strerror(-r));
  }
}

}  // namespace tracklake
