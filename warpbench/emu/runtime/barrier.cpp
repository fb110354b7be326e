#include "barrier.h"

#include "diagnostics.h"
#include "scheduler.h"

namespace wbemu {

namespace {

const char* barrier_name(int kind) {
    switch (kind) {
    case WBEMU_SYNC_COUNT: return "__syncthreads_count";
    case WBEMU_SYNC_AND: return "__syncthreads_and";
    case WBEMU_SYNC_OR: return "__syncthreads_or";
    default: return "__syncthreads";
    }
}

void report_divergence(const Fiber& first, const Fiber& other) {
    wbemu_diagnostic* d = report(
        WBEMU_DIAG_BARRIER_DIVERGENCE, WBEMU_ERROR, &first, first.site,
        "threads wait at different barriers: %s here, while thread (%u, %u, %u) waits at %s "
        "(%s:%d); every thread of a block must reach the same barrier",
        barrier_name(first.barrier_kind), other.pub.idx.x, other.pub.idx.y, other.pub.idx.z,
        barrier_name(other.barrier_kind), other.site.file ? other.site.file : "?", other.site.line);
    set_other(d, &other, other.site);
}

// The same barrier reached through different calls of the function holding it.
void report_path_divergence(const Fiber& first, const Fiber& other) {
    const wbemu_call_path& a = first.pub.call;
    const wbemu_call_path& b = other.pub.call;
    const Site here = a.file ? Site{a.file, a.line, a.column} : first.site;
    const Site there = b.file ? Site{b.file, b.line, b.column} : other.site;
    wbemu_diagnostic* d = report(
        WBEMU_DIAG_BARRIER_DIVERGENCE, WBEMU_ERROR, &first, here,
        "threads wait at the same %s (%s:%d) reached through different calls: this thread called "
        "its function here, thread (%u, %u, %u) at %s:%d; every thread of a block must reach the "
        "same barrier through the same call",
        barrier_name(first.barrier_kind), first.site.file ? first.site.file : "?", first.site.line,
        other.pub.idx.x, other.pub.idx.y, other.pub.idx.z, there.file ? there.file : "?", there.line);
    set_other(d, &other, there);
}

void warn_exit_before_barrier(const Fiber& first) {
    Launch& g = g_launch;
    if (g.warned_exit_before_barrier) return;
    g.warned_exit_before_barrier = true;
    report(WBEMU_DIAG_EXIT_BEFORE_BARRIER, WBEMU_WARNING, &first, first.site,
           "%u of %u threads exited before this %s; PTX releases the barrier without them, "
           "but CUDA requires every thread of the block to reach it (undefined behaviour)",
           g.thread_count - g.live, g.thread_count, barrier_name(first.barrier_kind));
}

}  // namespace

bool release_barrier() {
    Launch& g = g_launch;
    const Fiber* first = nullptr;
    unsigned count = 0;
    bool all = true;
    bool any = false;
    for (const Fiber& f : g.fibers) {
        if (f.state != FiberState::at_barrier) continue;
        if (!first) {
            first = &f;
        } else if (f.barrier_kind != first->barrier_kind || !same_site(f.site, first->site)) {
            report_divergence(*first, f);
            return false;
        } else if (f.pub.call.hash != first->pub.call.hash) {
            report_path_divergence(*first, f);
            return false;
        }
        count += f.predicate != 0;
        all = all && f.predicate;
        any = any || f.predicate;
    }
    if (g.live < g.thread_count) warn_exit_before_barrier(*first);
    unsigned result = 0;
    switch (first->barrier_kind) {
    case WBEMU_SYNC_COUNT: result = count; break;
    case WBEMU_SYNC_AND: result = all; break;
    case WBEMU_SYNC_OR: result = any; break;
    default: break;
    }
    for (Fiber& f : g.fibers) {
        if (f.state != FiberState::at_barrier) continue;
        f.result = result;
        f.state = FiberState::ready;
    }
    g.ready = g.at_barrier;
    g.at_barrier = 0;
    return true;
}

}  // namespace wbemu

extern "C" WBEMU_HIDDEN unsigned wbemu_barrier(int kind, int predicate, const char* file, int line,
                                               int column) {
    using namespace wbemu;
    Launch& g = g_launch;
    Fiber* self = current_fiber();
    self->state = FiberState::at_barrier;
    self->barrier_kind = kind;
    self->predicate = predicate != 0;
    self->site = Site{file, line, column};
    --g.ready;
    ++g.at_barrier;
    park();
    return static_cast<unsigned>(self->result);
}
