"""nvcc's resources and the occupancy they allow, per variant, without a GPU."""
import shutil

import pytest

from warpbench.errors import ConfigError
from warpbench.kernels import get
from warpbench.kernels.usage import static_usage

needs_nvcc = pytest.mark.skipif(not (shutil.which("nvcc") or shutil.os.access("/usr/local/cuda/bin/nvcc", 1)),
                                reason="nvcc is not installed")


@needs_nvcc
@pytest.mark.parametrize("tile", [16, 32])
def test_static_shared_memory_is_the_padded_tile(tile):
    usage = static_usage(get("transpose_padded"), {"TILE_DIM": tile, "BLOCK_ROWS": 4})
    assert usage.static_shared == tile * (tile + 1) * 4  # float tile[TILE_DIM][TILE_DIM + 1]
    assert usage.dynamic_shared == 0 and usage.spill_bytes == 0
    assert usage.threads_per_block == tile * 4 and usage.arch == "sm_90"


@needs_nvcc
def test_occupancy_counts_the_dynamic_shared_memory_of_the_launch():
    spec = get("softmax_block_row")
    usage = static_usage(spec)
    assert usage.dynamic_shared > 0
    small = static_usage(spec, problem={**spec.workload.bench_problems[0], "cols": 32})
    assert small.dynamic_shared < usage.dynamic_shared
    assert small.occupancy.occupancy >= usage.occupancy.occupancy


def test_a_config_breaking_a_restriction_is_refused_before_nvcc():
    with pytest.raises(ConfigError, match="transpose_padded"):
        static_usage(get("transpose_padded"), {"TILE_DIM": 64, "BLOCK_ROWS": 32})
