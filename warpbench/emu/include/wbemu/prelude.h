/* Force-included (g++ -include) in front of every kernel source the emulator compiles.
 *
 * Standard and toolkit headers come first: the CUDA keyword macros defined afterwards
 * (notably __shared__) would break them. Does not define __CUDA_ARCH__, so GPU-only paths
 * guarded by it fall back to their portable versions.
 */
#ifndef WBEMU_PRELUDE_H
#define WBEMU_PRELUDE_H

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <math.h>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#if !defined(WBEMU_NO_TOOLKIT) && __has_include(<cuda_fp16.h>)
#include <cuda_fp16.h>
#define WBEMU_HAVE_TOOLKIT 1
#if __has_include(<cuda_bf16.h>)
#include <cuda_bf16.h>
#define WBEMU_HAVE_BF16 1
#endif
#else
#include "wbemu/vector_types.h"
#endif

#include "wbemu/abi.h"
#include "wbemu/keywords.h"
#include "wbemu/builtin_vars.h"
#include "wbemu/sync.h"
#include "wbemu/warp.h"
#include "wbemu/atomics.h"
#include "wbemu/intrinsics.h"
#include "wbemu/device_printf.h"
#include "wbemu/kernel_table.h"

#endif
