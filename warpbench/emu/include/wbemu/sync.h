/* Block barriers, memory fences, and device-side assert/__trap. */
#ifndef WBEMU_SYNC_H
#define WBEMU_SYNC_H

inline void __syncthreads(WBEMU_CALL_SITE) {
    wbemu_barrier(WBEMU_SYNC, 1, WBEMU_SITE);
}

inline int __syncthreads_count(int predicate, WBEMU_CALL_SITE) {
    return static_cast<int>(wbemu_barrier(WBEMU_SYNC_COUNT, predicate, WBEMU_SITE));
}

inline int __syncthreads_and(int predicate, WBEMU_CALL_SITE) {
    return static_cast<int>(wbemu_barrier(WBEMU_SYNC_AND, predicate, WBEMU_SITE));
}

inline int __syncthreads_or(int predicate, WBEMU_CALL_SITE) {
    return static_cast<int>(wbemu_barrier(WBEMU_SYNC_OR, predicate, WBEMU_SITE));
}

namespace wbemu {

/* Wrapped around every call of a barrier-holding function of the kernel source by the
 * emulator's source rewrite: while the call runs, the thread's call path includes the
 * call's line and column, so one barrier reached through two calls is two barriers. */
struct CallSiteGuard {
    wbemu_call_path saved;
    CallSiteGuard(WBEMU_CALL_SITE) : saved(wbemu_current->call) {
        wbemu_call_path& path = wbemu_current->call;
        const uint64_t site = static_cast<uint64_t>(static_cast<unsigned>(wbemu_line)) << 20 ^
                              static_cast<unsigned>(wbemu_column);
        path.hash = (path.hash ^ site) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
        path.file = wbemu_file;
        path.line = wbemu_line;
        path.column = wbemu_column;
    }
    ~CallSiteGuard() { wbemu_current->call = saved; }
    CallSiteGuard(const CallSiteGuard&) = delete;
    CallSiteGuard& operator=(const CallSiteGuard&) = delete;
};

}  // namespace wbemu

/* Fibers of a launch share one OS thread, but other launches may run on other threads. */
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

inline void __trap(WBEMU_CALL_SITE) {
    (void)wbemu_column;
    wbemu_device_fault(WBEMU_FAULT_TRAP, "__trap() called", wbemu_file, wbemu_line);
}

inline void __brkpt(WBEMU_CALL_SITE) {
    (void)wbemu_column;
    wbemu_device_fault(WBEMU_FAULT_TRAP, "__brkpt() called", wbemu_file, wbemu_line);
}

inline long long clock64() { return static_cast<long long>(__builtin_ia32_rdtsc()); }
inline void __nanosleep(unsigned) {}

#endif
