// Runs the CUDA threads of one block as fibers, in the launch's thread order.
#pragma once

#include <cstdint>

#include "state.h"

namespace wbemu {

// Sizes the fibers and warps for `thread_count` threads and builds the base thread order.
void prepare_launch(unsigned thread_count);

// Runs every thread of the block whose linear index is `block_linear` (blockIdx must be
// set); returns false when the launch must stop (an error diagnostic was recorded).
bool run_block(std::uint64_t block_linear);

// The running fiber has left the ready state: hand control to the next ready fiber of this
// pass, or back to the scheduler. Returns when another fiber makes this one ready again.
void park();

// Abandons the launch from inside a fiber (after recording why); never returns.
[[noreturn]] void abort_from_fiber();

}  // namespace wbemu
