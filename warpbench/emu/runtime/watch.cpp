#include "watch.h"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstring>

#include "diagnostics.h"
#include "faults.h"
#include "scheduler.h"
#include "state.h"

namespace wbemu {

namespace {

constexpr greg_t kTrapFlag = 0x100;

const unsigned char* g_expected = nullptr;
unsigned char* g_start = nullptr;
std::size_t g_size = 0;
std::uintptr_t g_first_page = 0;
std::uintptr_t g_end_page = 0;
volatile sig_atomic_t g_protected = 0;
volatile sig_atomic_t g_abandoned = 0;
volatile sig_atomic_t g_stepping = 0;
std::uint64_t g_step_pc = 0;
struct sigaction g_previous_trap;

struct Writer {
    bool found = false;
    bool has_thread = false;
    wbemu_dim3 thread{};
    std::uint64_t pc = 0;
    std::uint64_t address = 0;
} g_writer;

bool intact() { return std::memcmp(g_start, g_expected, g_size) == 0; }

std::uint64_t first_changed_address() {
    std::size_t i = 0;
    while (i < g_size && g_start[i] == g_expected[i]) ++i;
    return reinterpret_cast<std::uint64_t>(g_start + i);
}

void set_write_protection(bool on) {
    mprotect(reinterpret_cast<void*>(g_first_page), g_end_page - g_first_page,
             on ? PROT_READ : PROT_READ | PROT_WRITE);
}

// Ends the replay: the running fiber wrote the canary (at `pc`, when known).
[[noreturn]] void caught(std::uint64_t pc, std::uint64_t address) {
    const Fiber* self = current_fiber();
    g_writer.found = true;
    g_writer.has_thread = self != nullptr;
    if (self) g_writer.thread = self->pub.idx;
    g_writer.pc = pc;
    g_writer.address = address;
    if (g_protected) set_write_protection(false);
    abort_from_fiber();
}

// After one instruction let through a protected page: did it reach the canary?
void on_step(int, siginfo_t*, void* context) {
    static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_EFL] &= ~kTrapFlag;
    if (!g_stepping) return;
    g_stepping = 0;
    if (!intact() && fiber_running()) caught(g_step_pc, first_changed_address());
    if (!g_abandoned) set_write_protection(true);
}

}  // namespace

bool watch_fault(siginfo_t* info, void* context) {
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    if (!g_protected || address < g_first_page || address >= g_end_page) return false;
    if (gettid() != launching_thread()) {
        // Another thread uses these pages: stop protecting them, the segment check remains.
        g_abandoned = 1;
        set_write_protection(false);
        return true;
    }
    const auto start = reinterpret_cast<std::uintptr_t>(g_start);
    if (address >= start && address < start + g_size && fiber_running())
        caught(program_counter(context), address);
    set_write_protection(false);
    g_step_pc = program_counter(context);
    g_stepping = 1;
    static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_EFL] |= kTrapFlag;
    return true;
}

void segment_ended() {
    if (!intact()) caught(0, first_changed_address());
}

void find_writer(const Breach& breach, std::uint64_t block_linear) {
    Launch& g = g_launch;
    if (!breach.record || g.interrupted || g.stop_requested) return;
    const DiagnosticsMark mark = mark_diagnostics();
    g_start = breach.start;
    g_expected = breach.expected.data();
    g_size = breach.expected.size();
    std::memcpy(g_start, g_expected, g_size);
    poison_shared_memory(*g.config);
    g_writer = Writer{};
    g_abandoned = 0;
    g_stepping = 0;
    if (breach.exclusive_pages) {
        const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        const auto start = reinterpret_cast<std::uintptr_t>(g_start);
        g_first_page = start & ~(page - 1);
        g_end_page = (start + g_size + page - 1) & ~(page - 1);
        install_handler(SIGTRAP, on_step, &g_previous_trap);
        set_write_protection(true);
        g_protected = 1;
    }
    g.replaying = true;
    g.check_each_segment = true;
    run_block(block_linear);
    g.check_each_segment = false;
    g.replaying = false;
    if (g_protected) {
        g_protected = 0;
        set_write_protection(false);
        sigaction(SIGTRAP, &g_previous_trap, nullptr);
    }
    rewind_diagnostics(mark);
    if (!g_writer.found) return;
    wbemu_diagnostic& d = *breach.record;
    d.has_thread = g_writer.has_thread;
    d.thread = g_writer.thread;
    d.pc = g_writer.pc;
    d.address = g_writer.address;
    d.access = WBEMU_ACCESS_WRITE;
}

}  // namespace wbemu
