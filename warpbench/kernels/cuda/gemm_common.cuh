// Building blocks of the GEMM progression: tile loaders that hide op(A)/op(B) = X or X^T,
// float4 loads with a scalar fallback, and the alpha/beta epilogue.
//
// Conventions (shared with the host code): row-major, C (M x N) = alpha * op(A) op(B) + beta * C;
// op(A) is M x K, stored M x K (trans_a = 0) or K x M (trans_a = 1); op(B) is K x N, stored
// K x N or N x K. Tiles are described in op coordinates (rows x cols of op(X)); the loaders
// branch on the transpose flag once per tile, so the FMA loops of the kernels never do.
#pragma once

#include "common.cuh"

// Integer ceiling division usable in array bounds.
__host__ __device__ constexpr int gemm_cdiv(int a, int b) { return (a + b - 1) / b; }

// float4 access to a row-major matrix is legal when the base address is 16-byte aligned and
// each row starts 16-byte aligned (row length % 4 == 0). Buffers from cudaMalloc are 256-byte
// aligned; a pointer into the middle of one (another family's slice of a scratch buffer) may not
// be, hence the address test.
template <typename T>
__device__ __forceinline__ bool gemm_vec4_ok(const T* base, int row_length) {
    return sizeof(T) == 4 && (reinterpret_cast<unsigned long long>(base) & 15) == 0 && row_length % 4 == 0;
}

// A TileRows x TileCols tile of a row-major `rows x cols` matrix, starting at (row0, col0), placed
// in shared memory at dst[r * DstRowStride + c * DstColStride]. Threads take groups of kWidth
// consecutive columns (4 for the float4 kernels), consecutive threads consecutive groups, so global
// reads are coalesced whatever the shared layout. Elements outside the matrix read as zero, so the
// kernels run full tiles at ragged edges. fetch() issues every global load of the tile into
// registers before store() writes shared memory: one round trip of latency per tile, which the
// double-buffered kernel overlaps with compute. Offsets inside a tile are 32-bit, so a stored row
// may hold at most 2^31 / TileRows elements.
template <typename T, int TileRows, int TileCols, int DstRowStride, int DstColStride, int Threads, bool Vec>
struct StorageTile {
    static constexpr int kWidth = Vec ? 4 : 1;
    static constexpr int kGroups = TileCols / kWidth;  // per tile row (Vec specs require TileCols % 4 == 0)
    static constexpr int kCount = TileRows * kGroups;
    static constexpr int kPerThread = gemm_cdiv(kCount, Threads);
    static constexpr int kRegs = kPerThread * kWidth;
    // When the block covers whole rows per pass, a thread keeps its column and steps down by a
    // constant number of rows: cheap addresses, few registers held across the main loop.
    static constexpr bool kWholeRows = Threads % kGroups == 0;

    static __device__ __forceinline__ int row_of(int tid, int j) {
        return kWholeRows ? tid / kGroups + j * (Threads / kGroups) : (tid + j * Threads) / kGroups;
    }
    static __device__ __forceinline__ int col_of(int tid, int j) {
        return (kWholeRows ? tid % kGroups : (tid + j * Threads) % kGroups) * kWidth;
    }
    static __device__ __forceinline__ bool in_tile(int tid, int j) {
        return kCount % Threads == 0 || tid + j * Threads < kCount;
    }

    // vec: the matrix allows float4 loads (gemm_vec4_ok); then, with cols % 4 == 0 and
    // c % 4 == 0, a group lies wholly inside or wholly outside the matrix. Otherwise the group is
    // read element by element.
    static __device__ __forceinline__ void fetch(T (&v)[kRegs], const T* __restrict__ src, int rows, int cols,
                                                 int row0, int col0, int tid, bool vec) {
        const T* corner = src + (size_t)row0 * cols + col0;
        const int rows_left = rows - row0, cols_left = cols - col0;
#pragma unroll
        for (int j = 0; j < kPerThread; ++j) {
            const int r = row_of(tid, j), c = col_of(tid, j);
            const T* p = corner + r * cols + c;
            const bool row_ok = in_tile(tid, j) && r < rows_left;
            if (Vec && vec) {
                float4 q = make_float4(0.f, 0.f, 0.f, 0.f);
                if (row_ok && c < cols_left)
                    q = *reinterpret_cast<const float4*>(p);
                v[kWidth * j] = q.x; v[kWidth * j + 1] = q.y; v[kWidth * j + 2] = q.z; v[kWidth * j + 3] = q.w;
            } else {
#pragma unroll
                for (int i = 0; i < kWidth; ++i)
                    v[kWidth * j + i] = row_ok && c + i < cols_left ? p[i] : T(0);
            }
        }
    }

