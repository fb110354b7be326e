#include "memory.h"

#include <cstring>

#include "diagnostics.h"
#include "state.h"

extern "C" {
// Page-aligned and a whole number of pages, so that the pages of its canary hold nothing
// else: a replay may write-protect them to catch the instruction overwriting it.
alignas(4096) WBEMU_HIDDEN unsigned char
    wbemu_dynamic_shared[WBEMU_MAX_DYNAMIC_SHARED + WBEMU_SHARED_CANARY];
}

namespace wbemu {

namespace {

// Lives in the module's TLS block next to the __shared__ arrays. Its address, less its
// offset in the block (from the symbol table), gives the block of the calling thread, be
// it in static or dynamic TLS (glibc's dl_iterate_phdr reports only the latter). The
// runtime is linked after the kernel source, so it ends the block: its bytes serve as the
// guard behind the last __shared__ array (Python lists them among the guards).
thread_local unsigned char g_tls_anchor[256];

unsigned char* g_shared_block = nullptr;
// The canaries, computed once per launch: blocks copy and compare them with memcpy/memcmp.
std::vector<unsigned char> g_guard_canaries;   // the launch's static shared guards, one after another
unsigned char g_dynamic_canary[WBEMU_SHARED_CANARY];
std::uint64_t g_float_atomic_buffers = 0;
bool g_float_atomics_elsewhere = false;

unsigned char canary_byte(std::size_t i) {
    return static_cast<unsigned char>(0xA7u ^ (i * 29u));
}

// First byte of [start, start + size) that differs from canary_byte(phase + i), or size.
std::size_t first_changed(const unsigned char* start, std::size_t size, std::size_t phase, std::size_t* changed) {
    std::size_t first = size;
    *changed = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (start[i] == canary_byte(phase + i)) continue;
        if (first == size) first = i;
        ++*changed;
    }
    return first;
}

Breach breach_of(wbemu_diagnostic* record, unsigned char* start, std::size_t size, std::size_t phase,
                 bool exclusive_pages) {
    Breach b;
    b.record = record;
    b.start = start;
    b.expected.resize(size);
    for (std::size_t i = 0; i < size; ++i) b.expected[i] = canary_byte(phase + i);
    b.exclusive_pages = exclusive_pages;
    return b;
}

Breach check_dynamic_shared_canary(const wbemu_launch_config& config) {
    unsigned char* tail = wbemu_dynamic_shared + config.dynamic_shared;
    if (std::memcmp(tail, g_dynamic_canary, WBEMU_SHARED_CANARY) == 0) return {};
    std::size_t changed;
    const std::size_t first = first_changed(tail, WBEMU_SHARED_CANARY, 0, &changed);
    if (!changed) return {};
    wbemu_diagnostic* d = report(
        WBEMU_DIAG_SHARED_OVERFLOW, WBEMU_ERROR, nullptr, Site{},
        "dynamic shared memory overrun: %zu byte(s) written past the %llu bytes requested at "
        "launch, the first at byte +%zu after the end",
        changed, static_cast<unsigned long long>(config.dynamic_shared), first);
    if (d) d->offset = static_cast<long long>(first);
    return breach_of(d, tail, WBEMU_SHARED_CANARY, 0, true);
}

Breach check_static_shared_guards(const wbemu_launch_config& config) {
    const unsigned char* expected = g_guard_canaries.data();
    for (unsigned i = 0; i < config.tls_guard_count; expected += config.tls_guards[i++].size) {
        const wbemu_tls_range& guard = config.tls_guards[i];
        unsigned char* start = g_shared_block + guard.offset;
        if (std::memcmp(start, expected, guard.size) == 0) continue;
        std::size_t changed;
        const std::size_t first = first_changed(start, guard.size, guard.offset, &changed);
        if (!changed) continue;
        wbemu_diagnostic* d = report(WBEMU_DIAG_SHARED_OVERFLOW, WBEMU_ERROR, nullptr, Site{},
                                     "%zu byte(s) written outside the __shared__ arrays", changed);
        if (d) {
            d->buffer = static_cast<int>(i);
            d->offset = static_cast<long long>(guard.offset + first);
        }
        // The TLS block shares its pages with the heap: the replay only compares the guard.
        return breach_of(d, start, guard.size, guard.offset, false);
    }
    return {};
}

Breach check_redzones(const wbemu_launch_config& config) {
    for (unsigned z = 0; z < config.redzone_count; ++z) {
        const wbemu_redzone& zone = config.redzones[z];
        if (std::memcmp(zone.start, zone.expected, zone.size) == 0) continue;
        std::size_t first = zone.size;
        std::size_t changed = 0;
        for (std::size_t i = 0; i < zone.size; ++i) {
            if (zone.start[i] == zone.expected[i]) continue;
            if (first == zone.size) first = i;
            ++changed;
        }
        const long long offset = zone.after ? static_cast<long long>(first)
                                            : -static_cast<long long>(zone.size - first);
        wbemu_diagnostic* d = report(
            WBEMU_DIAG_OUT_OF_BOUNDS, WBEMU_ERROR, nullptr, Site{},
            "%zu byte(s) written %s the buffer", changed, zone.after ? "past the end of" : "before the start of");
        if (d) {
            d->buffer = zone.buffer;
            d->offset = offset;
        }
        Breach b;
        b.record = d;
        b.start = const_cast<unsigned char*>(zone.start);
        b.expected.assign(zone.expected, zone.expected + zone.size);
        b.exclusive_pages = true;  // every device array is a mapping of its own
        return b;
    }
    return {};
}

}  // namespace

