"""LSTM kernels (cell, fused step) and sequence pipelines (GEMM + cell, fused, bidirectional) on the emulator."""
import numpy as np
import pytest

from warpbench.check import check_kernel
from warpbench.errors import ConfigError, DTypeError, ShapeError
from warpbench.kernels import get, select
from warpbench.kernels.specs.lstm import LSTM_FORWARD, sequence_reference
from warpbench.runtime.emu import EmuDevice

FAMILIES = ["lstm_cell", "lstm_step", "lstm_forward", "bilstm_forward", "broadcast_rows", "concat_columns"]
VARIANTS = [s.name for s in select(FAMILIES)]
# Batch one past an 8-row block, hidden size off every JT and 16/32-deep slice.
STEP_SWEEP = [{"B": 9, "H": 37, "dtype": "float32"}, {"B": 1, "H": 3, "dtype": "float32"}]
SEQUENCE = {"T": 3, "B": 3, "I": 5, "H": 7, "dtype": "float32"}


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_passes_every_check_problem(emu, assert_checks, name):
    assert_checks(check_kernel(emu.compile(name)))


def _step_configs():
    """The default, the smallest block, and seeded picks spanning JT, TB, KSPLIT and BK."""
    space = get("lstm_step").space()
    rng = np.random.default_rng(11)
    picks = [get("lstm_step").default_config, min(space, key=lambda c: (sum(c.values()), sorted(c.items())))]
    return picks + [space[i] for i in rng.choice(len(space), size=6, replace=False)]


@pytest.mark.parametrize("config", _step_configs())
def test_step_configs_compute_the_same_result(emu, assert_checks, config):
    assert_checks(check_kernel(emu.compile("lstm_step", config), STEP_SWEEP))


def test_fused_pipeline_passes_its_config_to_the_step(emu, assert_checks):
    config = {"JT": 2, "BT": 4, "TB": 2, "KSPLIT": 4, "BK": 8}
    assert_checks(check_kernel(emu.compile("bilstm_forward_fused", config), [SEQUENCE]))


@pytest.mark.parametrize("block", [64, 1024])
def test_cell_block_sizes(emu, assert_checks, block):
    assert_checks(check_kernel(emu.compile("lstm_cell", {"BLOCK": block})))


@pytest.mark.parametrize("name", ["lstm_step", "lstm_forward_fused", "bilstm_forward_gemm"])
def test_shared_memory_kernels_do_not_depend_on_the_schedule(name):
    problem = STEP_SWEEP[0] if name == "lstm_step" else SEQUENCE
    outputs = []
    for order in ("forward", "reverse", "random:5"):
        [result] = check_kernel(EmuDevice(thread_order=order, block_order=order).compile(name), [problem])
        assert result.ok, result.message
        outputs.append(result.outputs)
    for other in outputs[1:]:
        for key, value in outputs[0].items():
            np.testing.assert_array_equal(other[key], value)


def test_sequence_on_user_arrays_gives_hidden_states_and_final_cell(emu):
    inputs = LSTM_FORWARD.make_inputs(SEQUENCE, np.random.default_rng(2))
    names = LSTM_FORWARD.input_names
    hs, c_T = emu.compile("lstm_forward_fused").run(*(inputs[n] for n in names))
    expected_hs, expected_c = sequence_reference(*(inputs[n] for n in names))
    np.testing.assert_allclose(hs, expected_hs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c_T, expected_c, rtol=1e-5, atol=1e-5)


def test_wrong_weight_sizes_name_which_and_the_shapes(emu):
    inputs = LSTM_FORWARD.make_inputs(SEQUENCE, np.random.default_rng(3))
    kernel = emu.compile("lstm_forward_gemm")

    def run(**changes):
        return kernel.run(*({**inputs, **changes}[n] for n in LSTM_FORWARD.input_names))

    with pytest.raises(ShapeError, match=r"lstm_forward: W is 4x28, expected 5x28 \(input size 5, hidden size 7"):
        run(W=np.zeros((4, 28), np.float32))
    with pytest.raises(ShapeError, match=r"lstm_forward: b is 27, expected 28"):
        run(b=np.zeros(27, np.float32))
    with pytest.raises(ShapeError, match=r"lstm_forward: c0 is 3x6, expected 3x7 .* batch 3\)"):
        run(c0=np.zeros((3, 6), np.float32))
    with pytest.raises(ShapeError, match=r"lstm_forward: U must be an H x 4H matrix \(2-D\), got shape \(7,\)"):
        run(U=np.zeros(7, np.float32))
    with pytest.raises(ShapeError, match=r"lstm_forward: U is 7x20, expected 7x28"):
        run(U=np.zeros((7, 20), np.float32))
    with pytest.raises(DTypeError, match=r"lstm_forward: h0 has dtype float64, not supported \(float32\)"):
        run(h0=inputs["h0"].astype(np.float64))


def test_bidirectional_weights_are_checked_per_direction(emu):
    kernel = emu.compile("bilstm_forward_fused")
    x = np.zeros((2, 3, 5), np.float32)
    good = [np.zeros((5, 8), np.float32), np.zeros((2, 8), np.float32), np.zeros(8, np.float32)]
    with pytest.raises(ShapeError, match=r"bilstm_forward: U_b is 3x12, expected 2x8"):
        kernel.run(x, *good, good[0], np.zeros((3, 12), np.float32), good[2])


def test_cell_and_step_validate_their_operands(emu):
    with pytest.raises(ShapeError, match=r"lstm_cell: gates is 2x6, its width must be 4\*H"):
        emu.compile("lstm_cell").run(np.zeros((2, 6), np.float32), np.zeros((2, 1), np.float32))
    with pytest.raises(ShapeError, match=r"lstm_cell: c_prev is 2x3, expected 2x2"):
        emu.compile("lstm_cell").run(np.zeros((2, 8), np.float32), np.zeros((2, 3), np.float32))
    zeros = [np.zeros(s, np.float32) for s in ((2, 12), (2, 3), (2, 3), (3, 8))]
    with pytest.raises(ShapeError, match=r"lstm_step: U is 3x8, expected 3x12 \(batch 2, hidden size 3"):
        emu.compile("lstm_step").run(*zeros)


def test_broken_restrictions_are_refused():
    with pytest.raises(ConfigError, match="lstm_step: config .* breaks restriction 'BK % KSPLIT == 0'"):
        get("lstm_step").resolve({"KSPLIT": 32, "BK": 16})
    with pytest.raises(ConfigError, match=r"lstm_forward_fused: config .* breaks restriction "
                                          r"'JT \* \(BT // TB\) \* KSPLIT <= 1024'"):
        get("lstm_forward_fused").resolve({"JT": 32, "BT": 64, "TB": 1})


@pytest.mark.parametrize("family", FAMILIES)
def test_host_code_passes_every_check_problem(cpu, assert_checks, family):
    assert_checks(check_kernel(cpu.host_kernel(family)))
