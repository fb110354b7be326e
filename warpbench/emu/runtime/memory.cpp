#include "memory.h"

#include <cstring>

#include "diagnostics.h"
#include "state.h"

extern "C" {
alignas(4096) WBEMU_HIDDEN unsigned char
    wbemu_dynamic_shared[WBEMU_MAX_DYNAMIC_SHARED + WBEMU_SHARED_CANARY];
}

namespace wbemu {

namespace {

// Lives in the module's TLS block next to the __shared__ arrays. Its address, less its
// offset in the block (from the symbol table), gives the block of the calling thread, be
// it in static or dynamic TLS (glibc's dl_iterate_phdr reports only the latter).
thread_local unsigned char g_tls_anchor;

unsigned char* g_shared_block = nullptr;
std::uint64_t g_float_atomic_buffers = 0;
bool g_float_atomics_elsewhere = false;

unsigned char canary_byte(std::size_t i) {
    return static_cast<unsigned char>(0xA7u ^ (i * 29u));
}

}  // namespace

void locate_shared_block(const wbemu_launch_config& config) {
    g_shared_block = &g_tls_anchor - config.tls_anchor_offset;
}

void poison_shared_memory(const wbemu_launch_config& config) {
    const int poison = config.poison & 0xFF;
    for (unsigned i = 0; i < config.tls_range_count; ++i)
        std::memset(g_shared_block + config.tls_ranges[i].offset, poison, config.tls_ranges[i].size);
    std::memset(wbemu_dynamic_shared, poison, config.dynamic_shared);
    for (std::size_t i = 0; i < WBEMU_SHARED_CANARY; ++i)
        wbemu_dynamic_shared[config.dynamic_shared + i] = canary_byte(i);
}

bool check_dynamic_shared_canary(const wbemu_launch_config& config) {
    const unsigned char* tail = wbemu_dynamic_shared + config.dynamic_shared;
    std::size_t first = WBEMU_SHARED_CANARY;
    std::size_t changed = 0;
    for (std::size_t i = 0; i < WBEMU_SHARED_CANARY; ++i) {
        if (tail[i] == canary_byte(i)) continue;
        if (first == WBEMU_SHARED_CANARY) first = i;
        ++changed;
    }
    if (!changed) return true;
    wbemu_diagnostic* d = report(
        WBEMU_DIAG_SHARED_OVERFLOW, WBEMU_ERROR, nullptr, Site{},
        "dynamic shared memory overrun: %zu byte(s) written past the %llu bytes requested at "
        "launch, the first at byte +%zu after the end",
        changed, static_cast<unsigned long long>(config.dynamic_shared), first);
    if (d) d->offset = static_cast<long long>(first);
    return false;
}

bool check_redzones(const wbemu_launch_config& config) {
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
        return false;
    }
    return true;
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
