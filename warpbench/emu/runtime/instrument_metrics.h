// The memory metrics' per-site state and the recording of one access, inline so the
// callbacks (instrument.cpp) pay a few stores per access; the requests are measured when
// the block is done (instrument_metrics.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "instrument.h"
#include "state.h"

namespace wbemu {

constexpr unsigned kMetricsLanes = 32;
constexpr unsigned kMixedSizes = ~0u;

// One warp-level request: each lane's access in the lane's own slot. The sizes are only
// written while the site's accesses differ in size (Requests::size).
struct Request {
    std::uint32_t mask = 0;   // lanes that took part
    std::uint64_t address[kMetricsLanes];
    std::uint32_t size[kMetricsLanes];
};

// One site's requests in one space during the block, at k * warps + warp.
struct Requests {
    std::vector<Request> storage;
    Request* slots = nullptr;     // storage.data()
    std::size_t capacity = 0;     // storage.size()
    int stats = -1;               // index into the site totals, once the site has one
    // The slots metrics_record_quickly may fill: all of them while the site is used in the
    // block and has totals, none otherwise.
    std::size_t quick = 0;
    // The one size of every access in the launch so far (0 before the first), or
    // kMixedSizes once two differ (or one is empty): only then are lanes' sizes written.
    unsigned size = 0;
};

// One access site (program counter): its threads' execution counts in the block, and
// its requests per space.
struct SiteMetrics {
    std::vector<unsigned> executions;   // per thread rank
    Requests spaces[WBEMU_SPACE_COUNT];
    unsigned site = 0;
    bool touched = false;               // used in this block
};

extern unsigned g_metrics_warps;   // warps per block

// The state of `site` (a pointer that stays valid until metrics_reset).
SiteMetrics* metrics_site(unsigned site);
void metrics_touch(SiteMetrics& s);
void metrics_grow(Requests& q, std::size_t index);
// Sizes start to differ: the block's requests so far get their lanes' sizes written.
void metrics_mixed_sizes(Requests& q);
// A warp's first request at a (site, space) that has no totals yet: numbered at the flush.
void metrics_first_request(const SiteMetrics& s, int space, int op, unsigned warp);

// metrics_record of an access to `q`, one of the site's spaces, or false, having changed
// nothing, when it needs more than a few stores: a site's first access in the block, a
// table to grow, a (site, space) without totals yet. Calls nothing, so the callbacks'
// quick path saves no registers. Only a site whose first access was recorded (so that
// `executions` holds every rank) gets here.
inline bool metrics_record_quickly(SiteMetrics& s, Requests& q, std::uint64_t address, unsigned size,
                                   const Fiber& f) {
    unsigned& executions = s.executions.data()[f.pub.rank];
    const unsigned k = executions;
    const std::size_t index = static_cast<std::size_t>(k) * g_metrics_warps + f.pub.warp;
    if (index >= q.quick || size != q.size) return false;
    executions = k + 1;
    Request& r = q.slots[index];
    const unsigned lane = f.pub.lane;
    r.mask |= 1u << lane;
    r.address[lane] = address;
    return true;
}

// A request is the k-th execution of the site by the lanes of a warp: each lane's access
// joins the request of its own execution count.
inline void metrics_record(SiteMetrics& s, int space, int op, std::uint64_t address, unsigned size,
                           const Fiber& f) {
    if (__builtin_expect(!s.touched, 0)) metrics_touch(s);
    const unsigned k = s.executions[f.pub.rank]++;
    Requests& q = s.spaces[space];
    const std::size_t index = static_cast<std::size_t>(k) * g_metrics_warps + f.pub.warp;
    if (__builtin_expect(index >= q.capacity, 0)) metrics_grow(q, index);
    if (__builtin_expect(size != q.size || !size, 0)) {
        if (q.size && q.size != kMixedSizes) metrics_mixed_sizes(q);
        q.size = q.size || !size ? kMixedSizes : size;
    }
    Request& r = q.slots[index];
    if (__builtin_expect(!r.mask && q.stats < 0, 0)) metrics_first_request(s, space, op, f.pub.warp);
    const unsigned lane = f.pub.lane;
    r.mask |= 1u << lane;
    r.address[lane] = address;
    r.size[lane] = size;
}

}  // namespace wbemu
