#include "diagnostics.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace wbemu {

namespace {
constexpr unsigned kCapacity = 64;
wbemu_diagnostic g_records[kCapacity];
unsigned g_count = 0;
unsigned g_dropped = 0;
bool g_has_error = false;
}

void reset_diagnostics() {
    g_count = 0;
    g_dropped = 0;
    g_has_error = false;
}

unsigned diagnostic_count() { return g_count; }
unsigned dropped_diagnostics() { return g_dropped; }
bool has_error_diagnostic() { return g_has_error; }

DiagnosticsMark mark_diagnostics() { return DiagnosticsMark{g_count, g_dropped, g_has_error}; }

void rewind_diagnostics(const DiagnosticsMark& mark) {
    g_count = mark.count;
    g_dropped = mark.dropped;
    g_has_error = mark.has_error;
}

wbemu_diagnostic* report(int kind, int severity, const Fiber* fiber, const Site& site,
                         const char* format, ...) {
    if (severity == WBEMU_ERROR) g_has_error = true;
    if (g_count == kCapacity) {
        ++g_dropped;
        return nullptr;
    }
    wbemu_diagnostic& d = g_records[g_count++];
    std::memset(&d, 0, sizeof d);
    d.kind = kind;
    d.severity = severity;
    d.block = wbemu_block_idx;
    if (fiber) {
        d.thread = fiber->pub.idx;
        d.has_thread = 1;
    }
    d.file = site.file;
    d.line = site.line;
    d.buffer = -1;
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(d.message, sizeof d.message, format, args);
    va_end(args);
    return &d;
}

void set_other(wbemu_diagnostic* d, const Fiber* other, const Site& other_site) {
    if (!d) return;
    if (other) {
        d->other_thread = other->pub.idx;
        d->has_other_thread = 1;
    }
    d->other_file = other_site.file;
    d->other_line = other_site.line;
}

}  // namespace wbemu

extern "C" WBEMU_EXPORT const wbemu_diagnostic* wbemu_diagnostics(void) {
    return wbemu::g_records;
}
