/* cooperative_groups::reduce over a warp tile, with the plus/less/greater/bit_* operators. */
#ifndef WBEMU_COOPERATIVE_GROUPS_REDUCE_H
#define WBEMU_COOPERATIVE_GROUPS_REDUCE_H

#include <cooperative_groups.h>

namespace cooperative_groups {

template <class T> struct plus { T operator()(T a, T b) const { return a + b; } };
template <class T> struct less { T operator()(T a, T b) const { return b < a ? b : a; } };
template <class T> struct greater { T operator()(T a, T b) const { return a < b ? b : a; } };
template <class T> struct bit_and { T operator()(T a, T b) const { return a & b; } };
template <class T> struct bit_or { T operator()(T a, T b) const { return a | b; } };
template <class T> struct bit_xor { T operator()(T a, T b) const { return a ^ b; } };

/* Every thread of the tile gets the reduction of all its threads' values. */
template <unsigned Size, class T, class Op>
T reduce(const thread_block_tile<Size>& tile, T value, Op op, WBEMU_CALL_SITE) {
    for (unsigned offset = Size / 2; offset > 0; offset /= 2)
        value = op(value, tile.shfl_xor(value, offset, WBEMU_SITE));
    return value;
}

}  // namespace cooperative_groups

#endif
