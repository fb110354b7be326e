#include "scheduler.h"

#include <algorithm>
#include <numeric>

#include "barrier.h"
#include "diagnostics.h"
#include "fiber.h"
#include "order.h"
#include "stops.h"
#include "warp_ops.h"
#include "watch.h"

extern "C" {
WBEMU_HIDDEN wbemu_thread* wbemu_current = nullptr;
}

namespace wbemu {

Launch g_launch;

namespace {

constexpr unsigned kWarpSize = 32;

Fiber* next_ready() {
    Launch& g = g_launch;
    while (g.cursor < g.thread_count) {
        Fiber& f = g.fibers[g.order[g.cursor++]];
        if (f.state == FiberState::ready) return &f;
    }
    return nullptr;
}

// Leaves the running fiber for good or for now: direct hand-off to the next ready fiber
// costs one switch instead of two through the scheduler.
void switch_to_next(void** save_sp) {
    Launch& g = g_launch;
    if (__builtin_expect(g.check_each_segment, false)) segment_ended();
    ++g.switches;
    Fiber* next = next_ready();
    wbemu_current = next ? &next->pub : nullptr;
    wbemu_switch(save_sp, next ? next->sp : g.scheduler_sp);
}

[[noreturn]] void finish_current() {
    Launch& g = g_launch;
    Fiber* self = current_fiber();
    self->state = FiberState::done;
    --g.ready;
    --g.live;
    lane_exited(*self);
    void* discarded;
    switch_to_next(&discarded);
    __builtin_unreachable();
}

void fiber_entry() {
    g_launch.config->thunk(g_launch.config->args);
    finish_current();
}

void* stack_top(unsigned rank) {
    const wbemu_launch_config& c = *g_launch.config;
    return c.stacks + (rank + 1) * c.stack_stride;
}

// A barrier interval starts: draw its thread order, and snapshot the live lanes for
// __activemask so that its answer does not depend on which lanes the schedule ran first.
void begin_interval() {
    Launch& g = g_launch;
    for (Warp& w : g.warps) w.live_at_interval = w.live;
    if (g.config->thread_order != WBEMU_ORDER_RANDOM) return;
    g.order = g.base_order;
    shuffle(g.order, mix_seed(mix_seed(g.config->thread_seed, g.block_linear), g.interval));
}

void reset_fibers() {
    Launch& g = g_launch;
    for (unsigned rank = 0; rank < g.thread_count; ++rank) {
        Fiber& f = g.fibers[rank];
        f.state = FiberState::ready;
        f.site = Site{};
        f.pub.call = wbemu_call_path{};  // a thread stopped inside a call left its path set
        f.result = 0;
        f.sp = prepare_stack(stack_top(rank), fiber_entry);
    }
    for (unsigned w = 0; w < g.warps.size(); ++w) {
        unsigned lanes = std::min(kWarpSize, g.thread_count - w * kWarpSize);
        g.warps[w].live = lanes == kWarpSize ? ~0u : (1u << lanes) - 1;
        g.warps[w].pending_count = 0;
    }
    g.ready = g.live = g.thread_count;
    g.at_barrier = g.at_warp = 0;
    g.interval = 0;
}

}  // namespace

void prepare_launch(unsigned thread_count) {
    Launch& g = g_launch;
    const wbemu_dim3 dim = g.config->block;
    g.thread_count = thread_count;
    g.fibers.assign(thread_count, Fiber{});
    g.warps.assign((thread_count + kWarpSize - 1) / kWarpSize, Warp{});
    for (unsigned rank = 0; rank < thread_count; ++rank) {
        wbemu_thread& t = g.fibers[rank].pub;
        t.idx = {rank % dim.x, rank / dim.x % dim.y, rank / (dim.x * dim.y)};
        t.lane = rank % kWarpSize;
        t.warp = rank / kWarpSize;
        t.rank = rank;
    }
    g.base_order.resize(thread_count);
    std::iota(g.base_order.begin(), g.base_order.end(), 0u);
    g.order = g.base_order;
    if (g.config->thread_order == WBEMU_ORDER_REVERSE)
        std::reverse(g.order.begin(), g.order.end());
}

bool run_block(std::uint64_t block_linear) {
    Launch& g = g_launch;
    g.block_linear = block_linear;
    reset_fibers();
    begin_interval();
    g.in_block = true;
    for (;;) {
        g.cursor = 0;
        if (take_pending_stop()) {
            g.aborted = true;
            break;
        }
        if (Fiber* first = next_ready()) {
            ++g.switches;
            wbemu_current = &first->pub;
            wbemu_switch(&g.scheduler_sp, first->sp);
        }
        if (g.aborted) break;
        if (g.ready) continue;  // lanes a warp operation released behind the cursor
        if (!g.live) break;
        if (g.at_warp) {
            report_deadlock();
            g.aborted = true;
            break;
        }
        if (!release_barrier()) {
            g.aborted = true;
            break;
        }
        ++g.interval;
        begin_interval();
    }
    g.in_block = false;
    wbemu_current = nullptr;
    return !g.aborted;
}

void park() {
    switch_to_next(&current_fiber()->sp);
}

void abort_from_fiber() {
    g_launch.aborted = true;
    void* discarded;
    wbemu_switch(&discarded, g_launch.scheduler_sp);
    __builtin_unreachable();
}

}  // namespace wbemu
