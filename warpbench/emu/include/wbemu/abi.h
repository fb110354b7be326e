/* The contract between compiled kernels, the emulator runtime and Python (ctypes).
 *
 * Plain C so that the prelude, the C++ runtime and warpbench/emu/abi.py agree on
 * one layout. Change WBEMU_ABI_VERSION with any change here: it is part of the cache key and
 * Python refuses a module whose version or struct sizes differ from its own mirror.
 */
#ifndef WBEMU_ABI_H
#define WBEMU_ABI_H

#include <stddef.h>
#include <stdint.h>

#define WBEMU_ABI_VERSION 2
#define WBEMU_HIDDEN __attribute__((visibility("hidden")))
#define WBEMU_EXPORT __attribute__((visibility("default")))

/* The dynamic shared memory buffer: the most sm_90 allows, plus a canary tail. */
#define WBEMU_MAX_DYNAMIC_SHARED (227 * 1024)
#define WBEMU_SHARED_CANARY 1024

#ifdef __cplusplus
extern "C" {
#endif

struct wbemu_dim3 { unsigned x, y, z; };

/* The calls of barrier-holding functions a thread is inside (see wbemu::CallSiteGuard):
 * a hash of their call sites, and the innermost one. */
struct wbemu_call_path {
    uint64_t hash;
    const char* file;
    int line;
    int column;
};

/* What kernel code reads about the CUDA thread running now (threadIdx and friends). */
struct wbemu_thread {
    struct wbemu_dim3 idx;
    unsigned lane;
    unsigned warp;
    unsigned rank;
    struct wbemu_call_path call;
};

enum wbemu_barrier_kind { WBEMU_SYNC, WBEMU_SYNC_COUNT, WBEMU_SYNC_AND, WBEMU_SYNC_OR };

enum wbemu_warp_kind {
    WBEMU_SHFL_IDX, WBEMU_SHFL_UP, WBEMU_SHFL_DOWN, WBEMU_SHFL_XOR,
    WBEMU_BALLOT, WBEMU_ANY, WBEMU_ALL, WBEMU_SYNCWARP,
    WBEMU_MATCH_ANY, WBEMU_MATCH_ALL,
    WBEMU_REDUCE_ADD, WBEMU_REDUCE_MIN, WBEMU_REDUCE_MAX,
    WBEMU_REDUCE_AND, WBEMU_REDUCE_OR, WBEMU_REDUCE_XOR
};

/* One lane's part in a warp-wide operation; `value` holds the operand's bytes. */
struct wbemu_warp_request {
    int kind;
    unsigned mask;
    uint64_t value;
    int lane_arg;   /* source lane, delta or lane mask of a shuffle */
    int width;
    int is_signed;  /* for __reduce_min/max_sync */
    const char* file;
    int line;
    int column;
};

enum wbemu_fault_kind { WBEMU_FAULT_ASSERT, WBEMU_FAULT_TRAP };

/* Diagnostic kinds; Python maps each to an exception or warning class. */
enum wbemu_diagnostic_kind {
    WBEMU_DIAG_BARRIER_DIVERGENCE = 1,
    WBEMU_DIAG_DEADLOCK,
    WBEMU_DIAG_WARP_MISMATCH,
    WBEMU_DIAG_OUT_OF_BOUNDS,
    WBEMU_DIAG_SHARED_OVERFLOW,
    WBEMU_DIAG_ASSERT,
    WBEMU_DIAG_TRAP,
    WBEMU_DIAG_WATCHDOG,
    WBEMU_DIAG_MEMORY_FAULT,
    WBEMU_DIAG_EXIT_BEFORE_BARRIER,
    WBEMU_DIAG_INTERNAL,
    WBEMU_DIAG_ARITHMETIC,
    WBEMU_DIAG_INTERRUPT,
    WBEMU_DIAG_TIME_LIMIT
};

enum wbemu_access { WBEMU_ACCESS_UNKNOWN, WBEMU_ACCESS_READ, WBEMU_ACCESS_WRITE };

enum wbemu_severity { WBEMU_WARNING, WBEMU_ERROR };

struct wbemu_diagnostic {
    int kind;
    int severity;
    struct wbemu_dim3 block;
    struct wbemu_dim3 thread;
    struct wbemu_dim3 other_thread;
    int has_thread;
    int has_other_thread;
    const char* file;
    int line;
    const char* other_file;
    int other_line;
    int buffer;          /* index into the launch's redzone buffers or shared guards, or -1 */
    long long offset;    /* redzone hit: byte offset, negative = before the start;
                            shared guard hit: offset in the TLS block */
    uint64_t pc;         /* program counter of a fault, overwrite or stop, or 0 */
    uint64_t address;    /* faulting or overwritten data address, or 0 */
    int access;          /* enum wbemu_access of a memory fault */
    char message[512];
};

/* A canary region that must still hold `expected` after every block. */
struct wbemu_redzone {
    const unsigned char* start;
    const unsigned char* expected;
    size_t size;
    int buffer;
    int after;           /* 0: in front of the data, 1: behind it */
};

/* Address range [start, end) of the launch's array argument number `buffer`. */
struct wbemu_range { uint64_t start; uint64_t end; };

/* Byte range [offset, offset + size) of the module's TLS block: __shared__ arrays to poison
 * at each block start, or the guards around them that must keep their canary; offsets are
 * those of the TLS symbols in the symbol table. */
struct wbemu_tls_range { uint64_t offset; uint64_t size; };

enum wbemu_order { WBEMU_ORDER_FORWARD, WBEMU_ORDER_REVERSE, WBEMU_ORDER_RANDOM };

struct wbemu_launch_config {
    void (*thunk)(void**);
    void** args;
    struct wbemu_dim3 grid;
    struct wbemu_dim3 block;
    uint64_t dynamic_shared;
    int thread_order;
    int block_order;
    uint64_t thread_seed;
    uint64_t block_seed;
    int poison;
    double watchdog_seconds;        /* 0: off */
    double time_limit_seconds;      /* 0: off */
    unsigned char* stacks;          /* stack_count slots of stack_stride bytes, guard page first */
    uint64_t stack_stride;
    unsigned stack_count;
    unsigned char* signal_stack;
    uint64_t signal_stack_size;
    const struct wbemu_redzone* redzones;
    unsigned redzone_count;
    const struct wbemu_range* buffers;
    unsigned buffer_count;
    const struct wbemu_tls_range* tls_ranges;
    unsigned tls_range_count;
    uint64_t tls_anchor_offset;     /* offset of the runtime's anchor variable in the TLS block */
    const struct wbemu_tls_range* tls_guards;  /* TLS bytes outside every __shared__ array */
    unsigned tls_guard_count;
};

struct wbemu_launch_result {
    int failed;
    unsigned diagnostic_count;
    unsigned dropped_diagnostics;
    uint64_t float_atomic_buffers;  /* bit i: float atomics hit array argument i */
    int float_atomics_elsewhere;    /* float atomics on shared or global symbols */
    uint64_t blocks_run;
    uint64_t fiber_switches;
    int interrupted;                /* SIGINT stopped the launch */
};

/* One exported kernel: generated at the end of every compiled module. */
struct wbemu_kernel {
    const char* name;
    const char* signature;   /* parameter C types separated by ';' */
    void (*thunk)(void**);
    const void* address;
};

struct wbemu_abi_info {
    unsigned version;
    unsigned sizeof_launch_config;
    unsigned sizeof_launch_result;
    unsigned sizeof_diagnostic;
    unsigned sizeof_kernel;
};

/* Called by kernel code through the prelude. */
extern WBEMU_HIDDEN struct wbemu_thread* wbemu_current;
extern WBEMU_HIDDEN struct wbemu_dim3 wbemu_block_idx;
extern WBEMU_HIDDEN struct wbemu_dim3 wbemu_block_dim;
extern WBEMU_HIDDEN struct wbemu_dim3 wbemu_grid_dim;
extern WBEMU_HIDDEN unsigned char wbemu_dynamic_shared[];

WBEMU_HIDDEN unsigned wbemu_barrier(int kind, int predicate, const char* file, int line, int column);
WBEMU_HIDDEN uint64_t wbemu_warp_op(const struct wbemu_warp_request* request);
WBEMU_HIDDEN unsigned wbemu_active_mask(void);
WBEMU_HIDDEN __attribute__((noreturn)) void wbemu_device_fault(int kind, const char* what,
                                                               const char* file, int line);
WBEMU_HIDDEN void wbemu_note_float_atomic(const void* address);
WBEMU_HIDDEN int wbemu_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* Called by Python. */
WBEMU_EXPORT int wbemu_launch(const struct wbemu_launch_config* config,
                              struct wbemu_launch_result* result);
WBEMU_EXPORT const struct wbemu_diagnostic* wbemu_diagnostics(void);
WBEMU_EXPORT const struct wbemu_kernel* wbemu_kernel_table(unsigned* count);
WBEMU_EXPORT struct wbemu_abi_info wbemu_abi(void);
WBEMU_EXPORT uint64_t wbemu_module_base(void);

#ifdef __cplusplus
}
#endif

#endif
