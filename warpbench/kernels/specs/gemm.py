"""The GEMM progression: C = alpha * op(A) op(B) + beta * C, row-major, op = identity or transpose.

Seven float32 steps a kernel developer can study and tune, after siboehm's "How to Optimize
a CUDA Matmul Kernel": naive, shared-memory tiles, 1-D and 2-D register blocking, float4 loads
with a transposed As, warp tiling, and double buffering; plus float64 versions of the first
two. Every kernel takes any M, N, K, alpha, beta and both transpose flags (entry
``sgemm_<variant>(C, A, B, M, N, K, alpha, beta, trans_a, trans_b)``, so other families can
launch GEMM stages by name). As in BLAS, C is not read when beta == 0. C is read and written,
so it is an input too: ``kernel.run(C, A, B, alpha=2.0, trans_a=True)`` takes the arrays in
parameter order and returns the new C.
"""
from __future__ import annotations

import numpy as np

from warpbench.errors import ShapeError, UnknownNameError
from warpbench.kernels.registry import register
from warpbench.kernels.spec import (
    IN,
    INOUT,
    KernelSpec,
    Param,
    Restriction,
    Tunable,
    Workload,
    cdiv,
    launch,
)
from warpbench.kernels.specs.common import (
    random_array,
    require_dtype,
    require_ndim,
    require_same_dtype,
    tolerance,
)
from warpbench.kernels.specs.geometry import MAX_THREADS, STATIC_SHARED_BYTES, TILE_2D_RULES

INT_MAX = 2**31 - 1
# The variant other families (conv2d's im2col pipeline, the LSTM sequences) launch as their GEMM stage.
GEMM_STAGE = "sgemm_blocktile_2d"
SCALARS = ("alpha", "beta", "trans_a", "trans_b")


def gemm_problem(M, N, K, trans_a=0, trans_b=0, alpha=1.0, beta=0.0, dtype="float32") -> dict:
    """A problem dict of the ``gemm`` workload."""
    return {"M": M, "N": N, "K": K, "alpha": float(alpha), "beta": float(beta),
            "trans_a": int(trans_a), "trans_b": int(trans_b), "dtype": dtype}


def stored_shapes(p) -> dict:
    """Shapes of A, B and C as stored: A is K x M when transposed, B is N x K when transposed."""
    return {"A": (p["K"], p["M"]) if p["trans_a"] else (p["M"], p["K"]),
            "B": (p["N"], p["K"]) if p["trans_b"] else (p["K"], p["N"]),
            "C": (p["M"], p["N"])}


def _operand(name, array, trans) -> str:
    rows, cols = array.shape
    return f"{name} is {rows}x{cols}" + (f" (transposed: op({name}) is {cols}x{rows})" if trans else "")


def _problem(arrays, scalars):
    unknown = sorted(set(scalars) - set(SCALARS))
    if unknown:
        raise UnknownNameError(f"gemm: unknown argument {', '.join(unknown)} (scalars: {', '.join(SCALARS)})")
    a, b, c = (np.asarray(arrays[n]) for n in ("A", "B", "C"))
    for name, array in (("A", a), ("B", b), ("C", c)):
        require_ndim("gemm", name, array, 2, "a matrix")
    dtype = require_dtype("gemm", "A", a)
    require_same_dtype("gemm", {"A": a, "B": b, "C": c})
    trans_a, trans_b = bool(scalars.get("trans_a", False)), bool(scalars.get("trans_b", False))
    m, ka = a.shape[::-1] if trans_a else a.shape
    kb, n = b.shape[::-1] if trans_b else b.shape
    if ka != kb:
        raise ShapeError(f"gemm: {_operand('A', a, trans_a)} but {_operand('B', b, trans_b)} "
                         f"(inner dimensions {ka} != {kb})")
    if c.shape != (m, n):
        raise ShapeError(f"gemm: C is {c.shape[0]}x{c.shape[1]} but op(A) op(B) is {m}x{n}")
    if max(m, n, ka) > INT_MAX:
        raise ShapeError(f"gemm: M, N, K = {m}, {n}, {ka} exceed the kernels' 32-bit int extents")
    return gemm_problem(m, n, ka, trans_a, trans_b, scalars.get("alpha", 1.0), scalars.get("beta", 0.0), dtype)


def _inputs(p, rng):
    shapes = stored_shapes(p)
    # With beta == 0 the kernels must not read C (BLAS semantics): a NaN C proves they don't,
    # and doubles as the poison that shows elements never written.
    c = (random_array(shapes["C"], p["dtype"], rng) if p["beta"] != 0
         else np.full(shapes["C"], np.nan, p["dtype"]))
    return {"A": random_array(shapes["A"], p["dtype"], rng), "B": random_array(shapes["B"], p["dtype"], rng),
            "C": c}


