// The x86-64 context switch. glibc's swapcontext makes a sigprocmask system call per switch
// (about 20x slower), and longjmp across stacks is undefined
// and aborts under _FORTIFY_SOURCE; saving the System V callee-saved state by hand is enough.
#include <cstdint>

#include "fiber.h"

#if !defined(__x86_64__)
#error "the warpbench emulator's fiber switch is written for x86-64"
#endif

// The control words are reloaded only when they differ: ldmxcsr and fldcw serialise the
// pipeline, and kernels almost never change rounding modes.
asm(R"(
    .text
    .globl wbemu_switch
    .hidden wbemu_switch
    .type wbemu_switch, @function
    .p2align 4
wbemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movl (%rsp), %ecx
    movzwl 4(%rsp), %edx
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    cmpl (%rsp), %ecx
    jne 2f
1:
    cmpw 4(%rsp), %dx
    jne 4f
3:
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
2:
    ldmxcsr (%rsp)
    jmp 1b
4:
    fldcw 4(%rsp)
    jmp 3b
    .size wbemu_switch, .-wbemu_switch
)");

namespace wbemu {

namespace {
constexpr std::uint64_t kDefaultMxcsr = 0x1F80;   // all exceptions masked, round to nearest
constexpr std::uint64_t kDefaultX87Control = 0x037F;
constexpr int kSavedGprs = 6;
}

void* prepare_stack(void* stack_top, void (*entry)()) {
    auto top = reinterpret_cast<std::uintptr_t>(stack_top) & ~std::uintptr_t(15);
    auto* slot = reinterpret_cast<std::uint64_t*>(top);
    // entry starts with rsp % 16 == 8, as after a call; its "return address" is 0.
    slot[-1] = 0;
    slot[-2] = reinterpret_cast<std::uint64_t>(entry);
    for (int i = 0; i < kSavedGprs; ++i) slot[-3 - i] = 0;
    slot[-3 - kSavedGprs] = kDefaultMxcsr | (kDefaultX87Control << 32);
    return &slot[-3 - kSavedGprs];
}

}  // namespace wbemu
