#include "faults.h"

#include <signal.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "diagnostics.h"
#include "scheduler.h"
#include "state.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

namespace wbemu {

namespace {

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;
struct sigaction g_previous_ill;
struct sigaction g_previous_watchdog;
stack_t g_previous_altstack;
bool g_altstack_installed = false;
timer_t g_timer;
bool g_timer_armed = false;
double g_watchdog_seconds = 0;
std::uint64_t g_switches_at_last_tick = 0;
std::uint64_t g_page_size = 4096;
pid_t g_launching_thread = 0;

int watchdog_signal() { return SIGRTMIN + 6; }

// Handlers are process-wide: a fault on another thread during the launch is not ours.
bool fiber_running() {
    return g_launch.in_block && wbemu_current != nullptr && gettid() == g_launching_thread;
}

std::uint64_t program_counter(void* context) {
    return static_cast<std::uint64_t>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
}

bool in_stack_guard(std::uint64_t address) {
    const wbemu_launch_config& c = *g_launch.config;
    const auto base = reinterpret_cast<std::uint64_t>(c.stacks);
    if (address < base || address >= base + c.stack_count * c.stack_stride) return false;
    return (address - base) % c.stack_stride < g_page_size;
}

struct sigaction* previous_action(int signal) {
    return signal == SIGSEGV ? &g_previous_segv : signal == SIGBUS ? &g_previous_bus : &g_previous_ill;
}

const char* fault_text(int signal, const siginfo_t* info) {
    if (signal == SIGILL)
        return "illegal instruction: a sanitizer check trapped (misaligned address or index out of "
               "bounds with -fsanitize=... -fsanitize-undefined-trap-on-error)";
    if (signal == SIGBUS) return "bus error";
    if (info->si_code == SI_KERNEL) return "general protection fault (a misaligned vector access?)";
    return "invalid memory access";
}

void on_fault(int signal, siginfo_t* info, void* context) {
    if (!fiber_running()) {
        // Not a kernel's fault: put the previous handler back; the fault repeats under it.
        sigaction(signal, previous_action(signal), nullptr);
        return;
    }
    const auto address = reinterpret_cast<std::uint64_t>(info->si_addr);
    const Fiber* self = current_fiber();
    wbemu_diagnostic* d =
        signal == SIGSEGV && in_stack_guard(address)
            ? report(WBEMU_DIAG_MEMORY_FAULT, WBEMU_ERROR, self, Site{},
                     "stack overflow: the thread's local variables exceed its %llu-byte stack",
                     static_cast<unsigned long long>(g_launch.config->stack_stride - g_page_size))
            : report(WBEMU_DIAG_MEMORY_FAULT, WBEMU_ERROR, self, Site{}, "%s at address 0x%llx",
                     fault_text(signal, info), static_cast<unsigned long long>(address));
    if (d) {
        d->pc = program_counter(context);
        d->address = address;
    }
    abort_from_fiber();
}

void on_watchdog_tick(int, siginfo_t*, void* context) {
    if (g_launch.switches != g_switches_at_last_tick || !fiber_running()) {
        g_switches_at_last_tick = g_launch.switches;
        return;
    }
    const Fiber* self = current_fiber();
    if (g_launch.stop_requested) return;
    g_launch.stop_requested = true;
    wbemu_diagnostic* d = report(
        WBEMU_DIAG_WATCHDOG, WBEMU_ERROR, self, Site{},
        "no progress for %.3g s: the thread neither reached a barrier, a warp operation nor its "
        "end (infinite loop or spin-wait on another thread?)", g_watchdog_seconds);
    if (d) {
        d->pc = program_counter(context);
        set_other(d, nullptr, self->site);
    }
    // Inside stdio the stream lock may be held: let device printf stop the thread on return.
    if (!g_launch.in_stdio) abort_from_fiber();
}

void install(int signal, void (*handler)(int, siginfo_t*, void*), struct sigaction* previous) {
    struct sigaction action{};
    action.sa_sigaction = handler;
    // NODEFER: the handler leaves by switching to the scheduler and never returns, so the
    // signal must not stay blocked; ONSTACK: a stack overflow leaves no room on the fiber.
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, previous);
}

void arm_watchdog(double seconds) {
    g_watchdog_seconds = seconds;
    g_switches_at_last_tick = g_launch.switches;
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = watchdog_signal();
    event.sigev_notify_thread_id = g_launching_thread;
    if (timer_create(CLOCK_MONOTONIC, &event, &g_timer) != 0) return;
    itimerspec period{};
    period.it_value.tv_sec = static_cast<time_t>(seconds);
    period.it_value.tv_nsec = static_cast<long>((seconds - static_cast<double>(period.it_value.tv_sec)) * 1e9);
    period.it_interval = period.it_value;
    timer_settime(g_timer, 0, &period, nullptr);
    g_timer_armed = true;
}

}  // namespace

SignalGuard::SignalGuard(const wbemu_launch_config& config) {
    g_page_size = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    g_launching_thread = gettid();
    if (config.signal_stack) {
        stack_t stack{};
        stack.ss_sp = config.signal_stack;
        stack.ss_size = config.signal_stack_size;
        g_altstack_installed = sigaltstack(&stack, &g_previous_altstack) == 0;
    }
    install(SIGSEGV, on_fault, &g_previous_segv);
    install(SIGBUS, on_fault, &g_previous_bus);
    install(SIGILL, on_fault, &g_previous_ill);
    install(watchdog_signal(), on_watchdog_tick, &g_previous_watchdog);
    if (config.watchdog_seconds > 0) arm_watchdog(config.watchdog_seconds);
}

SignalGuard::~SignalGuard() {
    if (g_timer_armed) timer_delete(g_timer);
    g_timer_armed = false;
    sigaction(watchdog_signal(), &g_previous_watchdog, nullptr);
    sigaction(SIGILL, &g_previous_ill, nullptr);
    sigaction(SIGBUS, &g_previous_bus, nullptr);
    sigaction(SIGSEGV, &g_previous_segv, nullptr);
    if (g_altstack_installed) sigaltstack(&g_previous_altstack, nullptr);
    g_altstack_installed = false;
}

}  // namespace wbemu

extern "C" WBEMU_HIDDEN int wbemu_printf(const char* format, ...) {
    using namespace wbemu;
    ++g_launch.in_stdio;
    std::va_list args;
    va_start(args, format);
    const int written = std::vprintf(format, args);
    va_end(args);
    --g_launch.in_stdio;
    if (g_launch.stop_requested && fiber_running()) abort_from_fiber();
    return written;
}

extern "C" WBEMU_HIDDEN void wbemu_device_fault(int kind, const char* what, const char* file, int line) {
    using namespace wbemu;
    const Fiber* self = current_fiber();
    if (!self || !g_launch.in_block) {
        std::fprintf(stderr, "warpbench emulator: device %s outside a kernel at %s:%d\n",
                     kind == WBEMU_FAULT_ASSERT ? "assert" : "trap", file, line);
        std::abort();
    }
    if (kind == WBEMU_FAULT_ASSERT)
        report(WBEMU_DIAG_ASSERT, WBEMU_ERROR, self, Site{file, line, 0}, "assertion '%s' failed", what);
    else
        report(WBEMU_DIAG_TRAP, WBEMU_ERROR, self, Site{file, line, 0}, "%s", what);
    abort_from_fiber();
}
