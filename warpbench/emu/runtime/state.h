// State of the launch in flight, shared by the runtime's translation units.
//
// Every kernel module links its own copy of the runtime, so this state is per module;
// Python serialises launches, so one launch at a time runs through it. Nothing here is
// thread_local: the module's TLS block must hold only the kernels' __shared__ arrays.
#pragma once

#include <csignal>
#include <cstdint>
#include <cstring>
#include <vector>

#include "wbemu/abi.h"

namespace wbemu {

struct Site {
    const char* file = nullptr;
    int line = 0;
    int column = 0;
};

// Call sites are compared by source position, never by return address: the compiler may
// duplicate or unroll one source-level barrier into several addresses.
inline bool same_site(const Site& a, const Site& b) {
    return a.line == b.line && a.column == b.column &&
           (a.file == b.file || (a.file && b.file && std::strcmp(a.file, b.file) == 0));
}

enum class FiberState : std::uint8_t { ready, at_barrier, at_warp, done };

struct Fiber {
    wbemu_thread pub;          // read by kernel code through wbemu_current
    void* sp = nullptr;
    FiberState state = FiberState::ready;
    int barrier_kind = 0;
    int predicate = 0;
    Site site;                 // the barrier or warp operation it waits at
    std::uint64_t value = 0;   // operand published to a warp operation
    unsigned source_lane = 0;  // lane a shuffle reads from
    std::uint64_t result = 0;  // result of the barrier or warp operation
    unsigned warp_syncs = 0;   // warp operations completed: orders lanes' accesses (racecheck)
};

// A warp operation some lanes of a warp have reached; lanes with disjoint masks may
// have several pending at once (e.g. the tiles of a tiled_partition<16>).
struct PendingWarpOp {
    unsigned mask = 0;
    unsigned arrived = 0;
    int kind = 0;
    int is_signed = 0;
    Site site;
};

struct Warp {
    unsigned live = 0;         // lanes that exist and have not exited
    unsigned live_at_interval = 0;  // live when the current barrier interval began
    unsigned pending_count = 0;
    PendingWarpOp pending[32];
};

struct Launch {
    const wbemu_launch_config* config = nullptr;
    std::vector<Fiber> fibers;
    std::vector<Warp> warps;
    std::vector<unsigned> order;     // thread ranks in this barrier interval's order
    std::vector<unsigned> base_order;
    unsigned thread_count = 0;
    unsigned cursor = 0;
    unsigned ready = 0;              // includes the fiber running now
    unsigned live = 0;
    unsigned at_barrier = 0;
    unsigned at_warp = 0;
    void* scheduler_sp = nullptr;
    bool in_block = false;
    bool aborted = false;
    bool warned_exit_before_barrier = false;
    std::uint64_t block_linear = 0;
    unsigned interval = 0;
    std::uint64_t switches = 0;      // progress counter watched by the watchdog
    std::uint64_t block_count = 0;
    std::uint64_t blocks_done = 0;
    unsigned in_stdio = 0;           // a fiber is inside device printf
    bool stop_requested = false;     // a thread was stopped by force, maybe while in_stdio
    volatile sig_atomic_t stop_pending = 0;  // a stop (diagnostic kind) asked for while no thread ran
    volatile sig_atomic_t interrupted = 0;   // SIGINT arrived during the launch
    bool replaying = false;          // a block runs again to find who overwrote a canary
    bool check_each_segment = false; // the replay compares the canary whenever a fiber parks
    std::uint64_t poison_word = 0;   // the poison byte repeated
};

extern Launch g_launch;

inline Fiber* current_fiber() {
    return reinterpret_cast<Fiber*>(wbemu_current);
}

}  // namespace wbemu
