/* CUDA's device math functions and intrinsics that the C++ library lacks. Fast-math
 * intrinsics (__expf, __fdividef...) are computed at full precision: results may differ
 * from a GPU's by a few ulps, so compare with tolerances. */
#ifndef WBEMU_INTRINSICS_H
#define WBEMU_INTRINSICS_H

/* glibc declares __expf and friends itself, so these must be macros, not functions. */
#define __expf(x) ::expf(x)
#define __exp10f(x) ::exp10f(x)
#define __logf(x) ::logf(x)
#define __log2f(x) ::log2f(x)
#define __log10f(x) ::log10f(x)
#define __sinf(x) ::sinf(x)
#define __cosf(x) ::cosf(x)
#define __tanf(x) ::tanf(x)
#define __tanhf(x) ::tanhf(x)
#define __powf(x, y) ::powf(x, y)
#define __sincosf(x, s, c) ::sincosf(x, s, c)

inline float __fdividef(float a, float b) { return a / b; }
inline float fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x >= 1.0f ? 1.0f : (x > 0.0f ? x : 0.0f); }
inline float rsqrtf(float x) { return 1.0f / ::sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / ::sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / ::cbrtf(x); }
inline double rcbrt(double x) { return 1.0 / ::cbrt(x); }
inline double sinpi(double x) { return ::sin(M_PI * x); }
inline double cospi(double x) { return ::cos(M_PI * x); }
inline float sinpif(float x) { return static_cast<float>(sinpi(x)); }
inline float cospif(float x) { return static_cast<float>(cospi(x)); }
inline void sincospif(float x, float* s, float* c) { *s = sinpif(x); *c = cospif(x); }
inline void sincospi(double x, double* s, double* c) { *s = sinpi(x); *c = cospi(x); }
inline double normcdf(double x) { return 0.5 * ::erfc(-x * M_SQRT1_2); }
inline float normcdff(float x) { return static_cast<float>(normcdf(x)); }

/* Inverse error function: a rough start refined by Newton steps on erf. */
inline double erfinv(double y) {
    if (y <= -1.0) return y == -1.0 ? -HUGE_VAL : NAN;
    if (y >= 1.0) return y == 1.0 ? HUGE_VAL : NAN;
    const double w = -::log((1.0 - y) * (1.0 + y));
    double x = ::copysign(::sqrt(::sqrt(w * w / 4.0 + 4.0 * w / M_PI) - w / 2.0 - 2.0 / M_PI), y);
    for (int i = 0; i < 4; ++i) x -= (::erf(x) - y) / (2.0 / ::sqrt(M_PI) * ::exp(-x * x));
    return x;
}
inline double erfcinv(double y) { return erfinv(1.0 - y); }
inline float erfinvf(float y) { return static_cast<float>(erfinv(y)); }
inline float erfcinvf(float y) { return static_cast<float>(erfcinv(y)); }
inline double normcdfinv(double p) { return -M_SQRT2 * erfcinv(2.0 * p); }
inline float normcdfinvf(float p) { return static_cast<float>(normcdfinv(p)); }

