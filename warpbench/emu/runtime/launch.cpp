// The entry point Python calls: runs every block of a grid, one after another.
#include <dlfcn.h>

#include <cstdio>

#include "diagnostics.h"
#include "faults.h"
#include "memory.h"
#include "order.h"
#include "scheduler.h"
#include "state.h"
#include "stops.h"
#include "watch.h"

extern "C" {
WBEMU_HIDDEN wbemu_dim3 wbemu_block_idx;
WBEMU_HIDDEN wbemu_dim3 wbemu_block_dim;
WBEMU_HIDDEN wbemu_dim3 wbemu_grid_dim;
}

namespace wbemu {

namespace {

bool config_is_usable(const wbemu_launch_config& c, unsigned threads) {
    const char* problem = nullptr;
    if (threads == 0 || threads > 1024) problem = "block size out of range";
    else if (threads > c.stack_count) problem = "fewer fiber stacks than threads";
    else if (c.dynamic_shared > WBEMU_MAX_DYNAMIC_SHARED) problem = "dynamic shared memory too large";
    if (!problem) return true;
    report(WBEMU_DIAG_INTERNAL, WBEMU_ERROR, nullptr, Site{}, "%s", problem);
    return false;
}

wbemu_dim3 block_index(std::uint64_t linear, const wbemu_dim3& grid) {
    return {static_cast<unsigned>(linear % grid.x),
            static_cast<unsigned>(linear / grid.x % grid.y),
            static_cast<unsigned>(linear / (static_cast<std::uint64_t>(grid.x) * grid.y))};
}

std::uint64_t run_grid(const wbemu_launch_config& c) {
    Launch& g = g_launch;
    const BlockOrder order(c.block_order, c.block_seed, g.block_count);
    SignalGuard guard(c);
    while (g.blocks_done < g.block_count && !take_pending_stop()) {
        const std::uint64_t linear = order.at(g.blocks_done++);
        wbemu_block_idx = block_index(linear, c.grid);
        poison_shared_memory(c);
        const bool ok = run_block(linear);
        // Canaries are checked after each block, so an overrun is pinned on its block.
        const Breach breach = check_canaries(c);
        if (ok && breach.start) find_writer(breach, linear);
        if (!ok || breach.start) break;
    }
    return g.blocks_done;
}

}  // namespace

}  // namespace wbemu

extern "C" WBEMU_EXPORT int wbemu_launch(const wbemu_launch_config* config, wbemu_launch_result* result) {
    using namespace wbemu;
    Launch& g = g_launch;
    const wbemu_launch_config& c = *config;
    reset_diagnostics();
    reset_float_atomic_tracking();
    g.config = config;
    g.aborted = false;
    g.warned_exit_before_barrier = false;
    g.switches = 0;
    g.in_stdio = 0;
    g.stop_requested = false;
    g.stop_pending = 0;
    g.interrupted = 0;
    g.replaying = false;
    g.check_each_segment = false;
    g.block_count = static_cast<std::uint64_t>(c.grid.x) * c.grid.y * c.grid.z;
    g.blocks_done = 0;
    g.poison_word = 0x0101010101010101ull * static_cast<std::uint64_t>(c.poison & 0xFF);
    wbemu_block_dim = c.block;
    wbemu_grid_dim = c.grid;
    const unsigned threads = c.block.x * c.block.y * c.block.z;
    std::uint64_t blocks_run = 0;
    if (config_is_usable(c, threads)) {
        locate_shared_block(c);
        prepare_launch(threads);
        blocks_run = run_grid(c);
    }
    std::fflush(stdout);
    std::fflush(stderr);
    *result = wbemu_launch_result{};
    result->failed = has_error_diagnostic();
    result->diagnostic_count = diagnostic_count();
    result->dropped_diagnostics = dropped_diagnostics();
    result->float_atomic_buffers = float_atomic_buffers();
    result->float_atomics_elsewhere = float_atomics_elsewhere();
    result->blocks_run = blocks_run;
    result->fiber_switches = g.switches;
    result->interrupted = g.interrupted;
    return result->failed;
}

extern "C" WBEMU_EXPORT wbemu_abi_info wbemu_abi(void) {
    return wbemu_abi_info{WBEMU_ABI_VERSION, sizeof(wbemu_launch_config), sizeof(wbemu_launch_result),
                          sizeof(wbemu_diagnostic), sizeof(wbemu_kernel)};
}

extern "C" WBEMU_EXPORT std::uint64_t wbemu_module_base(void) {
    Dl_info info{};
    dladdr(reinterpret_cast<const void*>(&wbemu_abi), &info);
    return reinterpret_cast<std::uint64_t>(info.dli_fbase);
}
