#include "warp_ops.h"

#include <cstdarg>
#include <cstdio>

#include "diagnostics.h"
#include "scheduler.h"

namespace wbemu {

namespace {

constexpr unsigned kWarpSize = 32;

const char* op_name(int kind) {
    switch (kind) {
    case WBEMU_SHFL_IDX: return "__shfl_sync";
    case WBEMU_SHFL_UP: return "__shfl_up_sync";
    case WBEMU_SHFL_DOWN: return "__shfl_down_sync";
    case WBEMU_SHFL_XOR: return "__shfl_xor_sync";
    case WBEMU_BALLOT: return "__ballot_sync";
    case WBEMU_ANY: return "__any_sync";
    case WBEMU_ALL: return "__all_sync";
    case WBEMU_SYNCWARP: return "__syncwarp";
    case WBEMU_MATCH_ANY: return "__match_any_sync";
    case WBEMU_MATCH_ALL: return "__match_all_sync";
    case WBEMU_REDUCE_ADD: return "__reduce_add_sync";
    case WBEMU_REDUCE_MIN: return "__reduce_min_sync";
    case WBEMU_REDUCE_MAX: return "__reduce_max_sync";
    case WBEMU_REDUCE_AND: return "__reduce_and_sync";
    case WBEMU_REDUCE_OR: return "__reduce_or_sync";
    default: return "__reduce_xor_sync";
    }
}

bool is_shuffle(int kind) { return kind <= WBEMU_SHFL_XOR; }

// The lane a shuffle reads, exactly as PTX shfl.sync computes it from the c operand that
// CUDA's headers build as ((32 - width) << 8) | clamp, whose bits 12:8 are the segment
// mask: a source outside the caller's segment yields the caller's own value.
unsigned shuffle_source(int kind, unsigned lane, int lane_arg, int width) {
    const unsigned segmask = static_cast<unsigned>(32 - width) & 31u;
    const unsigned clamp = kind == WBEMU_SHFL_UP ? 0u : 31u;
    const unsigned b = static_cast<unsigned>(lane_arg) & 31u;
    const int max_lane = static_cast<int>((lane & segmask) | (clamp & ~segmask));
    const int min_lane = static_cast<int>(lane & segmask);
    int j = static_cast<int>(lane);
    bool in_range = false;
    switch (kind) {
    case WBEMU_SHFL_UP: j = static_cast<int>(lane) - static_cast<int>(b); in_range = j >= max_lane; break;
    case WBEMU_SHFL_DOWN: j = static_cast<int>(lane + b); in_range = j <= max_lane; break;
    case WBEMU_SHFL_XOR: j = static_cast<int>(lane ^ b); in_range = j <= max_lane; break;
    default: j = min_lane | static_cast<int>(b & ~segmask); in_range = j <= max_lane; break;
    }
    return in_range ? static_cast<unsigned>(j) : lane;
}

[[noreturn]] __attribute__((format(printf, 5, 6))) void mismatch(
    const Fiber& self, const Site& site, const Fiber* other, const Site& other_site, const char* format, ...) {
    char text[480];
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    wbemu_diagnostic* d = report(WBEMU_DIAG_WARP_MISMATCH, WBEMU_ERROR, &self, site, "%s", text);
    if (other) set_other(d, other, other_site);
    abort_from_fiber();
}

unsigned lowest_lane(unsigned mask) { return static_cast<unsigned>(__builtin_ctz(mask)); }

std::uint64_t reduce(const PendingWarpOp& op, const Fiber* lanes) {
    std::uint32_t acc = 0;
    bool first = true;
    for (unsigned m = op.arrived; m; m &= m - 1) {
        const std::uint32_t v = static_cast<std::uint32_t>(lanes[lowest_lane(m)].value);
        if (first) {
            acc = v;
            first = false;
            continue;
        }
        switch (op.kind) {
        case WBEMU_REDUCE_ADD: acc += v; break;
        case WBEMU_REDUCE_AND: acc &= v; break;
        case WBEMU_REDUCE_OR: acc |= v; break;
        case WBEMU_REDUCE_XOR: acc ^= v; break;
        case WBEMU_REDUCE_MIN:
            acc = op.is_signed ? (static_cast<std::int32_t>(v) < static_cast<std::int32_t>(acc) ? v : acc)
                               : (v < acc ? v : acc);
            break;
        default:
            acc = op.is_signed ? (static_cast<std::int32_t>(v) > static_cast<std::int32_t>(acc) ? v : acc)
                               : (v > acc ? v : acc);
            break;
        }
    }
    return acc;
}

std::uint64_t lane_result(const PendingWarpOp& op, const Fiber* lanes, unsigned lane,
                          std::uint64_t ballot, std::uint64_t reduced) {
    const unsigned arrived = op.arrived;
    if (is_shuffle(op.kind)) {
        const unsigned src = lanes[lane].source_lane;
        // Reading a lane that does not take part is undefined: hand back the poison pattern.
        return (arrived >> src & 1u) ? lanes[src].value : g_launch.poison_word;
    }
    switch (op.kind) {
    case WBEMU_BALLOT: return ballot;
    case WBEMU_ANY: return ballot != 0;
    case WBEMU_ALL: return ballot == arrived;
    case WBEMU_SYNCWARP: return 0;
    case WBEMU_MATCH_ANY: {
        unsigned same = 0;
        for (unsigned m = arrived; m; m &= m - 1)
            if (lanes[lowest_lane(m)].value == lanes[lane].value) same |= 1u << lowest_lane(m);
        return same;
    }
    case WBEMU_MATCH_ALL: {
        for (unsigned m = arrived; m; m &= m - 1)
            if (lanes[lowest_lane(m)].value != lanes[lane].value) return 0;
        return arrived | (std::uint64_t(1) << 32);
    }
    default: return reduced;
    }
}

// Computes every arrived lane's result, wakes them (except `caller`, which keeps running)
// and removes the operation from its warp.
void complete(Warp& warp, unsigned warp_index, unsigned op_index, const Fiber* caller) {
    Launch& g = g_launch;
    PendingWarpOp op = warp.pending[op_index];
    warp.pending[op_index] = warp.pending[--warp.pending_count];
    Fiber* lanes = &g.fibers[warp_index * kWarpSize];
    std::uint64_t ballot = 0;
    for (unsigned m = op.arrived; m; m &= m - 1)
        if (lanes[lowest_lane(m)].value) ballot |= 1u << lowest_lane(m);
    const std::uint64_t reduced = op.kind >= WBEMU_REDUCE_ADD ? reduce(op, lanes) : 0;
    for (unsigned m = op.arrived; m; m &= m - 1) {
        Fiber& f = lanes[lowest_lane(m)];
        f.result = lane_result(op, lanes, lowest_lane(m), ballot, reduced);
        if (&f == caller) continue;
        f.state = FiberState::ready;
        --g.at_warp;
        ++g.ready;
    }
}

bool is_complete(const Warp& warp, const PendingWarpOp& op) {
    return (op.mask & warp.live & ~op.arrived) == 0;
}

// Joins the pending operation this lane takes part in, or opens one. Lanes may wait at
// different operations at once (disjoint tiles, or lanes that simply have not arrived yet);
// it is a bug when lanes this lane names wait elsewhere for it, or when lanes meeting at
// the same operation disagree on its mask.
unsigned join_or_open(Warp& warp, const Fiber& self, const wbemu_warp_request& r, const Site& site) {
    const unsigned bit = 1u << self.pub.lane;
    for (unsigned i = 0; i < warp.pending_count; ++i) {
        PendingWarpOp& op = warp.pending[i];
        if (!(op.mask & r.mask)) continue;
        const bool same_op = op.kind == r.kind && (r.kind == WBEMU_SYNCWARP || same_site(op.site, site));
        if (same_op && op.mask == r.mask) return i;
        const bool names_waiting_lanes = (op.arrived & r.mask) != 0;
        const bool expected_there = (op.mask & bit) != 0;
        if (same_op ? !(names_waiting_lanes || expected_there) : !(names_waiting_lanes && expected_there))
            continue;
        const unsigned others = op.arrived & r.mask ? op.arrived & r.mask : op.arrived;
        const Fiber& other = g_launch.fibers[self.pub.warp * kWarpSize + lowest_lane(others)];
        if (same_op)
            mismatch(self, site, &other, op.site,
                     "%s with mask 0x%08x, while lane %u waits at it with mask 0x%08x; "
                     "the lanes named in a mask must all use the same mask",
                     op_name(r.kind), r.mask, other.pub.lane, op.mask);
        mismatch(self, site, &other, op.site,
                 "lane %u reached %s (mask 0x%08x) while lane %u, which it names, waits for it at %s "
                 "(%s:%d); all lanes in the mask must execute the same warp operation",
                 self.pub.lane, op_name(r.kind), r.mask, other.pub.lane, op_name(op.kind),
                 op.site.file ? op.site.file : "?", op.site.line);
    }
    PendingWarpOp& op = warp.pending[warp.pending_count];
    op = PendingWarpOp{};
    op.mask = r.mask;
    op.kind = r.kind;
    op.is_signed = r.is_signed;
    op.site = site;
    return warp.pending_count++;
}

}  // namespace

void lane_exited(Fiber& fiber) {
    Warp& warp = g_launch.warps[fiber.pub.warp];
    warp.live &= ~(1u << fiber.pub.lane);
    for (unsigned i = warp.pending_count; i-- > 0;)
        if (is_complete(warp, warp.pending[i])) complete(warp, fiber.pub.warp, i, nullptr);
}

void report_deadlock() {
    Launch& g = g_launch;
    for (unsigned w = 0; w < g.warps.size(); ++w) {
        const Warp& warp = g.warps[w];
        if (!warp.pending_count) continue;
        const PendingWarpOp& op = warp.pending[0];
        const Fiber& waiting = g.fibers[w * kWarpSize + lowest_lane(op.arrived)];
        const Fiber& absent = g.fibers[w * kWarpSize + lowest_lane(op.mask & warp.live & ~op.arrived)];
        const char* where = absent.state == FiberState::at_barrier ? "a __syncthreads"
                                                                   : "another warp operation";
        wbemu_diagnostic* d = report(
            WBEMU_DIAG_DEADLOCK, WBEMU_ERROR, &waiting, op.site,
            "%s with mask 0x%08x waits for lane %u (thread (%u, %u, %u)), which waits at %s (%s:%d); "
            "neither can proceed",
            op_name(op.kind), op.mask, absent.pub.lane, absent.pub.idx.x, absent.pub.idx.y,
            absent.pub.idx.z, where, absent.site.file ? absent.site.file : "?", absent.site.line);
        set_other(d, &absent, absent.site);
        return;
    }
}

}  // namespace wbemu

