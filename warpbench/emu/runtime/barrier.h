// __syncthreads and its _count/_and/_or forms: PTX semantics (a barrier waits for every
// thread that has not exited), plus the diagnostics CUDA's stricter rules call for.
#pragma once

namespace wbemu {

// Called by the scheduler when every live thread waits at a barrier. Releases them, or
// records a barrier divergence and returns false when they wait at different barriers.
bool release_barrier();

}  // namespace wbemu
