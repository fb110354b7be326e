/* Atomic functions on global and shared memory. A launch runs on one OS thread, but
 * concurrent launches elsewhere may touch the same arrays, so these are real atomics.
 * Float additions are reported to the runtime: their result depends on the order of the
 * threads, which the determinism checker must tolerate. */
#ifndef WBEMU_ATOMICS_H
#define WBEMU_ATOMICS_H

namespace wbemu {

template <unsigned Size> struct bits_of;
template <> struct bits_of<2> { using type = std::uint16_t; };
template <> struct bits_of<4> { using type = std::uint32_t; };
template <> struct bits_of<8> { using type = std::uint64_t; };

/* Compare-and-swap loop on the bit pattern: returns the old value, stores update(old). */
template <class T, class F>
inline T atomic_update(T* address, F update) {
    using Bits = typename bits_of<sizeof(T)>::type;
    Bits* word = reinterpret_cast<Bits*>(address);
    Bits expected = __atomic_load_n(word, __ATOMIC_RELAXED);
    for (;;) {
        T old;
        std::memcpy(static_cast<void*>(&old), &expected, sizeof(T));
        const T desired = update(old);
        Bits desired_bits;
        std::memcpy(&desired_bits, static_cast<const void*>(&desired), sizeof(T));
        if (__atomic_compare_exchange_n(word, &expected, desired_bits, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return old;
    }
}

}  // namespace wbemu

#define WBEMU_FETCH_OP(name, builtin, type) \
    inline type name(type* address, type value) { return builtin(address, value, __ATOMIC_RELAXED); }

WBEMU_FETCH_OP(atomicAdd, __atomic_fetch_add, int)
WBEMU_FETCH_OP(atomicAdd, __atomic_fetch_add, unsigned int)
WBEMU_FETCH_OP(atomicAdd, __atomic_fetch_add, unsigned long long)
WBEMU_FETCH_OP(atomicSub, __atomic_fetch_sub, int)
WBEMU_FETCH_OP(atomicSub, __atomic_fetch_sub, unsigned int)
WBEMU_FETCH_OP(atomicExch, __atomic_exchange_n, int)
WBEMU_FETCH_OP(atomicExch, __atomic_exchange_n, unsigned int)
WBEMU_FETCH_OP(atomicExch, __atomic_exchange_n, unsigned long long)
WBEMU_FETCH_OP(atomicAnd, __atomic_fetch_and, int)
WBEMU_FETCH_OP(atomicAnd, __atomic_fetch_and, unsigned int)
WBEMU_FETCH_OP(atomicAnd, __atomic_fetch_and, unsigned long long)
WBEMU_FETCH_OP(atomicOr, __atomic_fetch_or, int)
WBEMU_FETCH_OP(atomicOr, __atomic_fetch_or, unsigned int)
WBEMU_FETCH_OP(atomicOr, __atomic_fetch_or, unsigned long long)
WBEMU_FETCH_OP(atomicXor, __atomic_fetch_xor, int)
WBEMU_FETCH_OP(atomicXor, __atomic_fetch_xor, unsigned int)
WBEMU_FETCH_OP(atomicXor, __atomic_fetch_xor, unsigned long long)
#undef WBEMU_FETCH_OP

#define WBEMU_MIN_MAX(type)                                                                  \
    inline type atomicMin(type* address, type value) {                                       \
        return wbemu::atomic_update(address, [value](type old) { return value < old ? value : old; }); \
    }                                                                                        \
    inline type atomicMax(type* address, type value) {                                       \
        return wbemu::atomic_update(address, [value](type old) { return value > old ? value : old; }); \
    }
WBEMU_MIN_MAX(int)
WBEMU_MIN_MAX(unsigned int)
WBEMU_MIN_MAX(long long)
WBEMU_MIN_MAX(unsigned long long)
#undef WBEMU_MIN_MAX

inline float atomicAdd(float* address, float value) {
    wbemu_note_float_atomic(address);
    return wbemu::atomic_update(address, [value](float old) { return old + value; });
}

/* A template so that the CUDA guide's own atomicAdd(double*, double) for sm_5x, which
 * kernels define under #if __CUDA_ARCH__ < 600 (true here), takes precedence instead of
 * clashing with this one. */
template <class = void>
inline double atomicAdd(double* address, double value) {
    wbemu_note_float_atomic(address);
    return wbemu::atomic_update(address, [value](double old) { return old + value; });
}

inline float atomicExch(float* address, float value) {
    return wbemu::atomic_update(address, [value](float) { return value; });
}

inline unsigned int atomicInc(unsigned int* address, unsigned int limit) {
    return wbemu::atomic_update(address, [limit](unsigned old) { return old >= limit ? 0u : old + 1u; });
}

inline unsigned int atomicDec(unsigned int* address, unsigned int limit) {
    return wbemu::atomic_update(address,
                                [limit](unsigned old) { return (old == 0 || old > limit) ? limit : old - 1u; });
}

#define WBEMU_CAS(type)                                                                           \
    inline type atomicCAS(type* address, type compare, type value) {                              \
        __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED); \
        return compare;                                                                           \
    }
WBEMU_CAS(int)
WBEMU_CAS(unsigned int)
WBEMU_CAS(unsigned long long)
WBEMU_CAS(unsigned short)
#undef WBEMU_CAS

#ifdef WBEMU_HAVE_TOOLKIT
inline __half atomicAdd(__half* address, __half value) {
    wbemu_note_float_atomic(address);
    return wbemu::atomic_update(address, [value](__half old) { return __hadd(old, value); });
}

inline __half2 atomicAdd(__half2* address, __half2 value) {
    wbemu_note_float_atomic(address);
    return wbemu::atomic_update(address, [value](__half2 old) { return __hadd2(old, value); });
}
#endif

/* Block- and system-scoped variants behave alike when blocks run one after another. */
#define WBEMU_SCOPED(name)                                                                      \
    template <class P, class... A>                                                              \
    inline auto name##_block(P* address, A... values) -> decltype(name(address, values...)) {   \
        return name(address, values...);                                                        \
    }                                                                                           \
    template <class P, class... A>                                                              \
    inline auto name##_system(P* address, A... values) -> decltype(name(address, values...)) {  \
        return name(address, values...);                                                        \
    }
WBEMU_SCOPED(atomicAdd)
WBEMU_SCOPED(atomicSub)
WBEMU_SCOPED(atomicExch)
WBEMU_SCOPED(atomicMin)
WBEMU_SCOPED(atomicMax)
WBEMU_SCOPED(atomicInc)
WBEMU_SCOPED(atomicDec)
WBEMU_SCOPED(atomicCAS)
WBEMU_SCOPED(atomicAnd)
WBEMU_SCOPED(atomicOr)
WBEMU_SCOPED(atomicXor)
#undef WBEMU_SCOPED

#endif
