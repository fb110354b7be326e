// Naming the thread, and where possible the instruction, that overwrote a canary.
//
// Canaries are compared after each block, too late to know who wrote them. The block is
// then run again from the same state with the canary watched: compared whenever a fiber
// parks or finishes (which names the thread), and, when its pages hold nothing else,
// write-protected, so the write itself faults and gives the program counter. Other
// writes to those pages are let through one instruction at a time (trap flag).
#pragma once

#include <signal.h>

#include <cstdint>

#include "memory.h"

namespace wbemu {

// Replays block `block_linear` to find who overwrites `breach`, and completes its record
// with the thread and program counter found. The block's writes happen twice, so the
// launch must end afterwards (it has already failed).
void find_writer(const Breach& breach, std::uint64_t block_linear);

// SIGSEGV hook: true when the fault hit a page the replay protects (and was handled).
bool watch_fault(siginfo_t* info, void* context);

// Scheduler hook while replaying: the running fiber is about to park or finish.
void segment_ended();

}  // namespace wbemu
