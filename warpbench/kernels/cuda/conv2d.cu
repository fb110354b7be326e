// conv2d forward, NCHW, float32: direct convolution (one thread per output; output tiles with
// the input patch in shared memory), implicit GEMM, and the two non-GEMM stages of the im2col +
// GEMM pipeline (im2col, and the bias + ReLU scatter of the GEMM result back to NCHW).
//
// x (N,C,H,W), w (K,C,R,S), b (K,), out (N,K,P,Q), all contiguous row-major, with
// P = (H + 2*pad_h - dil_h*(R-1) - 1) / stride_h + 1 and Q likewise. Any sizes, strides,
// paddings and dilations; no alignment beyond 4 bytes is needed. The epilogue adds b[k] when
// `bias` is non-zero and clamps at zero when `relu` is non-zero (b is never read otherwise).
#include "common.cuh"

// Threads per block of the one-thread-per-element kernels.
#ifndef BLOCK
#define BLOCK 256
#endif
// conv2d_direct_tiled: a TILE_P x TILE_Q block of output pixels (one per thread) for K_TILE
// output channels, input channels staged C_TILE at a time.
#ifndef TILE_P
#define TILE_P 8
#endif
#ifndef TILE_Q
#define TILE_Q 16
#endif
#ifndef K_TILE
#define K_TILE 8
#endif
#ifndef C_TILE
#define C_TILE 4
#endif
// conv2d_implicit_gemm: a block tile of BM output channels x BN output pixels, BK-deep slices of
// C*R*S, TM x TN outputs per thread. The default (64 x 128, 8 x 8 per thread, 128 threads) covers
// the 64 channels of a ResNet layer in one block row and keeps 64 accumulators per thread for an
// 8 + 8 loads : 64 FMA ratio; narrower layers (LeNet's 20 or 50 channels) tune BM down.
#ifndef BM
#define BM 64
#endif
#ifndef BN
#define BN 128
#endif
#ifndef BK
#define BK 8
#endif
#ifndef TM
#define TM 8
#endif
#ifndef TN
#define TN 8
#endif

#define GEMM_THREADS (BM / TM * (BN / TN))
// The B loader gives each thread one fixed column (its (n,p,q) decoded once) and rows
// tid / BN + i * B_ROW_STEP; the A loader one fixed k-offset and rows tid / BK + i * A_ROW_STEP.
// The spec requires GEMM_THREADS % BN == 0 and GEMM_THREADS % BK == 0.
#define B_ROW_STEP (GEMM_THREADS / BN)
#define A_ROW_STEP (GEMM_THREADS / BK)
// Ask ptxas to fit 512 threads (16 warps) per SM, i.e. at most 128 registers per thread: the
// default tile needs 138 unconstrained and fits 128 without spills, one more block per SM.
#define GEMM_MIN_BLOCKS (GEMM_THREADS >= 512 ? 1 : 512 / GEMM_THREADS)
// The A tile is stored transposed; its row stride is padded so that (stride % 32) * BK == 32:
// the BK-by-(32/BK) lanes that store one load step then hit 32 distinct banks.
#define A_STRIDE (BM + ((32 / BK - BM % 32) + 32) % 32)

__device__ __forceinline__ float conv_epilogue(float acc, const float* __restrict__ b, int k, int bias,
                                               int relu) {
    if (bias)
        acc += b[k];
    return relu ? fmaxf(acc, 0.0f) : acc;
}

// Thread i computes out.flat[i]: consecutive threads take consecutive q, so output writes are
// coalesced, input reads are coalesced for stride 1, and the weight reads of a warp (same n, k
// unless the warp straddles a P*Q boundary) are broadcasts.
extern "C" __global__ __launch_bounds__(BLOCK) void
conv2d_direct(float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ w,
              const float* __restrict__ b, int N, int C, int H, int W, int K, int R, int S, int P, int Q,
              int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w, int bias, int relu) {
    const long long index = global_thread_index();
    if (index >= (long long)N * K * P * Q)
        return;
    const int q = (int)(index % Q);
    long long rest = index / Q;
    const int p = (int)(rest % P);
    rest /= P;
    const int k = (int)(rest % K);
    const int n = (int)(rest / K);
    const int h0 = p * stride_h - pad_h, w0 = q * stride_w - pad_w;
    const float* x_n = x + (size_t)n * C * H * W;
    const float* w_k = w + (size_t)k * C * R * S;
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) {
        for (int r = 0; r < R; ++r) {
            const int h = h0 + r * dil_h;
            if (h < 0 || h >= H)
                continue;
            const float* x_row = x_n + ((size_t)c * H + h) * W;
            const float* w_row = w_k + ((size_t)c * R + r) * S;
            for (int s = 0; s < S; ++s) {
                const int col = w0 + s * dil_w;
                if (col >= 0 && col < W)
                    acc += x_row[col] * w_row[s];
            }
        }
    }
    out[index] = conv_epilogue(acc, b, k, bias, relu);
}