void locate_shared_block(const wbemu_launch_config& config) {
    g_shared_block = g_tls_anchor - config.tls_anchor_offset;
    g_guard_canaries.clear();
    for (unsigned i = 0; i < config.tls_guard_count; ++i)
        for (std::size_t j = 0; j < config.tls_guards[i].size; ++j)
            g_guard_canaries.push_back(canary_byte(config.tls_guards[i].offset + j));
    for (std::size_t i = 0; i < WBEMU_SHARED_CANARY; ++i) g_dynamic_canary[i] = canary_byte(i);
}

unsigned char* shared_block() { return g_shared_block; }

void poison_shared_memory(const wbemu_launch_config& config) {
    const int poison = config.poison & 0xFF;
    for (unsigned i = 0; i < config.tls_range_count; ++i)
        std::memset(g_shared_block + config.tls_ranges[i].offset, poison, config.tls_ranges[i].size);
    const unsigned char* canary = g_guard_canaries.data();
    for (unsigned i = 0; i < config.tls_guard_count; canary += config.tls_guards[i++].size)
        std::memcpy(g_shared_block + config.tls_guards[i].offset, canary, config.tls_guards[i].size);
    std::memset(wbemu_dynamic_shared, poison, config.dynamic_shared);
    std::memcpy(wbemu_dynamic_shared + config.dynamic_shared, g_dynamic_canary, WBEMU_SHARED_CANARY);
}

Breach check_canaries(const wbemu_launch_config& config) {
    Breach found = check_dynamic_shared_canary(config);
    Breach shared = check_static_shared_guards(config);
    Breach global = check_redzones(config);
    if (!found.start) found = std::move(shared.start ? shared : global);
    return found;
}

void reset_float_atomic_tracking() {
    g_float_atomic_buffers = 0;
    g_float_atomics_elsewhere = false;
}

std::uint64_t float_atomic_buffers() { return g_float_atomic_buffers; }
bool float_atomics_elsewhere() { return g_float_atomics_elsewhere; }

}  // namespace wbemu

extern "C" WBEMU_HIDDEN void wbemu_note_float_atomic(const void* address) {
    using namespace wbemu;
    const auto a = reinterpret_cast<std::uint64_t>(address);
    const wbemu_launch_config& c = *g_launch.config;
    for (unsigned i = 0; i < c.buffer_count; ++i) {
        if (a >= c.buffers[i].start && a < c.buffers[i].end) {
            if (i < 64) g_float_atomic_buffers |= std::uint64_t(1) << i;
            return;
        }
    }
    g_float_atomics_elsewhere = true;
}
