/* Warp shuffles, votes, __syncwarp, match and reduce: each is a rendezvous of the lanes in
 * its mask, resolved by the runtime with CUDA's lane rules. Operands of up to 8 bytes travel
 * as bit patterns, so any trivially copyable type (int, float, double, __half...) works. */
#ifndef WBEMU_WARP_H
#define WBEMU_WARP_H

namespace wbemu {

template <class T>
inline std::uint64_t to_bits(const T& value) {
    static_assert(sizeof(T) <= 8, "warp operations move at most 8 bytes per lane");
    std::uint64_t bits = 0;
    std::memcpy(&bits, static_cast<const void*>(&value), sizeof(T));
    return bits;
}

template <class T>
inline T from_bits(std::uint64_t bits) {
    alignas(T) unsigned char storage[sizeof(T)];
    std::memcpy(storage, &bits, sizeof(T));
    return *reinterpret_cast<T*>(storage);
}

inline std::uint64_t warp_call(int kind, unsigned mask, std::uint64_t value, int lane_arg, int width,
                               int is_signed, const char* file, int line, int column) {
    const wbemu_warp_request request{kind, mask, value, lane_arg, width, is_signed, file, line, column};
    return wbemu_warp_op(&request);
}

}  // namespace wbemu

template <class T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize, WBEMU_CALL_SITE) {
    return wbemu::from_bits<T>(
        wbemu::warp_call(WBEMU_SHFL_IDX, mask, wbemu::to_bits(var), srcLane, width, 0, WBEMU_SITE));
}

template <class T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, WBEMU_CALL_SITE) {
    return wbemu::from_bits<T>(wbemu::warp_call(WBEMU_SHFL_UP, mask, wbemu::to_bits(var),
                                                static_cast<int>(delta), width, 0, WBEMU_SITE));
}

template <class T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, WBEMU_CALL_SITE) {
    return wbemu::from_bits<T>(wbemu::warp_call(WBEMU_SHFL_DOWN, mask, wbemu::to_bits(var),
                                                static_cast<int>(delta), width, 0, WBEMU_SITE));
}

template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize, WBEMU_CALL_SITE) {
    return wbemu::from_bits<T>(
        wbemu::warp_call(WBEMU_SHFL_XOR, mask, wbemu::to_bits(var), laneMask, width, 0, WBEMU_SITE));
}

inline unsigned __ballot_sync(unsigned mask, int predicate, WBEMU_CALL_SITE) {
    return static_cast<unsigned>(wbemu::warp_call(WBEMU_BALLOT, mask, predicate != 0, 0, 32, 0, WBEMU_SITE));
}

inline int __any_sync(unsigned mask, int predicate, WBEMU_CALL_SITE) {
    return static_cast<int>(wbemu::warp_call(WBEMU_ANY, mask, predicate != 0, 0, 32, 0, WBEMU_SITE));
}

inline int __all_sync(unsigned mask, int predicate, WBEMU_CALL_SITE) {
    return static_cast<int>(wbemu::warp_call(WBEMU_ALL, mask, predicate != 0, 0, 32, 0, WBEMU_SITE));
}

inline void __syncwarp(unsigned mask = 0xffffffffu, WBEMU_CALL_SITE) {
    wbemu::warp_call(WBEMU_SYNCWARP, mask, 0, 0, 32, 0, WBEMU_SITE);
}

template <class T>
inline unsigned __match_any_sync(unsigned mask, T value, WBEMU_CALL_SITE) {
    return static_cast<unsigned>(
        wbemu::warp_call(WBEMU_MATCH_ANY, mask, wbemu::to_bits(value), 0, 32, 0, WBEMU_SITE));
}

template <class T>
inline unsigned __match_all_sync(unsigned mask, T value, int* pred, WBEMU_CALL_SITE) {
    const std::uint64_t r = wbemu::warp_call(WBEMU_MATCH_ALL, mask, wbemu::to_bits(value), 0, 32, 0, WBEMU_SITE);
    *pred = static_cast<int>(r >> 32 & 1u);
    return static_cast<unsigned>(r);
}

#define WBEMU_WARP_REDUCE(name, kind, type, is_signed)                                          \
    inline type name(unsigned mask, type value, WBEMU_CALL_SITE) {                              \
        return static_cast<type>(wbemu::warp_call(kind, mask, static_cast<std::uint32_t>(value), \
                                                  0, 32, is_signed, WBEMU_SITE));                \
    }
WBEMU_WARP_REDUCE(__reduce_add_sync, WBEMU_REDUCE_ADD, unsigned, 0)
WBEMU_WARP_REDUCE(__reduce_add_sync, WBEMU_REDUCE_ADD, int, 1)
WBEMU_WARP_REDUCE(__reduce_min_sync, WBEMU_REDUCE_MIN, unsigned, 0)
WBEMU_WARP_REDUCE(__reduce_min_sync, WBEMU_REDUCE_MIN, int, 1)
WBEMU_WARP_REDUCE(__reduce_max_sync, WBEMU_REDUCE_MAX, unsigned, 0)
WBEMU_WARP_REDUCE(__reduce_max_sync, WBEMU_REDUCE_MAX, int, 1)
WBEMU_WARP_REDUCE(__reduce_and_sync, WBEMU_REDUCE_AND, unsigned, 0)
WBEMU_WARP_REDUCE(__reduce_or_sync, WBEMU_REDUCE_OR, unsigned, 0)
WBEMU_WARP_REDUCE(__reduce_xor_sync, WBEMU_REDUCE_XOR, unsigned, 0)
#undef WBEMU_WARP_REDUCE

/* Approximation: the lanes of the warp that had not exited when the current barrier
 * interval began (deterministic under every schedule; see the emulator's docs). */
inline unsigned __activemask() { return wbemu_active_mask(); }

#endif
