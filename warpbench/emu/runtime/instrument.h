// The instrumented build's interface: what Python hands in before a launch and reads back
// after it. Modules compiled with -fsanitize=thread call the __tsan_* callbacks of
// instrument.cpp on every load and store; plain modules never do, so nothing here is part
// of the launch ABI (abi.h): Python calls these entry points only on instrumented modules.
#pragma once

#include <cstdint>

#include "state.h"

extern "C" {

// A live device allocation or __device__ variable: its reserved range and its data bytes.
struct wbemu_instrument_region {
    uint64_t start, end, data_start, data_end;
    int initialized;   // 0: its bytes count as never written (initcheck)
    int id;            // Python's index, echoed in findings
};

struct wbemu_instrument_config {
    int metrics, racecheck, initcheck;
    const struct wbemu_instrument_region* regions;   // sorted by start, disjoint
    unsigned region_count;
};

enum wbemu_space { WBEMU_SPACE_GLOBAL, WBEMU_SPACE_SHARED, WBEMU_SPACE_LOCAL, WBEMU_SPACE_COUNT };
enum wbemu_op { WBEMU_OP_LOAD, WBEMU_OP_STORE, WBEMU_OP_ATOMIC };

// Totals of one access site (a program counter) over the launch, in Nsight Compute's terms.
struct wbemu_site_stats {
    uint64_t pc;
    int space;
    int op;
    uint64_t lane_accesses;   // thread-level executions
    uint64_t requests;        // warp-level executions (k-th execution by the lanes of a warp)
    uint64_t sectors;         // distinct 32-byte sectors per request, summed (global)
    uint64_t wavefronts;      // shared-memory wavefronts, summed (shared)
    uint64_t ideal_wavefronts;
    uint64_t bytes;           // bytes the lanes asked for
};

enum wbemu_finding_kind { WBEMU_FIND_RACE, WBEMU_FIND_UNINIT, WBEMU_FIND_BOUNDS };

struct wbemu_finding {
    int kind;
    int space;
    int write, other_write;
    int inter_block;          // race between two blocks
    int region;               // region id for global memory, or -1
    uint64_t pc, other_pc;
    uint64_t address;
    struct wbemu_dim3 block, thread, other_block, other_thread;
    uint64_t occurrences;     // accesses that hit this same pair of sites
};

WBEMU_EXPORT void wbemu_instrument_begin(const struct wbemu_instrument_config* config);
WBEMU_EXPORT const struct wbemu_site_stats* wbemu_instrument_sites(unsigned* count);
WBEMU_EXPORT const struct wbemu_finding* wbemu_instrument_findings(unsigned* count);
WBEMU_EXPORT void wbemu_instrument_end(void);
}

namespace wbemu {

struct SiteMetrics;

// One access seen by a callback, classified.
struct Access {
    std::uint64_t pc;
    std::uint64_t address;
    unsigned size;
    int space;
    int op;
    int region;               // index into the config's regions (global), or -1
    bool in_bounds;
    unsigned site;            // the access site's dense index (site_pc gives its pc back)
    SiteMetrics* metrics;     // the site's memory metrics (instrument_metrics.h)
};

// The program counter of a site index handed out since wbemu_instrument_begin.
std::uint64_t site_pc(unsigned site);

// Metrics: per-request grouping of one block's accesses (instrument_metrics.h, .cpp).
void metrics_begin_block(unsigned thread_count);
void metrics_flush_block();
void metrics_reset();
const wbemu_site_stats* metrics_sites(unsigned* count);

// Shadow memory: racecheck and initcheck (instrument_shadow.cpp).
void shadow_access(const Access& a, const Fiber& f, bool racecheck, bool initcheck,
                   const wbemu_instrument_region* region);
void shadow_reset();

// Findings, deduplicated by (kind, site, other site).
void add_finding(const wbemu_finding& finding);
wbemu_dim3 thread_of(unsigned rank);
wbemu_dim3 block_of(std::uint64_t linear);

}  // namespace wbemu
