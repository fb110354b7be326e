#include "stops.h"

#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "diagnostics.h"
#include "faults.h"
#include "scheduler.h"
#include "state.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

namespace wbemu {

namespace {

struct sigaction g_previous_tick;
struct sigaction g_previous_interrupt;
bool g_interrupt_installed = false;
timer_t g_timer;
bool g_timer_armed = false;
double g_watchdog_seconds = 0;
double g_time_limit_seconds = 0;
double g_start = 0;
double g_last_progress = 0;
std::uint64_t g_switches_seen = 0;

int tick_signal() { return SIGRTMIN + 6; }

double now() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void record_stop(int kind, const Fiber* fiber, std::uint64_t pc) {
    const Launch& g = g_launch;
    wbemu_diagnostic* d = nullptr;
    if (kind == WBEMU_DIAG_WATCHDOG)
        d = report(kind, WBEMU_ERROR, fiber, Site{},
                   "no progress for %.3g s: the thread neither reached a barrier, a warp operation nor "
                   "its end (infinite loop or spin-wait on another thread?)", g_watchdog_seconds);
    else if (kind == WBEMU_DIAG_TIME_LIMIT)
        d = report(kind, WBEMU_ERROR, fiber, Site{},
                   "the launch ran past its time limit of %.3g s (time_limit=, WARPBENCH_EMU_TIME_LIMIT) "
                   "with %llu of %llu blocks done: a loop that never ends, even if it reaches barriers?",
                   g_time_limit_seconds, static_cast<unsigned long long>(g.blocks_done - g.in_block),
                   static_cast<unsigned long long>(g.block_count));
    else
        d = report(kind, WBEMU_ERROR, fiber, Site{}, "interrupted (SIGINT)");
    if (d) {
        d->pc = pc;
        if (fiber) set_other(d, nullptr, fiber->site);
    }
}

// Stops the running fiber, or leaves the stop to the scheduler when none runs. A fiber
// inside stdio may hold the stream lock: device printf stops it on return instead.
void request_stop(int kind, const void* context) {
    Launch& g = g_launch;
    if (g.stop_requested) return;
    if (!fiber_running()) {
        if (!g.stop_pending) g.stop_pending = kind;
        return;
    }
    if (g.stop_pending) kind = g.stop_pending;
    g.stop_pending = 0;
    g.stop_requested = true;
    record_stop(kind, current_fiber(), program_counter(context));
    if (!g.in_stdio) abort_from_fiber();
}

void on_tick(int, siginfo_t*, void* context) {
    const Launch& g = g_launch;
    const double t = now();
    if (g.switches != g_switches_seen || !fiber_running()) {
        g_switches_seen = g.switches;
        g_last_progress = t;
    }
    if (g_time_limit_seconds > 0 && t - g_start >= g_time_limit_seconds)
        request_stop(WBEMU_DIAG_TIME_LIMIT, context);
    else if (g_watchdog_seconds > 0 && t - g_last_progress >= g_watchdog_seconds)
        request_stop(WBEMU_DIAG_WATCHDOG, context);
}

void on_interrupt(int signal, siginfo_t*, void* context) {
    if (gettid() != launching_thread()) {
        syscall(SYS_tgkill, getpid(), launching_thread(), signal);
        return;
    }
    g_launch.interrupted = 1;
    request_stop(WBEMU_DIAG_INTERRUPT, context);
}

bool python_handles_interrupts() {
    struct sigaction current{};
    sigaction(SIGINT, nullptr, &current);
    if (current.sa_flags & SA_SIGINFO) return current.sa_sigaction != nullptr;
    return current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
}

// Ticks a tenth of the shorter period apart: a stop comes at most 10% late (the watchdog
// used to sample once per period, and so fired up to twice its setting after a stall).
void arm_timer(double watchdog, double limit) {
    const double shortest = watchdog > 0 && limit > 0 ? std::min(watchdog, limit) : std::max(watchdog, limit);
    if (shortest <= 0) return;
    const double period = std::clamp(shortest / 10, 0.002, 0.5);
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = tick_signal();
    event.sigev_notify_thread_id = launching_thread();
    if (timer_create(CLOCK_MONOTONIC, &event, &g_timer) != 0) return;
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(period);
    spec.it_value.tv_nsec = static_cast<long>((period - static_cast<double>(spec.it_value.tv_sec)) * 1e9);
    spec.it_interval = spec.it_value;
    timer_settime(g_timer, 0, &spec, nullptr);
    g_timer_armed = true;
}

}  // namespace

void arm_stops(const wbemu_launch_config& config) {
    g_watchdog_seconds = config.watchdog_seconds;
    g_time_limit_seconds = config.time_limit_seconds;
    g_start = g_last_progress = now();
    g_switches_seen = g_launch.switches;
    install_handler(tick_signal(), on_tick, &g_previous_tick);
    g_interrupt_installed = python_handles_interrupts();
    if (g_interrupt_installed) install_handler(SIGINT, on_interrupt, &g_previous_interrupt);
    arm_timer(g_watchdog_seconds, g_time_limit_seconds);
}

void disarm_stops() {
    if (g_timer_armed) timer_delete(g_timer);
    g_timer_armed = false;
    if (g_interrupt_installed) sigaction(SIGINT, &g_previous_interrupt, nullptr);
    g_interrupt_installed = false;
    sigaction(tick_signal(), &g_previous_tick, nullptr);
}

bool take_pending_stop() {
    Launch& g = g_launch;
    if (!g.stop_pending) return false;
    // Between fibers: name a thread of the block still running, and where it waits.
    const Fiber* waiting = nullptr;
    for (const Fiber& f : g.fibers)
        if (g.in_block && !waiting && f.state != FiberState::done) waiting = &f;
    record_stop(g.stop_pending, waiting, 0);
    g.stop_pending = 0;
    g.stop_requested = true;
    return true;
}

}  // namespace wbemu
