/* threadIdx, blockIdx, blockDim, gridDim and warpSize. The runtime points wbemu_current at
 * the fiber it runs; the macros yield values, so kernels cannot assign to them, and a read
 * of one component compiles to a single load. */
#ifndef WBEMU_BUILTIN_VARS_H
#define WBEMU_BUILTIN_VARS_H

namespace wbemu {
inline uint3 as_uint3(const wbemu_dim3& d) { return uint3{d.x, d.y, d.z}; }
inline dim3 as_dim3(const wbemu_dim3& d) { return dim3(d.x, d.y, d.z); }
}  // namespace wbemu

#define threadIdx (wbemu::as_uint3(wbemu_current->idx))
#define blockIdx (wbemu::as_uint3(wbemu_block_idx))
#define blockDim (wbemu::as_dim3(wbemu_block_dim))
#define gridDim (wbemu::as_dim3(wbemu_grid_dim))

constexpr int warpSize = 32;

/* Every emulator entry point takes its call site as defaulted arguments: GCC evaluates
 * __builtin_FILE/LINE/COLUMN at the caller, so diagnostics name the kernel's line even when
 * the call comes through a helper such as the cooperative-groups shim. */
#if __has_builtin(__builtin_COLUMN)
#define WBEMU_COLUMN() __builtin_COLUMN()
#else
#define WBEMU_COLUMN() 0
#endif
#define WBEMU_CALL_SITE                                                           \
    const char* wbemu_file = __builtin_FILE(), int wbemu_line = __builtin_LINE(), \
                int wbemu_column = WBEMU_COLUMN()
#define WBEMU_SITE wbemu_file, wbemu_line, wbemu_column

#endif
