#include "faults.h"

#include <ucontext.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "diagnostics.h"
#include "scheduler.h"
#include "state.h"
#include "stops.h"
#include "watch.h"

namespace wbemu {

namespace {

constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
constexpr int kFaultSignalCount = sizeof kFaultSignals / sizeof kFaultSignals[0];
struct sigaction g_previous[kFaultSignalCount];
stack_t g_previous_altstack;
bool g_altstack_installed = false;
std::uint64_t g_page_size = 4096;
pid_t g_launching_thread = 0;

// General-purpose registers in the order of their x86 encoding.
constexpr int kRegisters[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

bool in_stack_guard(std::uint64_t address) {
    const wbemu_launch_config& c = *g_launch.config;
    const auto base = reinterpret_cast<std::uint64_t>(c.stacks);
    if (address < base || address >= base + c.stack_count * c.stack_stride) return false;
    return (address - base) % c.stack_stride < g_page_size;
}

struct sigaction* previous_action(int signal) {
    for (int i = 0; i < kFaultSignalCount; ++i)
        if (kFaultSignals[i] == signal) return &g_previous[i];
    return &g_previous[0];
}

// The address of the memory operand described by a ModRM byte at `p` (x86-64 encoding).
std::uint64_t operand_address(const ucontext_t* context, const unsigned char* p, unsigned rex) {
    const greg_t* r = context->uc_mcontext.gregs;
    const unsigned mod = p[0] >> 6;
    const unsigned rm = p[0] & 7;
    const unsigned char* next = p + 1;
    std::uint64_t address = 0;
    bool displacement32 = mod == 2;
    const bool rip_relative = rm == 5 && mod == 0;
    if (rm == 4) {
        const unsigned sib = *next++;
        const unsigned index = (sib >> 3 & 7) | (rex & 2) << 2;
        if (index != 4) address += static_cast<std::uint64_t>(r[kRegisters[index]]) << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0) displacement32 = true;
        else address += static_cast<std::uint64_t>(r[kRegisters[(sib & 7) | (rex & 1) << 3]]);
    } else if (!rip_relative) {
        address += static_cast<std::uint64_t>(r[kRegisters[rm | (rex & 1) << 3]]);
    }
    std::int32_t displacement = 0;
    if (mod == 1) displacement = static_cast<std::int8_t>(*next++);
    if (displacement32 || rip_relative) {
        std::memcpy(&displacement, next, 4);
        next += 4;
    }
    if (rip_relative) address = reinterpret_cast<std::uint64_t>(next);
    return address + static_cast<std::uint64_t>(static_cast<std::int64_t>(displacement));
}

// x86 raises one exception (#DE) for x / 0 and for INT_MIN / -1; the divisor of the
// faulting div/idiv (a register or memory operand) tells them apart.
const char* division_text(const ucontext_t* context) {
    const char* unknown = "integer division (/ or %) by zero, or of the most negative value by -1";
    const auto* code = reinterpret_cast<const unsigned char*>(context->uc_mcontext.gregs[REG_RIP]);
    int i = 0;
    bool operand16 = false;
    while (code[i] == 0x66 || code[i] == 0x67 || code[i] == 0xF2 || code[i] == 0xF3)
        operand16 |= code[i++] == 0x66;
    const unsigned rex = (code[i] & 0xF0) == 0x40 ? code[i++] : 0;
    const unsigned opcode = code[i];
    const unsigned modrm = code[i + 1];
    if (opcode != 0xF7 || (modrm >> 3 & 7) < 6) return unknown;
    std::uint64_t divisor = 0;
    if (modrm >> 6 == 3)
        divisor = static_cast<std::uint64_t>(context->uc_mcontext.gregs[kRegisters[(modrm & 7) | (rex & 1) << 3]]);
    else
        std::memcpy(&divisor, reinterpret_cast<const void*>(operand_address(context, code + i + 1, rex)),
                    rex & 8 ? 8 : operand16 ? 2 : 4);
    if (!(rex & 8)) divisor &= operand16 ? 0xFFFFu : 0xFFFFFFFFu;
    return divisor == 0 ? "integer division (/ or %) by zero"
                        : "integer division (/ or %) overflow: the most negative value by -1 (INT_MIN / -1)";
}

const char* fault_text(int signal, const siginfo_t* info, const ucontext_t* context) {
    if (signal == SIGFPE) return info->si_code == FPE_INTDIV ? division_text(context) : "arithmetic exception";
    if (signal == SIGILL)
        return "illegal instruction: a sanitizer check trapped (misaligned address or index out of "
               "bounds with -fsanitize=... -fsanitize-undefined-trap-on-error)";
    if (signal == SIGBUS) return "bus error";
    if (info->si_code == SI_KERNEL)
        return "invalid memory access (a general protection fault: an address beyond the address "
               "space, or a misaligned vector access)";
    return "invalid memory access";
}

void on_fault(int signal, siginfo_t* info, void* context) {
    if (signal == SIGSEGV && watch_fault(info, context)) return;
    if (!fiber_running()) {
        // Not a kernel's fault: put the previous handler back; the fault repeats under it.
        sigaction(signal, previous_action(signal), nullptr);
        return;
    }
    const auto* uc = static_cast<const ucontext_t*>(context);
    const auto address = reinterpret_cast<std::uint64_t>(info->si_addr);
    const Fiber* self = current_fiber();
    wbemu_diagnostic* d;
    if (signal == SIGFPE)
        d = report(WBEMU_DIAG_ARITHMETIC, WBEMU_ERROR, self, Site{}, "%s", fault_text(signal, info, uc));
    else if (signal == SIGSEGV && in_stack_guard(address))
        d = report(WBEMU_DIAG_MEMORY_FAULT, WBEMU_ERROR, self, Site{},
                   "stack overflow: the thread's local variables exceed its %llu-byte stack",
                   static_cast<unsigned long long>(g_launch.config->stack_stride - g_page_size));
    else if (signal == SIGSEGV && info->si_code == SI_KERNEL)  // no address to tell
        d = report(WBEMU_DIAG_MEMORY_FAULT, WBEMU_ERROR, self, Site{}, "%s", fault_text(signal, info, uc));
    else
        d = report(WBEMU_DIAG_MEMORY_FAULT, WBEMU_ERROR, self, Site{}, "%s at address 0x%llx",
                   fault_text(signal, info, uc), static_cast<unsigned long long>(address));
    if (d) {
        d->pc = program_counter(context);
        if (signal != SIGFPE) d->address = address;
        // Bit 1 of the page-fault error code: the access was a write.
        if (signal == SIGSEGV)
            d->access = uc->uc_mcontext.gregs[REG_ERR] & 2 ? WBEMU_ACCESS_WRITE : WBEMU_ACCESS_READ;
    }
    abort_from_fiber();
}

}  // namespace

bool fiber_running() {
    return g_launch.in_block && wbemu_current != nullptr && gettid() == g_launching_thread;
}

pid_t launching_thread() { return g_launching_thread; }

std::uint64_t program_counter(const void* context) {
    return static_cast<std::uint64_t>(static_cast<const ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
}

void install_handler(int signal, void (*handler)(int, siginfo_t*, void*), struct sigaction* previous) {
    struct sigaction action{};
    action.sa_sigaction = handler;
    // NODEFER: the handler may leave by switching to the scheduler and never return, so the
    // signal must not stay blocked; ONSTACK: a stack overflow leaves no room on the fiber.
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, previous);
}

SignalGuard::SignalGuard(const wbemu_launch_config& config) {
    g_page_size = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    g_launching_thread = gettid();
    if (config.signal_stack) {
        stack_t stack{};
        stack.ss_sp = config.signal_stack;
        stack.ss_size = config.signal_stack_size;
        g_altstack_installed = sigaltstack(&stack, &g_previous_altstack) == 0;
    }
    for (int i = 0; i < kFaultSignalCount; ++i) install_handler(kFaultSignals[i], on_fault, &g_previous[i]);
    arm_stops(config);
}

SignalGuard::~SignalGuard() {
    disarm_stops();
    for (int i = kFaultSignalCount; i-- > 0;) sigaction(kFaultSignals[i], &g_previous[i], nullptr);
    if (g_altstack_installed) sigaltstack(&g_previous_altstack, nullptr);
    g_altstack_installed = false;
}

}  // namespace wbemu

extern "C" WBEMU_HIDDEN int wbemu_printf(const char* format, ...) {
    using namespace wbemu;
    std::va_list args;
    va_start(args, format);
    // A block replayed to find who overwrote a canary has printed its lines already.
    if (g_launch.replaying) {
        const int length = std::vsnprintf(nullptr, 0, format, args);
        va_end(args);
        return length;
    }
    ++g_launch.in_stdio;
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
