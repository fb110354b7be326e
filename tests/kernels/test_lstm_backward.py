"""LSTM backpropagation through time: its kernels and pipelines on the emulator, and its reference
against finite differences of the forward reference."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ShapeError
from warpbench.kernels import select
from warpbench.kernels.specs.lstm.backward import LSTM_BACKWARD
from warpbench.kernels.specs.lstm.reference import backward_reference, sequence_reference
from warpbench.runtime.emu import EmuDevice

FAMILIES = ["lstm_cell_states", "lstm_cell_backward", "split_columns", "lstm_backward", "bilstm_backward"]
VARIANTS = [s.name for s in select(FAMILIES)]
SEQUENCE = {"T": 3, "B": 3, "I": 5, "H": 7, "dtype": "float32"}


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


@pytest.mark.parametrize("block", [32, 1024])
def test_cell_kernels_at_other_block_sizes(emu, assert_checks, block):
    for name in ("lstm_cell_states", "lstm_cell_backward"):
        assert_checks(check_kernel(emu.compile(name, {"BLOCK": block})))


@pytest.mark.parametrize("reverse", [False, True])
def test_reference_matches_finite_differences_of_the_forward(reverse):
    rng = np.random.default_rng(4)
    T, B, I, H = 3, 2, 3, 2
    args = [rng.uniform(-1, 1, s) for s in [(T, B, I), (I, 4 * H), (H, 4 * H), (4 * H,), (B, H), (B, H)]]
    P, Q = rng.uniform(size=(T, B, H)), rng.uniform(size=(B, H))

    def cost(values):
        hs, c = sequence_reference(*values, reverse=reverse)
        return (hs * P).sum() + (c * Q).sum()

    hs, _ = sequence_reference(*args, reverse=reverse)
    analytic = backward_reference(*args, hs, P, Q, reverse=reverse)
    for k, point in enumerate(args):
        for index in np.ndindex(point.shape):
            up, down = [a.copy() for a in args], [a.copy() for a in args]
            up[k][index] += 1e-6
            down[k][index] -= 1e-6
            assert analytic[k][index] == pytest.approx((cost(up) - cost(down)) / 2e-6, abs=1e-7)


def test_pipeline_does_not_depend_on_the_schedule():
    outputs = []
    for order in ("forward", "reverse", "random:3"):
        [result] = check_kernel(EmuDevice(thread_order=order, block_order=order).compile("bilstm_backward"),
                                [SEQUENCE])
        assert result.ok, result.message
        outputs.append(result.outputs)
    for other in outputs[1:]:
        for key, value in outputs[0].items():
            np.testing.assert_array_equal(other[key], value)


def test_wrong_shapes_name_the_array_and_the_expected_shape(emu):
    inputs = LSTM_BACKWARD.make_inputs(SEQUENCE, np.random.default_rng(5))
    kernel = emu.compile("lstm_backward")

    def run(**changes):
        return kernel.run(*({**inputs, **changes}[n] for n in LSTM_BACKWARD.input_names))

    with pytest.raises(ShapeError, match=r"lstm_backward: dhs is 3x3x6, expected 3x3x7 \(1 direction\(s\) of hidden"):
        run(dhs=np.zeros((3, 3, 6), np.float32))
    with pytest.raises(ShapeError, match=r"lstm_backward: dc_T is 3x6, expected 3x7"):
        run(dc_T=np.zeros((3, 6), np.float32))
    with pytest.raises(ShapeError, match=r"lstm_cell_backward: gates is 2x6, its width must be 4\*H"):
        emu.compile("lstm_cell_backward").run(*(np.zeros(s, np.float32) for s in [(2, 6)] + [(2, 1)] * 4))
    with pytest.raises(ShapeError, match=r"split_columns: in is 2x5, its width must be even"):
        emu.compile("split_columns").run(np.zeros((2, 5), np.float32))
