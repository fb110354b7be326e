// Cooperative fibers: one per CUDA thread of the block being run.
#pragma once

extern "C" {
// Saves the callee-saved registers and FP control words of the running context on its
// stack, stores its stack pointer in *save_sp and resumes the context saved at load_sp.
// An opaque external call, so the compiler reloads globals (threadIdx, __shared__) after it.
void wbemu_switch(void** save_sp, void* load_sp);
}

namespace wbemu {

// Builds the initial frame on a fresh stack so that the first wbemu_switch to the
// returned stack pointer enters `entry` as if it had been called; entry must never return.
void* prepare_stack(void* stack_top, void (*entry)());

}  // namespace wbemu
