// The diagnostics buffer Python reads after a launch: what went wrong, where, and who.
#pragma once

#include "state.h"

namespace wbemu {

void reset_diagnostics();
unsigned diagnostic_count();
unsigned dropped_diagnostics();
bool has_error_diagnostic();

// The buffer's state, to forget what a replay of a block reported.
struct DiagnosticsMark {
    unsigned count;
    unsigned dropped;
    bool has_error;
};
DiagnosticsMark mark_diagnostics();
void rewind_diagnostics(const DiagnosticsMark& mark);

// Appends a record for `fiber` (may be null) at `site`; returns null when the buffer is
// full, so callers fill optional fields only through the returned pointer.
wbemu_diagnostic* report(int kind, int severity, const Fiber* fiber, const Site& site,
                         const char* format, ...) __attribute__((format(printf, 5, 6)));

void set_other(wbemu_diagnostic* d, const Fiber* other, const Site& other_site);

}  // namespace wbemu
