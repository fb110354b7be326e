"""check_determinism's options for outputs whose order is free by design: an atomic-slot
compaction is not a race, a compaction that loses or invents elements still is."""
import numpy as np
import pytest

from warpbench import emu
from warpbench.errors import ConfigError

COMPACTION = r"""
extern "C" __global__ void compact(const float* in, float* out, int* count, int n, float limit) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && in[i] > limit) out[atomicAdd(count, 1)] = in[i];
}

extern "C" __global__ void compact_pairs(const float* in, float* out, int* count, int n, float limit) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && in[i] > limit) {
        int slot = atomicAdd(count, 1);
        out[2 * slot] = (float) i;
        out[2 * slot + 1] = in[i];
    }
}

extern "C" __global__ void compact_unsynced(const float* in, float* out, int* count, int n, float limit) {
    __shared__ float staged[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    staged[threadIdx.x] = in[i];
    float value = staged[(threadIdx.x + 1) % blockDim.x];   // no __syncthreads before reading
    if (value > limit) out[atomicAdd(count, 1)] = value;
}
"""

N, LIMIT = 256, 0.5


@pytest.fixture(scope="module")
def module():
    return emu.compile_module(COMPACTION, filename="compaction.cu")


def _buffers(seed=3):
    host = np.random.default_rng(seed).random(N).astype(np.float32)
    return host, emu.to_device(host), emu.zeros(N, np.float32), emu.zeros(1, np.int32)


def _check(function, args, **options):
    return emu.check_determinism(function, *args, np.int32(N), np.float32(LIMIT), grid=N // 64, block=64,
                                 **options)


def test_compaction_order_is_flagged_without_the_option(module):
    _, a, out, count = _buffers()
    report = _check(module.get_function("compact"), (a, out, count))
    assert [d.param_name for d in report.differences] == ["out"]


def test_unordered_output_compares_as_a_multiset(module):
    host, a, out, count = _buffers()
    report = _check(module.get_function("compact"), (a, out, count), unordered=["out"])
    assert report.identical, report.summary()
    kept = host[host > LIMIT]
    assert count.get()[0] == kept.size and sorted(out.get()[:kept.size]) == sorted(kept)


def test_rows_stay_together(module):
    host, a, _, count = _buffers()
    pairs = emu.zeros((N, 2), np.float32)
    assert _check(module.get_function("compact_pairs"), (a, pairs, count), unordered=[1]).identical
    kept = np.flatnonzero(host > LIMIT)
    rows = pairs.get()[:kept.size]
    index = rows[:, 0].astype(int)
    assert sorted(index.tolist()) == kept.tolist() and (host[index] == rows[:, 1]).all()


def test_a_compare_function_decides(module):
    _, a, out, count = _buffers()
    same_sum = {"out": lambda ref, other: np.isclose(ref.sum(), other.sum())}
    assert _check(module.get_function("compact"), (a, out, count), compare=same_sum).identical
    never = {"out": lambda ref, other: False}
    _, a, out, count = _buffers()
    report = _check(module.get_function("compact"), (a, out, count), compare=never)
    assert "compared by the given compare function" in report.summary()


def test_a_racy_compaction_is_still_caught(module):
    _, a, out, count = _buffers()
    report = _check(module.get_function("compact_unsynced"), (a, out, count), unordered=["out"])
    assert "out" in [d.param_name for d in report.differences]
    assert "multiset of rows" in report.summary()
    with pytest.raises(emu.NondeterministicResult):
        report.raise_if_different()


def test_unknown_parameters_are_refused(module):
    _, a, out, count = _buffers()
    with pytest.raises(ConfigError, match=r"kernel 'compact': no parameter 'outt' \(parameters: in, out, count"):
        _check(module.get_function("compact"), (a, out, count), unordered=["outt"])
    with pytest.raises(ConfigError, match=r"compare\['out'\] must be a callable"):
        _check(module.get_function("compact"), (a, out, count), compare={"out": "rows"})