extern "C" WBEMU_HIDDEN std::uint64_t wbemu_warp_op(const wbemu_warp_request* request) {
    using namespace wbemu;
    Launch& g = g_launch;
    const wbemu_warp_request& r = *request;
    Fiber* self = current_fiber();
    const Site site{r.file, r.line, r.column};
    const unsigned lane = self->pub.lane;
    if (!(r.mask >> lane & 1u))
        mismatch(*self, site, nullptr, Site{},
                 "%s: lane %u is not in its own mask 0x%08x", op_name(r.kind), lane, r.mask);
    if (is_shuffle(r.kind) && (r.width < 1 || r.width > 32 || (r.width & (r.width - 1))))
        mismatch(*self, site, nullptr, Site{},
                 "%s: width %d is not a power of two in [1, 32]", op_name(r.kind), r.width);
    Warp& warp = g.warps[self->pub.warp];
    const unsigned op_index = join_or_open(warp, *self, r, site);
    self->value = r.value;
    self->source_lane = is_shuffle(r.kind) ? shuffle_source(r.kind, lane, r.lane_arg, r.width) : lane;
    self->site = site;
    warp.pending[op_index].arrived |= 1u << lane;
    if (is_complete(warp, warp.pending[op_index])) {
        complete(warp, self->pub.warp, op_index, self);
        ++self->warp_syncs;
        return self->result;
    }
    self->state = FiberState::at_warp;
    --g.ready;
    ++g.at_warp;
    park();
    ++self->warp_syncs;
    return self->result;
}

extern "C" WBEMU_HIDDEN unsigned wbemu_active_mask(void) {
    using namespace wbemu;
    return g_launch.warps[current_fiber()->pub.warp].live_at_interval;
}