    static __device__ __forceinline__ void store(T* dst, const T (&v)[kRegs], int tid) {
#pragma unroll
        for (int j = 0; j < kPerThread; ++j) {
            const int r = row_of(tid, j), c = col_of(tid, j);
            if (in_tile(tid, j)) {
#pragma unroll
                for (int i = 0; i < kWidth; ++i)
                    dst[r * DstRowStride + (c + i) * DstColStride] = v[kWidth * j + i];
            }
        }
    }
};

// A Rows x Cols tile of op(X) at (row0, col0), placed at dst[r * DstRowStride + c * DstColStride]
// in op coordinates. X is stored rows x cols (trans = 0) or cols x rows (trans = 1); the transposed
// case reads the stored matrix along its own rows (still coalesced) and swaps the shared strides.
template <typename T, int Rows, int Cols, int DstRowStride, int DstColStride, int Threads, bool Vec = false>
struct OpTile {
    using Plain = StorageTile<T, Rows, Cols, DstRowStride, DstColStride, Threads, Vec>;
    using Transposed = StorageTile<T, Cols, Rows, DstColStride, DstRowStride, Threads, Vec>;
    // Rows * Cols elements either way, so both orientations stage the same number of registers.
    static constexpr int kRegs = Plain::kRegs;

    const T* __restrict__ src;
    int rows, cols;  // of op(X)
    bool trans, vec;
    T staged[kRegs];

    __device__ __forceinline__ OpTile(const T* x, int op_rows, int op_cols, int transposed)
        : src(x), rows(op_rows), cols(op_cols), trans(transposed != 0),
          vec(Vec && gemm_vec4_ok(x, transposed ? op_rows : op_cols)) {}

    __device__ __forceinline__ void fetch(int row0, int col0, int tid) {
        if (trans)
            Transposed::fetch(staged, src, cols, rows, col0, row0, tid, vec);
        else
            Plain::fetch(staged, src, rows, cols, row0, col0, tid, vec);
    }

    __device__ __forceinline__ void store(T* dst, int tid) const {
        if (trans)
            Transposed::store(dst, staged, tid);
        else
            Plain::store(dst, staged, tid);
    }

    __device__ __forceinline__ void load(T* dst, int row0, int col0, int tid) {
        fetch(row0, col0, tid);
        store(dst, tid);
    }
};

// Count consecutive floats from 16-byte aligned (shared) memory into registers, as float4 loads.
template <int Count>
__device__ __forceinline__ void gemm_load_frag(float* frag, const float* src) {
#pragma unroll
    for (int i = 0; i < Count; i += 4) {
        const float4 q = *reinterpret_cast<const float4*>(src + i);
        frag[i] = q.x; frag[i + 1] = q.y; frag[i + 2] = q.z; frag[i + 3] = q.w;
    }
}

// C[row, col] = alpha * acc + beta * C[row, col], BLAS style: with beta == 0, C is not read, so
// an uninitialised (even NaN) C is fine.
template <typename T>
__device__ __forceinline__ void gemm_store(T* C, int M, int N, int row, int col, T acc, T alpha, T beta) {
    if (row < M && col < N) {
        T* c = C + (size_t)row * N + col;
        *c = beta == T(0) ? alpha * acc : alpha * acc + beta * *c;
    }
}

// Len results of one row starting at col; float4 read-modify-write when C allows it
// (vec from gemm_vec4_ok(C, N), col % 4 == 0), else element by element.
template <int Len>
__device__ __forceinline__ void gemm_store_row(float* C, int M, int N, int row, int col, const float* acc,
                                               float alpha, float beta, bool vec) {
    if (row >= M)
        return;
    if (Len % 4 == 0 && vec) {
        float* c_row = C + (size_t)row * N;
#pragma unroll
        for (int j = 0; j < Len; j += 4) {
            if (col + j < N) {
                float4* c4 = reinterpret_cast<float4*>(c_row + col + j);
                float4 out = make_float4(alpha * acc[j], alpha * acc[j + 1], alpha * acc[j + 2],
                                         alpha * acc[j + 3]);
                if (beta != 0.f) {
                    const float4 old = *c4;
                    out.x += beta * old.x; out.y += beta * old.y; out.z += beta * old.z; out.w += beta * old.w;
                }
                *c4 = out;
            }
        }
    } else {
#pragma unroll
        for (int j = 0; j < Len; ++j)
            gemm_store(C, M, N, row, col + j, acc[j], alpha, beta);
    }
}