def _reference(p, ins):
    a, b = ins["A"].astype(np.float64), ins["B"].astype(np.float64)
    out = p["alpha"] * ((a.T if p["trans_a"] else a) @ (b.T if p["trans_b"] else b))
    if p["beta"] != 0:
        out += p["beta"] * ins["C"].astype(np.float64)
    return {"C": out.astype(p["dtype"])}


def _host(problem, inputs, outputs):
    from warpbench.hostcode import blas
    blas.gemm(inputs["A"], inputs["B"], C=outputs["C"], alpha=problem["alpha"], beta=problem["beta"],
              trans_a=bool(problem["trans_a"]), trans_b=bool(problem["trans_b"]))


def numpy_matmul(problem, inputs: dict) -> dict:
    """The problem computed with ``numpy.matmul`` in its own dtype: the CPU yardstick for the
    host code (the reference computes in float64, twice the work)."""
    a = inputs["A"].T if problem["trans_a"] else inputs["A"]
    b = inputs["B"].T if problem["trans_b"] else inputs["B"]
    out = np.matmul(a, b)
    if problem["alpha"] != 1:
        out *= out.dtype.type(problem["alpha"])
    if problem["beta"] != 0:
        out += out.dtype.type(problem["beta"]) * inputs["C"]
    return {"C": out}


def _bytes(p):
    reads_c = 2 if p["beta"] != 0 else 1
    return np.dtype(p["dtype"]).itemsize * (p["M"] * p["K"] + p["K"] * p["N"] + reads_c * p["M"] * p["N"])


def _tolerance(p):
    # Rounding grows with the length of the dot products and with the scale of alpha and beta.
    return tolerance(p["dtype"], max(1.0, p["K"] / 10) * max(1.0, abs(p["alpha"]), abs(p["beta"])))


def _describe(p):
    ops = ("T" if p["trans_a"] else "N") + ("T" if p["trans_b"] else "N")
    text = f"{p['M']}x{p['N']}x{p['K']} {ops}"
    if (p["alpha"], p["beta"]) != (1.0, 0.0):
        text += f" a={p['alpha']:g} b={p['beta']:g}"
    return text if p["dtype"] == "float32" else f"{text} {p['dtype']}"


TRANSPOSES = ((0, 0), (0, 1), (1, 0), (1, 1))

# Awkward sizes: 1, primes, one off the 32/64/128 tiles, non-square, K longer than M and N; all
# four transpose combinations at the ragged ones, alpha/beta != (1, 0) at several. (132, 68, 20)
# has every extent a multiple of 4 but not of a tile, so the float4 paths meet ragged edges;
# the others take the scalar fallbacks.
CHECK_PROBLEMS = (
    gemm_problem(1, 1, 1),
    *(gemm_problem(7, 13, 5, ta, tb, 1.5, -0.5) for ta, tb in TRANSPOSES),
    gemm_problem(33, 65, 17, 1, 0),
    gemm_problem(33, 65, 17, 0, 1, 2.0, 1.0),
    gemm_problem(64, 64, 64),
    gemm_problem(64, 64, 64, 1, 1, 1.0, 1.0),
    *(gemm_problem(127, 129, 31, ta, tb) for ta, tb in TRANSPOSES),
    *(gemm_problem(132, 68, 20, ta, tb, 0.5, 2.0) for ta, tb in TRANSPOSES),
    gemm_problem(100, 37, 300, 0, 0, -2.0, 0.5),
    gemm_problem(100, 37, 300, 1, 0),
    gemm_problem(5, 3, 0, 0, 0, 1.0, 2.0),
    gemm_problem(33, 17, 65, dtype="float64"),
    gemm_problem(7, 13, 5, 1, 1, 1.5, -0.5, "float64"),
    gemm_problem(33, 65, 17, 0, 1, 2.0, 1.0, "float64"),
    gemm_problem(65, 63, 33, 1, 0, dtype="float64"),
)

# 4096^3 is the usual cuBLAS comparison; the others are the book's MNIST MLP
# (784 -> 500 -> 10, batch 128): both forward layers, the weight gradient (x^T dh) and the input
# gradient (dh W^T).
BENCH_PROBLEMS = (
    gemm_problem(4096, 4096, 4096),
    gemm_problem(128, 500, 784),
    gemm_problem(128, 10, 500),
    gemm_problem(784, 500, 128, 1, 0),
    gemm_problem(128, 784, 500, 0, 1),
)

