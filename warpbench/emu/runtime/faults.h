// Stopping a fiber by force: device assert/__trap and the signals a kernel raises itself
// (memory faults, arithmetic traps, sanitizer traps), reported as diagnostics.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>

#include "wbemu/abi.h"

namespace wbemu {

// Installs the SIGSEGV/SIGBUS/SIGILL/SIGFPE handlers, an alternate signal stack (so a
// fiber's stack overflow can be reported) and the launch's stops (watchdog, time limit,
// Ctrl-C); restores everything.
class SignalGuard {
public:
    explicit SignalGuard(const wbemu_launch_config& config);
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
};

// A fiber of this launch runs on this OS thread: handlers are process-wide, and a signal on
// another thread, or in the scheduler, is not a kernel's doing.
bool fiber_running();
pid_t launching_thread();
std::uint64_t program_counter(const void* context);

// Installs `handler` for `signal` to run on the alternate stack, saving the previous action.
void install_handler(int signal, void (*handler)(int, siginfo_t*, void*), struct sigaction* previous);

}  // namespace wbemu
