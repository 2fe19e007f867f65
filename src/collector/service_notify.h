// Tells the service manager how the collector is doing (systemd's Type=notify protocol, through
// libsystemd's sd_notify): READY=1 once the log is recovered and the listener is up, so that
// `systemctl start` returns, and units ordered after it start, only when events are accepted;
// STOPPING=1 when a stop begins; STATUS= lines for `systemctl status`.
//
// Without $NOTIFY_SOCKET (not started by systemd with Type=notify) every call does nothing.
#pragma once

#include <string_view>

namespace tracklake {

// state: newline-separated assignments, e.g. "READY=1\nSTATUS=accepting events". A failure to
// send is logged, never fatal: the collector works the same without a service manager.
void NotifyServiceManager(std::string_view state);

}  // namespace tracklake
