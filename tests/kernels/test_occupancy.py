"""Occupancy arithmetic against hand-computed cases (the occupancy calculator's rules)."""
from warpbench.runtime.properties import arch_properties
from warpbench.kernels.occupancy import occupancy

H100 = arch_properties("sm_90")


def test_small_kernel_fills_the_sm():
    occ = occupancy(H100, 256, 32, 0)
    assert (occ.blocks_per_sm, occ.occupancy, occ.limiter) == (8, 1.0, "warps")


def test_registers_limit():
    occ = occupancy(H100, 1024, 64, 0)
    assert (occ.blocks_per_sm, occ.occupancy, occ.limiter) == (1, 0.5, "registers")


def test_register_allocation_rounds_per_warp():
    # 33 registers × 32 lanes = 1056 → 1280 per warp → 51 warps → 48 after granularity → 6 blocks of 8 warps
    occ = occupancy(H100, 256, 33, 0)
    assert (occ.blocks_per_sm, occ.limiter) == (6, "registers")


def test_shared_memory_limit_includes_the_reservation():
    occ = occupancy(H100, 128, 32, 100 * 1024)
    assert (occ.blocks_per_sm, occ.limiter) == (2, "shared memory")


def test_impossible_configs_have_zero_occupancy():
    assert occupancy(H100, 2048, 32, 0).occupancy == 0.0
    assert occupancy(H100, 256, 300, 0).limiter == "registers"
    assert occupancy(H100, 256, 32, 300 * 1024).limiter == "shared memory"
