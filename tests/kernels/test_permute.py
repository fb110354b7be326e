"""The generated permute kernels against NumPy: orders with new and dropped extent-1 axes,
awkward shapes, several dtypes, outputs poisoned, on the emulator (and a GPU when there is one)."""
import numpy as np
import pytest

from warpbench.kernels.permute import launch_permute, permute_spec

CASES = [((), ()), ((), ("x", "x")), ((1,), ()), ((7,), (0,)), ((7,), ("x", 0, "x")), ((3, 5), (1, 0)),
         ((1, 13), (1,)), ((2, 7, 3), (2, 0, 1)), ((3, 1, 7, 2), (3, "x", 2, 0)), ((5, 3, 2, 7), (1, 3, 0, 2)),
         ((2, 0, 3), (2, 1, 0)), ((37, 41), (1, 0))]
POISON = {"float32": np.nan, "float64": np.nan, "int32": -7, "int64": -7, "uint8": 201}


def numpy_permute(a, order):
    dropped = [i for i in range(a.ndim) if i not in order]
    kept = np.transpose(a, [o for o in order if o != "x"] + dropped)
    return kept.reshape(tuple(1 if o == "x" else a.shape[o] for o in order))


def permute_on(device, a, order):
    kernel = device.compile(permute_spec(a.dtype.name, len(order)))
    return launch_permute(kernel, device.to_device(a), order).get()


@pytest.mark.parametrize("dtype", list(POISON))
@pytest.mark.parametrize("shape, order", CASES, ids=[str(c) for c in CASES])
def test_matches_numpy_with_poisoned_outputs(emu, monkeypatch, dtype, shape, order):
    allocate = emu.empty
    monkeypatch.setattr(emu, "empty", lambda s, d, fill=None: allocate(s, d, fill=POISON[dtype]))
    a = (np.random.default_rng(0).uniform(0, 100, shape)).astype(dtype)
    got, want = permute_on(emu, a, order), numpy_permute(a, order)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.gpu
def test_matches_numpy_on_the_gpu(cuda):
    for shape, order in CASES + [((64, 33, 17), (2, 0, 1))]:
        a = np.random.default_rng(1).standard_normal(shape)
        np.testing.assert_array_equal(permute_on(cuda, a, order), numpy_permute(a, order))