GEMM = Workload(
    name="gemm",
    params=(Param("C", "T*", INOUT), Param("A", "const T*", IN), Param("B", "const T*", IN),
            Param("M", "int"), Param("N", "int"), Param("K", "int"), Param("alpha", "T"), Param("beta", "T"),
            Param("trans_a", "int"), Param("trans_b", "int")),
    make_inputs=_inputs,
    output_shapes=lambda p: {"C": (stored_shapes(p)["C"], p["dtype"])},
    reference=_reference,
    problem_of=_problem,
    flops=lambda p: 2.0 * p["M"] * p["N"] * p["K"],
    bytes_moved=_bytes,
    check_problems=CHECK_PROBLEMS,
    bench_problems=BENCH_PROBLEMS,
    describe=_describe,
    host=_host,
    tolerance=_tolerance,
    numpy=numpy_matmul,
)


def _block_grid(problem, rows_per_block, cols_per_block):
    # At least one block, so that an empty C (M or N == 0) is still a valid launch.
    return (max(1, cdiv(problem["N"], cols_per_block)), max(1, cdiv(problem["M"], rows_per_block)))


def _shared_rule(nbytes: str, what: str) -> Restriction:
    return Restriction(f"{nbytes} <= {STATIC_SHARED_BYTES}", f"{what} in static shared memory")


def _threads_rule(threads: str) -> Restriction:
    # Fewer than 32 threads would leave lanes of the only warp idle.
    return Restriction(f"32 <= {threads} <= {MAX_THREADS}", "threads per block, at least a warp")


def _divides(a: str, b: str) -> Restriction:
    return Restriction(f"{a} % {b} == 0")


def _multiple_of_4(*names) -> Restriction:
    return Restriction(" and ".join(f"{n} % 4 == 0" for n in names),
                       "float4 tile loads in either orientation, float4 fragments")


# Steps 1 and 2: a thread per element of C --------------------------------------------------------

NAIVE_TUNABLES = (Tunable("BLOCK_X", (8, 16, 32, 64), 32), Tunable("BLOCK_Y", (1, 2, 4, 8, 16, 32), 8))


def _naive_geometry(problem, config, props):
    block = (config["BLOCK_X"], config["BLOCK_Y"])
    return launch(_block_grid(problem, config["BLOCK_Y"], config["BLOCK_X"]), block)


SMEM_TUNABLES = (Tunable("TILE", (8, 16, 32), 32),)


# gemm_simple.cu is compiled whole, so sgemm_smem's TILE must fit dgemm_smem's double tiles too.
SMEM_RULES = (_shared_rule("2 * TILE * (TILE + 1) * 8", "the padded double tiles of op(A) and op(B)"),)


def _smem_geometry(problem, config, props):
    return launch(_block_grid(problem, config["TILE"], config["TILE"]), (config["TILE"], config["TILE"]))


# Steps 3 to 5: a thread per TM (x TN) elements ------------------------------------------------------

def _threads_1d(c):
    return c["BM"] // c["TM"] * c["BN"]


def _threads_2d(c):
    return c["BM"] // c["TM"] * (c["BN"] // c["TN"])


def _tile_geometry(threads):
    def geometry(problem, config, props):
        """One block per BM x BN tile of C, ``threads(config)`` threads each."""
        return launch(_block_grid(problem, config["BM"], config["BN"]), threads(config))
    return geometry


TILE_RULE = _shared_rule("(BM + BN) * BK * 4", "the BM x BK and BK x BN tiles")
BLOCKTILE_1D_TUNABLES = (Tunable("BM", (32, 64, 128), 64), Tunable("BN", (32, 64, 128), 64),
                         Tunable("BK", (4, 8, 16, 32), 8), Tunable("TM", (4, 8, 16), 8))
BLOCKTILE_1D_RULES = (_divides("BM", "TM"), _threads_rule("BM // TM * BN"), TILE_RULE)
BLOCKTILE_2D_TUNABLES = (Tunable("BM", (32, 64, 128, 256), 128), Tunable("BN", (32, 64, 128, 256), 128),
                         Tunable("BK", (8, 16, 32), 8), Tunable("TM", (4, 8, 16), 8), Tunable("TN", (4, 8, 16), 8))
BLOCKTILE_2D_RULES = (_divides("BM", "TM"), _divides("BN", "TN"), _threads_rule("(BM // TM) * (BN // TN)"),
                      TILE_RULE)
VECTORIZED_RULES = BLOCKTILE_2D_RULES + (_multiple_of_4("BM", "BN", "BK", "TM", "TN"),)


# Steps 6 and 7: warp tiles ---------------------------------------------------------------------------

def _warp_tunables(threads, bk, wn, wniter, tm):
    return (Tunable("THREADS", (64, 128, 256, 512), threads),
            Tunable("BM", (64, 128, 256), 128), Tunable("BN", (64, 128, 256), 128), Tunable("BK", (8, 16, 32), bk),
            Tunable("WM", (32, 64, 128), 64), Tunable("WN", (32, 64, 128), wn),
            Tunable("WNITER", (1, 2, 4, 8), wniter), Tunable("TM", (4, 8), tm), Tunable("TN", (4, 8), 4))