// Block (tile, k-tile, n) computes out[n, k0:k0+K_TILE, p0:p0+TILE_P, q0:q0+TILE_Q]; thread (tx, ty)
// owns pixel (p0+ty, q0+tx) for all K_TILE channels, in registers. Per chunk of C_TILE input
// channels the block stages in dynamic shared memory the input patch the tile reads (the tile
// plus the kernel's halo, zero in the padding) and the chunk's weights: each input value is read
// from global memory once per block instead of up to R*S*K_TILE times, and every weight read is a
// broadcast. Shared bytes depend on R, S, stride and dilation, so the host sizes them per problem.
extern "C" __global__ __launch_bounds__(TILE_P * TILE_Q) void
conv2d_direct_tiled(float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ w,
                    const float* __restrict__ b, int N, int C, int H, int W, int K, int R, int S, int P, int Q,
                    int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w, int bias,
                    int relu) {
    extern __shared__ float smem[];
    const int patch_h = (TILE_P - 1) * stride_h + (R - 1) * dil_h + 1;
    const int patch_w = (TILE_Q - 1) * stride_w + (S - 1) * dil_w + 1;
    const int patch_size = patch_h * patch_w, RS = R * S;
    float* patch = smem;                        // [C_TILE][patch_h][patch_w]
    float* weights = smem + C_TILE * patch_size;  // [K_TILE][C_TILE][R][S]
    const int tiles_q = (Q + TILE_Q - 1) / TILE_Q;
    const int p0 = (int)(blockIdx.x / tiles_q) * TILE_P, q0 = (int)(blockIdx.x % tiles_q) * TILE_Q;
    const int k0 = blockIdx.y * K_TILE, n = blockIdx.z;
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * TILE_Q + tx;
    const int h_origin = p0 * stride_h - pad_h, w_origin = q0 * stride_w - pad_w;
    const float* x_n = x + (size_t)n * C * H * W;
    float acc[K_TILE];
#pragma unroll
    for (int kk = 0; kk < K_TILE; ++kk)
        acc[kk] = 0.0f;
    for (int c0 = 0; c0 < C; c0 += C_TILE) {
        const int channels = min(C_TILE, C - c0);
        __syncthreads();  // every thread is done reading the previous chunk
        for (int i = tid; i < channels * patch_size; i += TILE_P * TILE_Q) {
            const int cc = i / patch_size, rem = i - cc * patch_size;
            const int h = h_origin + rem / patch_w, col = w_origin + rem % patch_w;
            patch[i] = (h >= 0 && h < H && col >= 0 && col < W) ? x_n[((size_t)(c0 + cc) * H + h) * W + col] : 0.0f;
        }
        for (int i = tid; i < K_TILE * C_TILE * RS; i += TILE_P * TILE_Q) {
            const int kk = i / (C_TILE * RS), rem = i - kk * (C_TILE * RS), cc = rem / RS;
            const bool inside = k0 + kk < K && cc < channels;
            weights[i] = inside ? w[((size_t)(k0 + kk) * C + c0 + cc) * RS + rem % RS] : 0.0f;
        }
        __syncthreads();
        for (int cc = 0; cc < channels; ++cc) {
            for (int r = 0; r < R; ++r) {
                const float* patch_row = patch + (cc * patch_h + ty * stride_h + r * dil_h) * patch_w + tx * stride_w;
                const float* w_rs = weights + (cc * R + r) * S;
                for (int s = 0; s < S; ++s) {
                    const float v = patch_row[s * dil_w];
#pragma unroll
                    for (int kk = 0; kk < K_TILE; ++kk)
                        acc[kk] += v * w_rs[kk * C_TILE * RS + s];
                }
            }
        }
    }
    const int p = p0 + ty, q = q0 + tx;
    if (p >= P || q >= Q)
        return;
#pragma unroll
    for (int kk = 0; kk < K_TILE; ++kk) {
        const int k = k0 + kk;
        if (k < K)
            out[(((size_t)n * K + k) * P + p) * Q + q] = conv_epilogue(acc[kk], b, k, bias, relu);
    }
}

