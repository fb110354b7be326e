// The callbacks g++ -fsanitize=thread emits around every load, store and atomic of an
// instrumented module, implemented here instead of by libtsan (which is never linked).
// Each access is classified (global allocation, __shared__ memory, the fiber's stack),
// checked against the bounds of the allocation it falls in, and handed to the metrics
// (instrument_metrics.h, .cpp) and to the race and init checks (instrument_shadow.cpp).
// Every access pays for this, so the common one (metrics only, a site touching the memory
// it touched last) takes a quick path that only looks its site up and records it.
#include "instrument.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "instrument_metrics.h"
#include "memory.h"
#include "state.h"

namespace wbemu {

namespace {

wbemu_instrument_config g_config{};
std::vector<wbemu_instrument_region> g_regions;
bool g_on = false;
bool g_plain_metrics = false;   // metrics on, racecheck and initcheck off: the common case
std::uint64_t g_block_serial = ~0ull;
const wbemu_launch_config* g_launch_seen = nullptr;

// The launch's memories, located at its first access.
struct Span { std::uint64_t start, end; };
std::vector<Span> g_shared_arrays;   // the kernel's static __shared__ arrays
std::vector<Span> g_shared_guards;   // TLS bytes outside them, and the dynamic canary
Span g_shared_all{0, 0}, g_dynamic{0, 0}, g_stacks{0, 0};

// Access sites by program counter, in an open-addressed table: each entry holds the site's
// dense index, its metrics, and the in-bounds span its last access fell in (a __shared__
// array, the dynamic shared bytes or an allocation's data) with its space and region,
// since a site nearly always hits the same memory again. An empty entry has pc 0.
struct PcEntry {
    std::uint64_t pc;
    Span span;
    int space;
    int region;
    unsigned site;
    SiteMetrics* metrics;
    Requests* requests;   // the metrics of `space`
    Span ignored;         // around the last access that fell in none of the spaces
};
std::vector<PcEntry> g_pc_table;
std::vector<std::uint64_t> g_site_pcs;
std::size_t g_pc_mask = 0;
unsigned g_pc_shift = 64;

std::size_t slot(std::uint64_t pc) { return (pc * 0x9E3779B97F4A7C15ull) >> g_pc_shift; }

void clear_spans() {
    for (PcEntry& e : g_pc_table) e.span = e.ignored = Span{0, 0};
}

void grow_pc_table() {
    std::vector<PcEntry> old(g_pc_table.empty() ? 256 : g_pc_table.size() * 2, PcEntry{});
    old.swap(g_pc_table);
    g_pc_mask = g_pc_table.size() - 1;
    g_pc_shift = 64 - static_cast<unsigned>(__builtin_ctzll(g_pc_table.size()));
    for (const PcEntry& e : old) {
        if (!e.pc) continue;
        std::size_t i = slot(e.pc);
        while (g_pc_table[i].pc) i = (i + 1) & g_pc_mask;
        g_pc_table[i] = e;
    }
}

PcEntry& add_site(std::uint64_t pc) {
    if (2 * (g_site_pcs.size() + 1) > g_pc_table.size()) grow_pc_table();
    std::size_t i = slot(pc);
    while (g_pc_table[i].pc) i = (i + 1) & g_pc_mask;
    const unsigned site = static_cast<unsigned>(g_site_pcs.size());
    g_site_pcs.push_back(pc);
    SiteMetrics* metrics = metrics_site(site);
    return g_pc_table[i] = PcEntry{pc, {0, 0}, 0, -1, site, metrics, &metrics->spaces[0], {0, 0}};
}

inline PcEntry& entry_of(std::uint64_t pc) {
    PcEntry* table = g_pc_table.data();
    for (std::size_t i = slot(pc);; i = (i + 1) & g_pc_mask) {
        if (table[i].pc == pc) return table[i];
        if (!table[i].pc) return add_site(pc);
    }
}

std::vector<wbemu_finding> g_findings;
std::map<std::tuple<int, std::uint64_t, std::uint64_t>, unsigned> g_finding_index;
constexpr unsigned kMaxFindings = 64;

bool within(const Span& s, std::uint64_t a) { return a >= s.start && a < s.end; }

void locate_memories(const wbemu_launch_config& c) {
    const auto block = reinterpret_cast<std::uint64_t>(shared_block());
    g_shared_arrays.clear();
    g_shared_guards.clear();
    std::uint64_t lo = ~0ull, hi = 0;
    for (unsigned i = 0; i < c.tls_range_count; ++i) {
        const Span s{block + c.tls_ranges[i].offset, block + c.tls_ranges[i].offset + c.tls_ranges[i].size};
        g_shared_arrays.push_back(s);
        lo = std::min(lo, s.start), hi = std::max(hi, s.end);
    }
    for (unsigned i = 0; i < c.tls_guard_count; ++i) {
        const Span s{block + c.tls_guards[i].offset, block + c.tls_guards[i].offset + c.tls_guards[i].size};
        g_shared_guards.push_back(s);
        lo = std::min(lo, s.start), hi = std::max(hi, s.end);
    }
    g_shared_all = lo < hi ? Span{lo, hi} : Span{0, 0};
    const auto dynamic = reinterpret_cast<std::uint64_t>(wbemu_dynamic_shared);
    g_dynamic = {dynamic, dynamic + c.dynamic_shared};
    g_shared_guards.push_back({g_dynamic.end, g_dynamic.end + WBEMU_SHARED_CANARY});
    const auto stacks = reinterpret_cast<std::uint64_t>(c.stacks);
    g_stacks = {stacks, stacks + c.stack_stride * c.stack_count};
    clear_spans();
}

void remember(PcEntry& e, const Span& span, const Access& a) {
    e.span = span;
    e.space = a.space;
    e.region = a.region;
    e.requests = &e.metrics->spaces[a.space];
}

// The widest span around `address` that starts no access of the three spaces; `next` is
// the first region starting above it.
Span gap_around(std::uint64_t address, std::vector<wbemu_instrument_region>::const_iterator next) {
    Span gap{next == g_regions.begin() ? 0 : (next - 1)->end, next == g_regions.end() ? ~0ull : next->start};
    for (const Span& s : {g_dynamic, g_shared_all, g_shared_guards.back(), g_stacks}) {
        if (s.start >= s.end) continue;
        if (s.end <= address) gap.start = std::max(gap.start, s.end);
        else gap.end = std::min(gap.end, s.start);
    }
    return gap;
}

// Fills space, region and in_bounds when the site's remembered span missed; returns false
// for memory that is none of the three spaces (the module's own globals, the launch's
// argument array).
bool classify_anew(Access& a, PcEntry& e) {
    const std::uint64_t end = a.address + a.size;
    a.region = -1;
    a.in_bounds = true;
    if (within(g_dynamic, a.address) || within(g_shared_all, a.address) ||
        within(g_shared_guards.back(), a.address)) {
        a.space = WBEMU_SPACE_SHARED;
        if (within(g_dynamic, a.address)) {
            a.in_bounds = end <= g_dynamic.end;
            if (a.in_bounds) remember(e, g_dynamic, a);
            return true;
        }
        auto array = std::find_if(g_shared_arrays.begin(), g_shared_arrays.end(),
                                  [&](const Span& s) { return a.address >= s.start && end <= s.end; });
        a.in_bounds = array != g_shared_arrays.end();
        if (a.in_bounds) remember(e, *array, a);
        return true;
    }
    auto it = std::upper_bound(g_regions.begin(), g_regions.end(), a.address,
                               [](std::uint64_t x, const wbemu_instrument_region& r) { return x < r.start; });
    if (it != g_regions.begin() && a.address < (it - 1)->end) {
        const wbemu_instrument_region& r = *(it - 1);
        a.space = WBEMU_SPACE_GLOBAL;
        a.region = static_cast<int>(it - 1 - g_regions.begin());
        a.in_bounds = a.address >= r.data_start && end <= r.data_end;
        if (a.in_bounds) remember(e, {r.data_start, r.data_end}, a);
        return true;
    }
    if (within(g_stacks, a.address)) {
        a.space = WBEMU_SPACE_LOCAL;
        if (end <= g_stacks.end) remember(e, g_stacks, a);
        return true;
    }
    e.ignored = gap_around(a.address, it);
    return false;
}

void new_block(std::uint64_t serial) {
    if (g_block_serial != ~0ull) metrics_flush_block();
    g_block_serial = serial;
    metrics_begin_block(g_launch.thread_count);
}

void checked_access(const Access& a, const Fiber& f) {
    if (g_config.metrics) metrics_record(*a.metrics, a.space, a.op, a.address, a.size, f);
    if (a.space != WBEMU_SPACE_LOCAL && (g_config.racecheck || g_config.initcheck))
        shadow_access(a, f, g_config.racecheck, g_config.initcheck, a.region >= 0 ? &g_regions[a.region] : nullptr);
}

// An access outside the site's remembered span: classified anew, out of bounds reported.
void unusual_access(PcEntry& e, std::uint64_t address, unsigned size, int op, const Fiber& f) {
    Access a{e.pc, address, size, 0, op, -1, true, e.site, e.metrics};
    if (!classify_anew(a, e)) return;
    if (a.in_bounds) return checked_access(a, f);
    wbemu_finding d{};
    d.kind = WBEMU_FIND_BOUNDS;
    d.space = a.space;
    d.write = op != WBEMU_OP_LOAD;
    d.region = a.region >= 0 ? g_regions[a.region].id : -1;
    d.pc = a.pc;
    d.address = a.address;
    d.block = wbemu_block_idx;
    d.thread = f.pub.idx;
    add_finding(d);
}

// Every access the quick path of on_access leaves: a new launch or block, a replay (whose
// accesses are not counted again), a new site, a span missed, racecheck or initcheck.
__attribute__((noinline)) void any_access(const volatile void* address, unsigned size, int op, void* pc) {
    if (!g_on || !wbemu_current) return;
    Launch& g = g_launch;
    if (g.replaying) return;
    if (g.config != g_launch_seen) {
        g_launch_seen = g.config;
        locate_memories(*g.config);
    }
    if (g.blocks_done != g_block_serial) new_block(g.blocks_done);
    const std::uint64_t at = reinterpret_cast<std::uint64_t>(address);
    PcEntry& e = entry_of(reinterpret_cast<std::uint64_t>(pc));
    const Fiber& f = *current_fiber();
    if (at >= e.ignored.start && at < e.ignored.end) return;
    if (at < e.span.start || at + size > e.span.end) return unusual_access(e, at, size, op, f);
    checked_access(Access{e.pc, at, size, e.space, op, e.region, true, e.site, e.metrics}, f);
}

// The callbacks' body. Its quick path, metrics only on a site's usual memory, calls
// nothing and ends in any_access (a tail call) whenever it cannot finish on its own.
__attribute__((always_inline)) inline void on_access(const volatile void* address, unsigned size, int op,
                                                     void* pc) {
    if (!g_plain_metrics || !wbemu_current) return any_access(address, size, op, pc);
    const Launch& g = g_launch;
    if (g.replaying || g.config != g_launch_seen || g.blocks_done != g_block_serial)
        return any_access(address, size, op, pc);
    const PcEntry* table = g_pc_table.data();
    std::size_t i = slot(reinterpret_cast<std::uint64_t>(pc));
    while (table[i].pc != reinterpret_cast<std::uint64_t>(pc)) {
        if (!table[i].pc) return any_access(address, size, op, pc);
        i = (i + 1) & g_pc_mask;
    }
    const PcEntry& e = table[i];
    const std::uint64_t at = reinterpret_cast<std::uint64_t>(address);
    if (at < e.span.start || at + size > e.span.end ||
        !metrics_record_quickly(*e.metrics, *e.requests, at, size, *current_fiber()))
        return any_access(address, size, op, pc);
}

}  // namespace

void add_finding(const wbemu_finding& finding) {
    const auto key = std::make_tuple(finding.kind, finding.pc, finding.other_pc);
    auto it = g_finding_index.find(key);
    if (it != g_finding_index.end()) {
        ++g_findings[it->second].occurrences;
        return;
    }
    if (g_findings.size() >= kMaxFindings) return;
    g_finding_index.emplace(key, static_cast<unsigned>(g_findings.size()));
    g_findings.push_back(finding);
    g_findings.back().occurrences = 1;
}

std::uint64_t site_pc(unsigned site) { return g_site_pcs[site]; }

wbemu_dim3 thread_of(unsigned rank) { return g_launch.fibers[rank].pub.idx; }

wbemu_dim3 block_of(std::uint64_t linear) {
    const wbemu_dim3 grid = g_launch.config->grid;
    return {static_cast<unsigned>(linear % grid.x), static_cast<unsigned>(linear / grid.x % grid.y),
            static_cast<unsigned>(linear / (static_cast<std::uint64_t>(grid.x) * grid.y))};
}

}  // namespace wbemu