# A warp tile WM x WN is WMITER x WNITER sub-tiles, WMITER = WM * WN / (32 * TM * TN * WNITER), and
# the 32 lanes tile a WM/WMITER x WN/WNITER sub-tile with TM x TN each: (WN / WNITER) % TN == 0 and
# (WM / WMITER) % TM == 0, the latter being 32 * TN * WNITER % WN == 0 once WMITER is whole.
WARP_RULES = (
    _threads_rule("THREADS"),
    Restriction("BM % WM == 0 and BN % WN == 0", "whole warp tiles"),
    Restriction("(BM // WM) * (BN // WN) * 32 == THREADS", "one warp per warp tile"),
    Restriction("WM * WN % (32 * TM * TN * WNITER) == 0", "a whole number WMITER >= 1 of sub-tile rows"),
    Restriction("WN % (WNITER * TN) == 0 and 32 * TN * WNITER % WN == 0", "lanes tile a sub-tile exactly"),
    _multiple_of_4("BM", "BN", "BK", "TM", "TN"),
)


def _warptile_geometry(problem, config, props):
    return launch(_block_grid(problem, config["BM"], config["BN"]), config["THREADS"])


# Defaults and why: see the comments at the top of gemm_warptile.cu and gemm_double_buffer.cu.
WARPTILE_TUNABLES = _warp_tunables(threads=128, bk=16, wn=64, wniter=4, tm=8)
WARPTILE_RULES = WARP_RULES + (TILE_RULE,)
DOUBLE_BUFFER_TUNABLES = _warp_tunables(threads=256, bk=8, wn=32, wniter=2, tm=4) + (
    Tunable("MIN_BLOCKS", (1, 2, 3, 4), 2),)
DOUBLE_BUFFER_RULES = WARP_RULES + (
    _shared_rule("2 * (BM + BN) * BK * 4", "two stages of the tiles"),
    Restriction("THREADS * MIN_BLOCKS <= 2048", "resident threads per SM"),
)

STEPS = (
    ("sgemm_naive", "gemm_simple.cu", NAIVE_TUNABLES, TILE_2D_RULES, _naive_geometry,
     "1 naive: a thread per element of C, coalesced along rows of C"),
    ("sgemm_smem", "gemm_simple.cu", SMEM_TUNABLES, SMEM_RULES, _smem_geometry,
     "2 shared-memory TILE x TILE tiles of op(A) and op(B)"),
    ("sgemm_blocktile_1d", "gemm_blocktile_1d.cu", BLOCKTILE_1D_TUNABLES, BLOCKTILE_1D_RULES,
     _tile_geometry(_threads_1d), "3 1-D register blocking: TM results of a column per thread"),
    ("sgemm_blocktile_2d", "gemm_blocktile_2d.cu", BLOCKTILE_2D_TUNABLES, BLOCKTILE_2D_RULES,
     _tile_geometry(_threads_2d), "4 2-D register blocking: a TM x TN block per thread"),
    ("sgemm_vectorized", "gemm_vectorized.cu", BLOCKTILE_2D_TUNABLES, VECTORIZED_RULES,
     _tile_geometry(_threads_2d), "5 float4 global and shared loads, As transposed, float4 stores"),
    ("sgemm_warptile", "gemm_warptile.cu", WARPTILE_TUNABLES, WARPTILE_RULES, _warptile_geometry,
     "6 warp tiling: each warp a WM x WN tile in WMITER x WNITER sub-tiles"),
    ("sgemm_double_buffer", "gemm_double_buffer.cu", DOUBLE_BUFFER_TUNABLES, DOUBLE_BUFFER_RULES,
     _warptile_geometry, "7 warp tiling + two smem stages, next tile prefetched into registers"),
)

for name, source, tunables, rules, geometry, summary in STEPS:
    register(KernelSpec(name=name, workload=GEMM, source=source, entry=name, geometry=geometry,
                        tunables=tunables, restrictions=rules, summary=summary))

for name, tunables, rules, geometry, summary in (
        ("dgemm_naive", NAIVE_TUNABLES, TILE_2D_RULES, _naive_geometry, "1 naive, float64"),
        ("dgemm_smem", SMEM_TUNABLES, SMEM_RULES, _smem_geometry, "2 shared-memory tiles, float64")):
    register(KernelSpec(name=name, workload=GEMM, source="gemm_simple.cu", entry=name, geometry=geometry,
                        tunables=tunables, restrictions=rules, summary=summary, dtypes=("float64",)))