// Implicit GEMM: the convolution is the GEMM out[k, (n,p,q)] = sum over (c,r,s) of
// w[k, (c,r,s)] * col[(c,r,s), (n,p,q)], with M = K, N = N*P*Q and K = C*R*S, where col is the
// im2col matrix. Here col is never materialised: the loader of the B tile computes each element's
// input coordinates and reads x directly (zero in the padding), so the kernel moves no more global
// memory than a direct convolution while running the 2-D register-blocked GEMM loop (siboehm
// kernel 5) on shared tiles. The tiles are double-buffered and the next slice is fetched into
// registers before the current one is multiplied, so its global latency hides behind the FMAs and
// one barrier per slice suffices.
struct ImplicitGemmLoader {
    static constexpr int A_LOADS = (BM + A_ROW_STEP - 1) / A_ROW_STEP;
    static constexpr int B_LOADS = (BK + B_ROW_STEP - 1) / B_ROW_STEP;
    const float* __restrict__ w;
    const float* __restrict__ x_n;  // this thread's B column's image
    int K, CRS, RS, S, R, H, W, dil_h, dil_w;
    int m0, a_kk, a_row0;  // A: fixed k offset, rows a_row0 + i * A_ROW_STEP
    int b_col, b_row0;     // B: fixed column, rows b_row0 + i * B_ROW_STEP
    int h_base, w_base;    // input origin of the B column's output pixel
    bool column_inside;
    float a[A_LOADS], b[B_LOADS];

    __device__ __forceinline__ void fetch(int k0) {
        const int a_k = k0 + a_kk;
#pragma unroll
        for (int i = 0; i < A_LOADS; ++i) {
            const int m = a_row0 + i * A_ROW_STEP, gm = m0 + m;
            a[i] = (m < BM && gm < K && a_k < CRS) ? w[(size_t)gm * CRS + a_k] : 0.0f;
        }
        // Decode (c, r, s) of the first row once per slice, then step it incrementally.
        int crs = k0 + b_row0;
        int c = crs / RS, rs = crs - c * RS;
        int r = rs / S, s = rs - r * S;
#pragma unroll
        for (int i = 0; i < B_LOADS; ++i) {
            const int h = h_base + r * dil_h, wc = w_base + s * dil_w;
            const bool inside = column_inside && crs < CRS && h >= 0 && h < H && wc >= 0 && wc < W;
            b[i] = inside ? x_n[((size_t)c * H + h) * W + wc] : 0.0f;
            crs += B_ROW_STEP;
            s += B_ROW_STEP;
            while (s >= S) {
                s -= S;
                if (++r == R) {
                    r = 0;
                    ++c;
                }
            }
        }
    }

    __device__ __forceinline__ void store(float* As, float* Bs) const {
#pragma unroll
        for (int i = 0; i < A_LOADS; ++i) {
            const int m = a_row0 + i * A_ROW_STEP;
            if (m < BM)
                As[a_kk * A_STRIDE + m] = a[i];
        }
#pragma unroll
        for (int i = 0; i < B_LOADS; ++i) {
            const int kk = b_row0 + i * B_ROW_STEP;
            if (kk < BK)
                Bs[kk * BN + b_col] = b[i];
        }
    }
};

extern "C" __global__ __launch_bounds__(GEMM_THREADS, GEMM_MIN_BLOCKS) void
conv2d_implicit_gemm(float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ w,
                     const float* __restrict__ b, int N, int C, int H, int W, int K, int R, int S, int P,
                     int Q, int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w, int bias,
                     int relu) {
    __shared__ float As[2][BK * A_STRIDE];  // As[buf][kk][m] = w[m0 + m, k0 + kk]
    __shared__ float Bs[2][BK * BN];        // Bs[buf][kk][j] = col[k0 + kk, n0 + j]
    const int tid = threadIdx.x;
    const int PQ = P * Q, CRS = C * R * S;
    const long long NPQ = (long long)N * PQ;
    const int m0 = blockIdx.y * BM;
    const long long n0 = (long long)blockIdx.x * BN;

    ImplicitGemmLoader load;
    load.w = w;
    load.K = K, load.CRS = CRS, load.RS = R * S, load.S = S, load.R = R, load.H = H, load.W = W;
    load.dil_h = dil_h, load.dil_w = dil_w;
    load.m0 = m0, load.a_kk = tid % BK, load.a_row0 = tid / BK;
    load.b_col = tid % BN, load.b_row0 = tid / BN;
    const long long column = n0 + load.b_col;
    load.column_inside = column < NPQ;
    const int n = load.column_inside ? (int)(column / PQ) : 0, pq = (int)(column % PQ);
    load.h_base = pq / Q * stride_h - pad_h;
    load.w_base = pq % Q * stride_w - pad_w;
    load.x_n = x + (size_t)n * C * H * W;

    // Outputs of this thread: rows trow + i * BM/TM and columns tcol + j * BN/TN, so that a warp's
    // shared reads and global writes touch consecutive columns.
    const int tcol = tid % (BN / TN), trow = tid / (BN / TN);
    float acc[TM][TN] = {};
    float a_frag[TM], b_frag[TN];
    load.fetch(0);
    load.store(As[0], Bs[0]);
    __syncthreads();
    int buf = 0;
    for (int k0 = 0; k0 < CRS; k0 += BK) {
        const bool more = k0 + BK < CRS;
        if (more)
            load.fetch(k0 + BK);
#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
#pragma unroll
            for (int i = 0; i < TM; ++i)
                a_frag[i] = As[buf][kk * A_STRIDE + trow + i * (BM / TM)];
#pragma unroll
            for (int j = 0; j < TN; ++j)
                b_frag[j] = Bs[buf][kk * BN + tcol + j * (BN / TN)];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j)
                    acc[i][j] += a_frag[i] * b_frag[j];
        }
        // The other buffer was last read in the previous slice, before the barrier that ended it.
        if (more)
            load.store(As[buf ^ 1], Bs[buf ^ 1]);
        __syncthreads();
        buf ^= 1;
    }
