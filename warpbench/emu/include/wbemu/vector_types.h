/* CUDA's built-in vector types and make_* functions, used only when the CUDA toolkit's
 * headers are not installed. Plain aggregates with CUDA's alignments and no constructors,
 * so __shared__ arrays of them need no dynamic initialisation. */
#ifndef WBEMU_VECTOR_TYPES_H
#define WBEMU_VECTOR_TYPES_H

#define WBEMU_VECTOR_1(name, T, align)                                             \
    struct __attribute__((aligned(align))) name##1 { T x; };                        \
    inline name##1 make_##name##1(T x) { return name##1{x}; }
#define WBEMU_VECTOR_2(name, T, align)                                             \
    struct __attribute__((aligned(align))) name##2 { T x, y; };                     \
    inline name##2 make_##name##2(T x, T y) { return name##2{x, y}; }
#define WBEMU_VECTOR_3(name, T)                                                    \
    struct name##3 { T x, y, z; };                                                  \
    inline name##3 make_##name##3(T x, T y, T z) { return name##3{x, y, z}; }
#define WBEMU_VECTOR_4(name, T, align)                                             \
    struct __attribute__((aligned(align))) name##4 { T x, y, z, w; };               \
    inline name##4 make_##name##4(T x, T y, T z, T w) { return name##4{x, y, z, w}; }
#define WBEMU_VECTORS(name, T, a1, a2, a4) \
    WBEMU_VECTOR_1(name, T, a1) WBEMU_VECTOR_2(name, T, a2) WBEMU_VECTOR_3(name, T) WBEMU_VECTOR_4(name, T, a4)

WBEMU_VECTORS(char, signed char, 1, 2, 4)
WBEMU_VECTORS(uchar, unsigned char, 1, 2, 4)
WBEMU_VECTORS(short, short, 2, 4, 8)
WBEMU_VECTORS(ushort, unsigned short, 2, 4, 8)
WBEMU_VECTORS(int, int, 4, 8, 16)
WBEMU_VECTORS(uint, unsigned int, 4, 8, 16)
WBEMU_VECTORS(long, long, 8, 16, 16)
WBEMU_VECTORS(ulong, unsigned long, 8, 16, 16)
WBEMU_VECTORS(longlong, long long, 8, 16, 16)
WBEMU_VECTORS(ulonglong, unsigned long long, 8, 16, 16)
WBEMU_VECTORS(float, float, 4, 8, 16)
WBEMU_VECTORS(double, double, 8, 16, 16)

#undef WBEMU_VECTORS
#undef WBEMU_VECTOR_1
#undef WBEMU_VECTOR_2
#undef WBEMU_VECTOR_3
#undef WBEMU_VECTOR_4

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};

#endif