using wbemu::on_access;

extern "C" {

WBEMU_EXPORT void wbemu_instrument_begin(const wbemu_instrument_config* config) {
    using namespace wbemu;
    g_config = *config;
    g_regions.assign(config->regions, config->regions + config->region_count);
    g_config.regions = nullptr;
    g_findings.clear();
    g_finding_index.clear();
    g_block_serial = ~0ull;
    g_launch_seen = nullptr;
    g_pc_table.clear();
    g_site_pcs.clear();
    grow_pc_table();
    metrics_reset();
    shadow_reset();
    g_plain_metrics = g_config.metrics && !g_config.racecheck && !g_config.initcheck;
    g_on = true;
}

WBEMU_EXPORT const wbemu_site_stats* wbemu_instrument_sites(unsigned* count) {
    using namespace wbemu;
    if (g_block_serial != ~0ull) metrics_flush_block();
    g_block_serial = ~0ull;
    return metrics_sites(count);
}

WBEMU_EXPORT const wbemu_finding* wbemu_instrument_findings(unsigned* count) {
    *count = static_cast<unsigned>(wbemu::g_findings.size());
    return wbemu::g_findings.data();
}

WBEMU_EXPORT void wbemu_instrument_end(void) { wbemu::g_on = wbemu::g_plain_metrics = false; }

#define WBEMU_PLAIN(size)                                                                        \
    void __tsan_read##size(void* a) { on_access(a, size, WBEMU_OP_LOAD, __builtin_return_address(0)); }   \
    void __tsan_write##size(void* a) { on_access(a, size, WBEMU_OP_STORE, __builtin_return_address(0)); } \
    void __tsan_unaligned_read##size(void* a) { on_access(a, size, WBEMU_OP_LOAD, __builtin_return_address(0)); } \
    void __tsan_unaligned_write##size(void* a) { on_access(a, size, WBEMU_OP_STORE, __builtin_return_address(0)); } \
    void __tsan_volatile_read##size(void* a) { on_access(a, size, WBEMU_OP_LOAD, __builtin_return_address(0)); } \
    void __tsan_volatile_write##size(void* a) { on_access(a, size, WBEMU_OP_STORE, __builtin_return_address(0)); }
WBEMU_PLAIN(1)
WBEMU_PLAIN(2)
WBEMU_PLAIN(4)
WBEMU_PLAIN(8)
WBEMU_PLAIN(16)
#undef WBEMU_PLAIN

void __tsan_read_range(void* a, unsigned long size) {
    on_access(a, static_cast<unsigned>(size), WBEMU_OP_LOAD, __builtin_return_address(0));
}
void __tsan_write_range(void* a, unsigned long size) {
    on_access(a, static_cast<unsigned>(size), WBEMU_OP_STORE, __builtin_return_address(0));
}
void __tsan_init(void) {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit(void) {}
void __tsan_vptr_update(void**, void*) {}
void __tsan_vptr_read(void**) {}
void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void __tsan_atomic_signal_fence(int) {}

#define WBEMU_ATOMIC_RMW(bits, T, name, builtin)                                             \
    T __tsan_atomic##bits##_##name(volatile T* a, T v, int) {                                \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        return builtin(a, v, __ATOMIC_SEQ_CST);                                              \
    }
#define WBEMU_ATOMIC(bits, T)                                                                \
    T __tsan_atomic##bits##_load(const volatile T* a, int) {                                 \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                         \
    }                                                                                        \
    void __tsan_atomic##bits##_store(volatile T* a, T v, int) {                              \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                            \
    }                                                                                        \
    WBEMU_ATOMIC_RMW(bits, T, exchange, __atomic_exchange_n)                                 \
    WBEMU_ATOMIC_RMW(bits, T, fetch_add, __atomic_fetch_add)                                 \
    WBEMU_ATOMIC_RMW(bits, T, fetch_sub, __atomic_fetch_sub)                                 \
    WBEMU_ATOMIC_RMW(bits, T, fetch_and, __atomic_fetch_and)                                 \
    WBEMU_ATOMIC_RMW(bits, T, fetch_or, __atomic_fetch_or)                                   \
    WBEMU_ATOMIC_RMW(bits, T, fetch_xor, __atomic_fetch_xor)                                 \
    WBEMU_ATOMIC_RMW(bits, T, fetch_nand, __atomic_fetch_nand)                               \
    int __tsan_atomic##bits##_compare_exchange_strong(volatile T* a, T* c, T v, int, int) {  \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    }                                                                                        \
    int __tsan_atomic##bits##_compare_exchange_weak(volatile T* a, T* c, T v, int, int) {    \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    }                                                                                        \
    T __tsan_atomic##bits##_compare_exchange_val(volatile T* a, T c, T v, int, int) {        \
        on_access(a, sizeof(T), WBEMU_OP_ATOMIC, __builtin_return_address(0));               \
        __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);    \
        return c;                                                                            \
    }
WBEMU_ATOMIC(8, unsigned char)
WBEMU_ATOMIC(16, unsigned short)
WBEMU_ATOMIC(32, unsigned int)
WBEMU_ATOMIC(64, unsigned long long)
#undef WBEMU_ATOMIC
#undef WBEMU_ATOMIC_RMW

}  // extern "C"