#pragma unroll
    for (int j = 0; j < TN; ++j) {
        const long long col = n0 + tcol + j * (BN / TN);
        if (col >= NPQ)
            continue;
        float* out_pixel = out + (size_t)(col / PQ) * K * PQ + col % PQ;
#pragma unroll
        for (int i = 0; i < TM; ++i) {
            const int k = m0 + trow + i * (BM / TM);
            if (k < K)
                out_pixel[(size_t)k * PQ] = conv_epilogue(acc[i][j], b, k, bias, relu);
        }
    }
}

// im2col: col is (C*R*S) x (N*P*Q), row (c, r, s), column (n, p, q), holding
// x[n, c, p*stride_h - pad_h + r*dil_h, q*stride_w - pad_w + s*dil_w] (0 in the padding), so that
// out = w (K x CRS) . col, a plain GEMM. Thread = one column and one channel (blockIdx.y,
// striding by gridDim.y past the grid's 65535 limit); it writes R*S rows, consecutive threads
// consecutive columns, so writes are coalesced.
extern "C" __global__ __launch_bounds__(BLOCK) void
conv2d_im2col(float* __restrict__ col, const float* __restrict__ x, int N, int C, int H, int W, int R, int S,
              int P, int Q, int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w) {
    const long long columns = (long long)N * P * Q;
    const long long column = global_thread_index();
    if (column >= columns)
        return;
    const int q = (int)(column % Q);
    const long long rest = column / Q;
    const int p = (int)(rest % P), n = (int)(rest / P);
    const int h0 = p * stride_h - pad_h, w0 = q * stride_w - pad_w;
    for (int c = blockIdx.y; c < C; c += gridDim.y) {
        const float* x_nc = x + ((size_t)n * C + c) * H * W;
        float* col_c = col + (size_t)c * R * S * columns + column;
        for (int r = 0; r < R; ++r) {
            const int h = h0 + r * dil_h;
            for (int s = 0; s < S; ++s) {
                const int wc = w0 + s * dil_w;
                const bool inside = h >= 0 && h < H && wc >= 0 && wc < W;
                col_c[(size_t)(r * S + s) * columns] = inside ? x_nc[(size_t)h * W + wc] : 0.0f;
            }
        }
    }
}

// The GEMM of the im2col pipeline leaves gemm_out as K x (N*P*Q); out[n, k, pq] =
// epilogue(gemm_out[k, n*P*Q + pq]). Thread i writes out.flat[i]; reads are contiguous along pq.
extern "C" __global__ __launch_bounds__(BLOCK) void
conv2d_gemm_to_nchw(float* __restrict__ out, const float* __restrict__ gemm_out, const float* __restrict__ b,
                    int N, int K, int P, int Q, int bias, int relu) {
    const long long index = global_thread_index();
    const long long pixels = (long long)P * Q;
    if (index >= (long long)N * K * pixels)
        return;
    const long long pq = index % pixels, nk = index / pixels;
    const int k = (int)(nk % K), n = (int)(nk / K);
    out[index] = conv_epilogue(gemm_out[(size_t)k * N * pixels + n * pixels + pq], b, k, bias, relu);
}
