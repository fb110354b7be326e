// Vector types, __ldg, math intrinsics, bit intrinsics and __half.
#include <cuda_fp16.h>

extern "C" __global__ void scale_float4(const float* in, float* out, int n4, float s) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n4) return;
    const float4 v = __ldg(reinterpret_cast<const float4*>(in) + i);
    reinterpret_cast<float4*>(out)[i] = make_float4(v.x * s, v.y * s, v.z * s, v.w * s);
}

extern "C" __global__ void int2_swap(const int2* in, int2* out) {
    const int2 v = in[threadIdx.x];
    out[threadIdx.x] = make_int2(v.y, v.x);
}

#define FAST_MATH_FUNCTIONS 12
extern "C" __global__ void fast_math(const float* x, float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float v = x[i];
    float s, c;
    __sincosf(v, &s, &c);
    const float results[FAST_MATH_FUNCTIONS] = {
        __expf(v), __logf(fabsf(v) + 1.0f), rsqrtf(fabsf(v) + 0.5f), __fdividef(v, 3.0f),
        fmaf(v, 2.0f, 1.0f), __saturatef(v), tanhf(v), __sinf(v), __cosf(v), __powf(fabsf(v), 1.5f),
        s * s + c * c, min(v, 0.25f) + max(v, -0.25f)};
    for (int k = 0; k < FAST_MATH_FUNCTIONS; ++k) out[k * n + i] = results[k];
}

extern "C" __global__ void bit_tricks(const unsigned* x, unsigned* out) {
    const unsigned v = x[threadIdx.x];
    unsigned* o = out + 6 * threadIdx.x;
    o[0] = __popc(v);
    o[1] = __clz((int)v);
    o[2] = __ffs((int)v);
    o[3] = __brev(v);
    o[4] = __float_as_uint(__uint_as_float(v));
    o[5] = __umulhi(v, 0x9E3779B9u);
}

extern "C" __global__ void half_arithmetic(const __half* a, const __half* b, __half* sum, __half* product,
                                           const float* f, float* round_trip) {
    const int i = threadIdx.x;
    sum[i] = __hadd(a[i], b[i]);
    product[i] = __hmul(a[i], b[i]);
    round_trip[i] = __half2float(__float2half(f[i]));
}

extern "C" __global__ void half_shuffle(const __half* in, __half* out) {
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, in[threadIdx.x], 1);
}
