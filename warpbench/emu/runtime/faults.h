// Stopping a fiber by force: device assert/__trap, memory faults, and the watchdog that
// ends a thread spinning without ever reaching a barrier, warp operation or its end.
#pragma once

#include "wbemu/abi.h"

namespace wbemu {

// Installs the SIGSEGV/SIGBUS/SIGILL handlers, an alternate signal stack (so a fiber's stack
// overflow can be reported) and the watchdog timer for the launch; restores everything.
class SignalGuard {
public:
    explicit SignalGuard(const wbemu_launch_config& config);
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
};

}  // namespace wbemu
