// Emulated memories around a launch: the module's __shared__ arrays (its TLS block), the
// dynamic shared memory buffer, the redzones of array arguments, float-atomic tracking.
#pragma once

#include <cstdint>

#include "wbemu/abi.h"

namespace wbemu {

// Finds this module's TLS block (all static __shared__ arrays) for the calling OS thread.
void locate_shared_block(const wbemu_launch_config& config);

// Fills the block's static and dynamic shared memory with the poison byte and arms the
// canary behind the dynamic shared bytes the launch asked for.
void poison_shared_memory(const wbemu_launch_config& config);

// Each returns false after recording a diagnostic when a canary was overwritten.
bool check_dynamic_shared_canary(const wbemu_launch_config& config);
bool check_redzones(const wbemu_launch_config& config);

void reset_float_atomic_tracking();
std::uint64_t float_atomic_buffers();
bool float_atomics_elsewhere();

}  // namespace wbemu