/* Round-to-nearest arithmetic: the default mode, and g++ does not contract a*b+c unless
 * told to, so these are the plain operations. */
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fsqrt_rn(float a) { return ::sqrtf(a); }
inline float __frsqrt_rn(float a) { return 1.0f / ::sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return ::fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __drcp_rn(double a) { return 1.0 / a; }
inline double __dsqrt_rn(double a) { return ::sqrt(a); }
inline double __fma_rn(double a, double b, double c) { return ::fma(a, b, c); }

namespace wbemu {

/* GPU conversions saturate and map NaN to 0 where C++ has undefined behaviour. */
template <class I, class F>
inline I saturating_cast(F x) {
    if (x != x) return 0;
    if (x <= static_cast<F>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
    if (x >= static_cast<F>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
    return static_cast<I>(x);
}

template <class To, class From>
inline To bit_cast(const From& from) {
    static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
    To to;
    std::memcpy(&to, &from, sizeof(To));
    return to;
}

}  // namespace wbemu

#define WBEMU_CONVERSIONS(prefix, F, suffix, I)                                                         \
    inline I prefix##2##suffix##_rn(F x) { return wbemu::saturating_cast<I>(std::nearbyint(x)); } \
    inline I prefix##2##suffix##_rz(F x) { return wbemu::saturating_cast<I>(std::trunc(x)); }     \
    inline I prefix##2##suffix##_ru(F x) { return wbemu::saturating_cast<I>(std::ceil(x)); }      \
    inline I prefix##2##suffix##_rd(F x) { return wbemu::saturating_cast<I>(std::floor(x)); }
WBEMU_CONVERSIONS(__float, float, int, int)
WBEMU_CONVERSIONS(__float, float, uint, unsigned int)
WBEMU_CONVERSIONS(__float, float, ll, long long)
WBEMU_CONVERSIONS(__float, float, ull, unsigned long long)
WBEMU_CONVERSIONS(__double, double, int, int)
WBEMU_CONVERSIONS(__double, double, uint, unsigned int)
WBEMU_CONVERSIONS(__double, double, ll, long long)
WBEMU_CONVERSIONS(__double, double, ull, unsigned long long)
#undef WBEMU_CONVERSIONS

inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline float __uint2float_rn(unsigned int x) { return static_cast<float>(x); }
inline float __ll2float_rn(long long x) { return static_cast<float>(x); }
inline float __ull2float_rn(unsigned long long x) { return static_cast<float>(x); }
inline double __int2double_rn(int x) { return x; }
inline double __uint2double_rn(unsigned int x) { return x; }
inline double __ll2double_rn(long long x) { return static_cast<double>(x); }
inline double __ull2double_rn(unsigned long long x) { return static_cast<double>(x); }
inline float __double2float_rn(double x) { return static_cast<float>(x); }

inline int __float_as_int(float x) { return wbemu::bit_cast<int>(x); }
inline unsigned int __float_as_uint(float x) { return wbemu::bit_cast<unsigned int>(x); }
inline float __int_as_float(int x) { return wbemu::bit_cast<float>(x); }
inline float __uint_as_float(unsigned int x) { return wbemu::bit_cast<float>(x); }
inline long long __double_as_longlong(double x) { return wbemu::bit_cast<long long>(x); }
inline double __longlong_as_double(long long x) { return wbemu::bit_cast<double>(x); }
inline int __double2hiint(double x) { return static_cast<int>(wbemu::bit_cast<unsigned long long>(x) >> 32); }
inline int __double2loint(double x) { return static_cast<int>(wbemu::bit_cast<unsigned long long>(x)); }
inline double __hiloint2double(int hi, int lo) {
    return wbemu::bit_cast<double>(static_cast<unsigned long long>(static_cast<unsigned>(hi)) << 32 |
                                   static_cast<unsigned>(lo));
}

inline int __popc(unsigned int x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x ? __builtin_clz(static_cast<unsigned>(x)) : 32; }
inline int __clzll(long long x) { return x ? __builtin_clzll(static_cast<unsigned long long>(x)) : 64; }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned int __brev(unsigned int x) {
    unsigned int r = 0;
    for (int i = 0; i < 32; ++i, x >>= 1) r = r << 1 | (x & 1u);
    return r;
}
inline unsigned long long __brevll(unsigned long long x) {
    return static_cast<unsigned long long>(__brev(static_cast<unsigned>(x))) << 32 | __brev(static_cast<unsigned>(x >> 32));
}
inline unsigned int __byte_perm(unsigned int x, unsigned int y, unsigned int s) {
    const unsigned long long bytes = static_cast<unsigned long long>(y) << 32 | x;
    unsigned int r = 0;
    for (int i = 0; i < 4; ++i) r |= static_cast<unsigned>(bytes >> ((s >> (4 * i) & 7u) * 8) & 0xFFu) << (8 * i);
    return r;
}
inline unsigned int __funnelshift_l(unsigned int lo, unsigned int hi, unsigned int shift) {
    return static_cast<unsigned>((static_cast<unsigned long long>(hi) << 32 | lo) << (shift & 31u) >> 32);
}
inline unsigned int __funnelshift_lc(unsigned int lo, unsigned int hi, unsigned int shift) {
    return static_cast<unsigned>((static_cast<unsigned long long>(hi) << 32 | lo) << (shift < 32 ? shift : 32) >> 32);
}
inline unsigned int __funnelshift_r(unsigned int lo, unsigned int hi, unsigned int shift) {
    return static_cast<unsigned>((static_cast<unsigned long long>(hi) << 32 | lo) >> (shift & 31u));
}
inline unsigned int __funnelshift_rc(unsigned int lo, unsigned int hi, unsigned int shift) {
    return static_cast<unsigned>((static_cast<unsigned long long>(hi) << 32 | lo) >> (shift < 32 ? shift : 32));
}

inline int __mul24(int x, int y) { return (x << 8 >> 8) * (y << 8 >> 8); }
inline unsigned int __umul24(unsigned int x, unsigned int y) { return (x & 0xFFFFFFu) * (y & 0xFFFFFFu); }
inline int __mulhi(int x, int y) { return static_cast<int>(static_cast<long long>(x) * y >> 32); }
inline unsigned int __umulhi(unsigned int x, unsigned int y) {
    return static_cast<unsigned>(static_cast<unsigned long long>(x) * y >> 32);
}
inline long long __mul64hi(long long x, long long y) { return static_cast<long long>(static_cast<__int128>(x) * y >> 64); }
inline unsigned long long __umul64hi(unsigned long long x, unsigned long long y) {
    return static_cast<unsigned long long>(static_cast<unsigned __int128>(x) * y >> 64);
}
inline unsigned int __sad(int x, int y, unsigned int z) { return (x > y ? x - y : y - x) + z; }
inline unsigned int __usad(unsigned int x, unsigned int y, unsigned int z) { return (x > y ? x - y : y - x) + z; }
inline int __hadd(int x, int y) { return static_cast<int>((static_cast<long long>(x) + y) >> 1); }
inline int __rhadd(int x, int y) { return static_cast<int>((static_cast<long long>(x) + y + 1) >> 1); }
inline unsigned int __uhadd(unsigned int x, unsigned int y) { return static_cast<unsigned>((static_cast<unsigned long long>(x) + y) >> 1); }
inline unsigned int __urhadd(unsigned int x, unsigned int y) {
    return static_cast<unsigned>((static_cast<unsigned long long>(x) + y + 1) >> 1);
}
inline int __dp4a(int a, int b, int c) {
    for (int i = 0; i < 4; ++i) c += static_cast<signed char>(a >> (8 * i)) * static_cast<signed char>(b >> (8 * i));
    return c;
}
inline unsigned int __dp4a(unsigned int a, unsigned int b, unsigned int c) {
    for (int i = 0; i < 4; ++i) c += (a >> (8 * i) & 0xFFu) * (b >> (8 * i) & 0xFFu);
    return c;
}

/* CUDA's min/max overload set, mixed signedness included (the unsigned type wins). */
#define WBEMU_MIN_MAX(A, B, R)                                                               \
    inline R min(A a, B b) { return static_cast<R>(a) < static_cast<R>(b) ? static_cast<R>(a) : static_cast<R>(b); } \
    inline R max(A a, B b) { return static_cast<R>(a) > static_cast<R>(b) ? static_cast<R>(a) : static_cast<R>(b); }
WBEMU_MIN_MAX(int, int, int)
WBEMU_MIN_MAX(unsigned int, unsigned int, unsigned int)
WBEMU_MIN_MAX(int, unsigned int, unsigned int)
WBEMU_MIN_MAX(unsigned int, int, unsigned int)
WBEMU_MIN_MAX(long, long, long)
WBEMU_MIN_MAX(unsigned long, unsigned long, unsigned long)
WBEMU_MIN_MAX(long, unsigned long, unsigned long)
WBEMU_MIN_MAX(unsigned long, long, unsigned long)
WBEMU_MIN_MAX(long long, long long, long long)
WBEMU_MIN_MAX(unsigned long long, unsigned long long, unsigned long long)
WBEMU_MIN_MAX(long long, unsigned long long, unsigned long long)
WBEMU_MIN_MAX(unsigned long long, long long, unsigned long long)
#undef WBEMU_MIN_MAX
inline float min(float a, float b) { return ::fminf(a, b); }
inline float max(float a, float b) { return ::fmaxf(a, b); }
inline double min(double a, double b) { return ::fmin(a, b); }
inline double max(double a, double b) { return ::fmax(a, b); }
inline double min(float a, double b) { return ::fmin(a, b); }
inline double max(float a, double b) { return ::fmax(a, b); }
inline double min(double a, float b) { return ::fmin(a, b); }
inline double max(double a, float b) { return ::fmax(a, b); }
inline unsigned int umin(unsigned int a, unsigned int b) { return min(a, b); }
inline unsigned int umax(unsigned int a, unsigned int b) { return max(a, b); }
inline long long llmin(long long a, long long b) { return min(a, b); }
inline long long llmax(long long a, long long b) { return max(a, b); }
inline unsigned long long ullmin(unsigned long long a, unsigned long long b) { return min(a, b); }
inline unsigned long long ullmax(unsigned long long a, unsigned long long b) { return max(a, b); }

/* Cache-hinted loads and stores: plain memory accesses here. */
template <class T> inline T __ldg(const T* p) { return *p; }
template <class T> inline T __ldcg(const T* p) { return *p; }
template <class T> inline T __ldca(const T* p) { return *p; }
template <class T> inline T __ldcs(const T* p) { return *p; }
template <class T> inline T __ldlu(const T* p) { return *p; }
template <class T> inline T __ldcv(const T* p) { return *p; }
template <class T> inline void __stwb(T* p, T v) { *p = v; }
template <class T> inline void __stcg(T* p, T v) { *p = v; }
template <class T> inline void __stcs(T* p, T v) { *p = v; }
template <class T> inline void __stwt(T* p, T v) { *p = v; }

#endif
