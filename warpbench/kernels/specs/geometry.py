"""Launch shapes, their tunables and restrictions, shared by the kernel families.

Each helper names the mapping of threads to work it implements, so a spec's geometry
reads as one line: ``flat_geometry(count)``, ``warp_rows_launch(rows, warps)``...
``MAX_THREADS`` and ``STATIC_SHARED_BYTES`` are the limits restrictions are written against,
as numbers in the restriction's text.
"""
from __future__ import annotations

from warpbench.kernels.spec import Restriction, Tunable, cdiv, launch

MAX_GRID_Y = 65535
MAX_THREADS = 1024
# Static ``__shared__`` arrays of one block may total at most 48 KiB on every architecture.
STATIC_SHARED_BYTES = 48 * 1024

# One thread per element: BLOCK threads per block, as many blocks as needed.
BLOCK_TUNABLE = Tunable("BLOCK", (64, 128, 256, 512, 1024), 256)
BLOCK_RULES = (Restriction(f"BLOCK <= {MAX_THREADS}", "threads per block"),)


def flat_geometry(count):
    """Geometry of a one-thread-per-element kernel over ``count(problem)`` elements."""
    return lambda p, config, props: launch(cdiv(count(p), config["BLOCK"]), config["BLOCK"])


# Grid-stride loops: enough blocks to cover n, capped at BLOCKS_PER_SM resident blocks per SM,
# so very large n reuse threads instead of launching millions of short-lived blocks.
GRID_STRIDE_TUNABLES = (
    Tunable("BLOCK", (128, 256, 512, 1024), 256),
    Tunable("BLOCKS_PER_SM", (2, 4, 8, 16, 32), 8),
)
GRID_STRIDE_RULES = BLOCK_RULES


def grid_stride_geometry(problem, config, props):
    """Blocks for a grid-stride loop over ``problem["n"]`` elements."""
    blocks = min(cdiv(max(problem["n"], 1), config["BLOCK"]), props.sm_count * config["BLOCKS_PER_SM"])
    return launch(blocks, config["BLOCK"])


# Warp-per-row and column-tile kernels: BLOCK_ROWS warps per block.
BLOCK_ROWS = Tunable("BLOCK_ROWS", (1, 2, 4, 8, 16, 32), 8)
BLOCK_ROWS_RULE = Restriction(f"32 * BLOCK_ROWS <= {MAX_THREADS}", "threads per block")


def warp_rows_launch(rows: int, warps: int):
    """One warp per row: block (32, warps), grid ceil(rows / warps)."""
    return launch(max(1, cdiv(rows, warps)), (32, warps))


def column_tiles_launch(cols: int, warps: int):
    """One block of (32, warps) threads per 32 columns."""
    return launch(max(1, cdiv(cols, 32)), (32, warps))


# 2-D blocks over a rows x cols grid of outputs.
TILE_2D_TUNABLES = (Tunable("BLOCK_X", (32, 64, 128, 256), 32), Tunable("BLOCK_Y", (1, 2, 4, 8, 16, 32), 8))
TILE_2D_RULES = (Restriction(f"BLOCK_X * BLOCK_Y <= {MAX_THREADS}", "threads per block"),)


def rows_by_cols_launch(rows: int, cols: int, config):
    """Blocks of (BLOCK_X, BLOCK_Y) over a rows x cols grid of outputs; rows beyond
    65535 blocks are walked grid-stride by the kernel."""
    bx, by = config["BLOCK_X"], config["BLOCK_Y"]
    return launch((max(1, cdiv(cols, bx)), max(1, min(cdiv(rows, by), MAX_GRID_Y))), (bx, by))
