// Warp-wide operations (shuffles, votes, __syncwarp, match, reduce) as a rendezvous of the
// lanes named in the mask: the last lane to arrive computes every lane's result.
#pragma once

#include "state.h"

namespace wbemu {

// A lane has exited: pending operations of its warp no longer wait for it.
void lane_exited(Fiber& fiber);

// Called by the scheduler when no thread can run while some wait in warp operations.
void report_deadlock();

}  // namespace wbemu
