/* CUDA declaration keywords for a host compiler. The toolkit's host_defines.h may have
 * defined some of them already; every one is redefined here. */
#ifndef WBEMU_KEYWORDS_H
#define WBEMU_KEYWORDS_H

#undef __global__
#undef __device__
#undef __host__
#undef __constant__
#undef __managed__
#undef __shared__
#undef __forceinline__
#undef __launch_bounds__
#undef __grid_constant__
#undef __align__
#undef __maxnreg__

#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
/* One instance per OS thread, i.e. per block being run; all such variables of a module sit
 * in its TLS block, which the runtime poisons at every block start. */
#define __shared__ static thread_local
/* Canary bytes the source rewrite declares before and after every static __shared__
 * declaration: the runtime fills them at each block start and reports a block that
 * overwrote them (an array indexed past its end) instead of letting it corrupt memory. */
#define WBEMU_SHARED_PAD_BYTES 64
#define WBEMU_SHARED_PAD_NAMED(n) \
    static thread_local unsigned char wbemu_shared_pad_##n[WBEMU_SHARED_PAD_BYTES] __attribute__((used));
#define WBEMU_SHARED_PAD_EXPANDED(n) WBEMU_SHARED_PAD_NAMED(n)
#define WBEMU_SHARED_PAD WBEMU_SHARED_PAD_EXPANDED(__COUNTER__)
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __grid_constant__
#define __align__(n) __attribute__((aligned(n)))
#define __maxnreg__(n)

#ifndef __device_builtin__
#define __device_builtin__
#endif
#ifndef __builtin_align__
#define __builtin_align__(a) __align__(a)
#endif

/* __noinline__ is rewritten in kernel sources instead: libstdc++ spells
 * __attribute__((__noinline__)), which a macro would break. */

#define __CUDACC__ 1
#ifndef __WARPBENCH_EMU__
#define __WARPBENCH_EMU__ 1
#endif
#ifdef CUDART_VERSION
#define __CUDACC_VER_MAJOR__ (CUDART_VERSION / 1000)
#define __CUDACC_VER_MINOR__ (CUDART_VERSION % 1000 / 10)
#else
#define __CUDACC_VER_MAJOR__ 12
#define __CUDACC_VER_MINOR__ 0
#endif
#define __CUDACC_VER_BUILD__ 0

#endif
