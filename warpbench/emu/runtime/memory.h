// Emulated memories around a launch: the module's __shared__ arrays (its TLS block), the
// dynamic shared memory buffer, the redzones of array arguments, float-atomic tracking.
#pragma once

#include <cstdint>
#include <vector>

#include "wbemu/abi.h"

namespace wbemu {

// Finds this module's TLS block (all static __shared__ arrays) for the calling OS thread.
void locate_shared_block(const wbemu_launch_config& config);

// The TLS block located last (the instrumented build classifies addresses against it).
unsigned char* shared_block();

// Fills the block's static and dynamic shared memory with the poison byte and arms the
// canaries around the static arrays and behind the dynamic bytes the launch asked for.
void poison_shared_memory(const wbemu_launch_config& config);

// A canary found overwritten after a block: where it is and what it must hold.
struct Breach {
    wbemu_diagnostic* record = nullptr;  // its report; null when none (or the buffer was full)
    unsigned char* start = nullptr;
    std::vector<unsigned char> expected;
    bool exclusive_pages = false;        // its pages hold nothing but the memory it guards
};

// Checks the dynamic shared canary, the guards around static shared arrays and the
// redzones of array arguments, reporting each kind overwritten; returns the first breach.
Breach check_canaries(const wbemu_launch_config& config);

void reset_float_atomic_tracking();
std::uint64_t float_atomic_buffers();
bool float_atomics_elsewhere();

}  // namespace wbemu
