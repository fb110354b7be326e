// The callbacks g++ -fsanitize=thread emits around every load, store and atomic of an
// instrumented module, implemented here instead of by libtsan (which is never linked).
// Each access is classified (global allocation, __shared__ memory, the fiber's stack),
// checked against the bounds of the allocation it falls in, and handed to the metrics
// (instrument_metrics.cpp) and to the race and init checks (instrument_shadow.cpp).
#include "instrument.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "memory.h"
#include "state.h"

namespace wbemu {

namespace {

wbemu_instrument_config g_config{};
std::vector<wbemu_instrument_region> g_regions;
bool g_on = false;
std::uint64_t g_block_serial = ~0ull;
const wbemu_launch_config* g_launch_seen = nullptr;

// The launch's memories, located at its first access.
struct Span { std::uint64_t start, end; };
std::vector<Span> g_shared_arrays;   // the kernel's static __shared__ arrays
std::vector<Span> g_shared_guards;   // TLS bytes outside them, and the dynamic canary
Span g_shared_all{0, 0}, g_dynamic{0, 0}, g_stacks{0, 0};

// The in-bounds span the last access fell in (a __shared__ array, the dynamic shared
// bytes or an allocation's data), with its space and region: most accesses hit it again.
struct Hit { Span span; int space; int region; };
Hit g_last{{0, 0}, 0, -1};

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
    g_last = Hit{{0, 0}, 0, -1};
}

bool classify_anew(Access& a);

// Fills space, region and in_bounds; returns false for memory that is none of the
// three spaces (the module's own globals, the launch's argument array).
bool classify(Access& a) {
    if (a.address >= g_last.span.start && a.address + a.size <= g_last.span.end) {
        a.space = g_last.space;
        a.region = g_last.region;
        a.in_bounds = true;
        return true;
    }
    return classify_anew(a);
}

void remember(const Span& span, const Access& a) {
    g_last = Hit{span, a.space, a.region};
}

bool classify_anew(Access& a) {
    const std::uint64_t end = a.address + a.size;
    a.region = -1;
    a.in_bounds = true;
    if (within(g_dynamic, a.address) || within(g_shared_all, a.address) ||
        within(g_shared_guards.back(), a.address)) {
        a.space = WBEMU_SPACE_SHARED;
        if (within(g_dynamic, a.address)) {
            a.in_bounds = end <= g_dynamic.end;
            if (a.in_bounds) remember(g_dynamic, a);
            return true;
        }
        auto array = std::find_if(g_shared_arrays.begin(), g_shared_arrays.end(),
                                  [&](const Span& s) { return a.address >= s.start && end <= s.end; });
        a.in_bounds = array != g_shared_arrays.end();
        if (a.in_bounds) remember(*array, a);
        return true;
    }
    auto it = std::upper_bound(g_regions.begin(), g_regions.end(), a.address,
                               [](std::uint64_t x, const wbemu_instrument_region& r) { return x < r.start; });
    if (it != g_regions.begin() && a.address < (it - 1)->end) {
        const wbemu_instrument_region& r = *(it - 1);
        a.space = WBEMU_SPACE_GLOBAL;
        a.region = static_cast<int>(it - 1 - g_regions.begin());
        a.in_bounds = a.address >= r.data_start && end <= r.data_end;
        if (a.in_bounds) remember({r.data_start, r.data_end}, a);
        return true;
    }
    if (within(g_stacks, a.address)) {
        a.space = WBEMU_SPACE_LOCAL;
        return true;
    }
    return false;
}

void new_block(std::uint64_t serial) {
    if (g_block_serial != ~0ull) metrics_flush_block();
    g_block_serial = serial;
}

inline void on_access(const volatile void* address, unsigned size, int op, void* pc) {
    if (!g_on || !wbemu_current) return;
    Launch& g = g_launch;
    if (g.replaying) return;
    if (g.config != g_launch_seen) {
        g_launch_seen = g.config;
        locate_memories(*g.config);
    }
    if (g.blocks_done != g_block_serial) new_block(g.blocks_done);
    Access a{reinterpret_cast<std::uint64_t>(pc), reinterpret_cast<std::uint64_t>(address), size, 0, op, -1, true};
    if (!classify(a)) return;
    const Fiber& f = *current_fiber();
    if (!a.in_bounds) {
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
        return;
    }
    if (g_config.metrics) metrics_record(a, f);
    if (a.space != WBEMU_SPACE_LOCAL && (g_config.racecheck || g_config.initcheck))
        shadow_access(a, f, g_config.racecheck, g_config.initcheck, a.region >= 0 ? &g_regions[a.region] : nullptr);
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
    metrics_reset();
    shadow_reset();
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

WBEMU_EXPORT void wbemu_instrument_end(void) { wbemu::g_on = false; }

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
