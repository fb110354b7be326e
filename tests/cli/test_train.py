"""``warpbench train`` and ``warpbench networks``: output, saved parameters, one-line errors."""
import json
import re

import pytest

from warpbench.networks import get, recipes
from tests.cli.support import assert_one_line_error, run_cli


def test_train_mlp_prints_epochs_and_the_final_accuracy_and_saves(capsys, tmp_path):
    path = tmp_path / "mlp.npz"
    code, out, err = run_cli(capsys, "train", "mlp", "--epochs", "2", "--save", str(path), "--threads", "1")
    assert code == 0, err
    assert "mlp on cpu: 4,810 parameters, scikit-learn's 8x8 digits" in out
    assert len(re.findall(r"^epoch +\d+  loss [\d.]+  test accuracy 0\.\d{4}  [\d,]+ samples/s$", out, re.M)) == 2
    accuracy = float(re.search(r"final test accuracy (\d\.\d+) \(359 test examples", out).group(1))
    network = get("mlp").build(32, device="cpu", **recipes.sizes("mlp"))
    network.load(path)
    split = recipes.RECIPES["mlp"].data()
    assert network.accuracy(split.x_test, split.y_test) == pytest.approx(accuracy, abs=1e-4) and accuracy > 0.8


def test_train_on_emu_takes_the_cpu_steps(capsys, emu):
    losses = {}
    for device in ("cpu", "emu"):
        code, out, err = run_cli(capsys, "train", "mlp", "--device", device, "--steps", "3", "--batch", "8")
        assert code == 0, err
        losses[device] = float(re.search(r"^epoch +1  loss ([\d.]+)", out, re.M).group(1))
    assert losses["emu"] == pytest.approx(losses["cpu"], rel=1e-3)


def test_train_char_lstm_prints_a_sample(capsys):
    code, out, err = run_cli(capsys, "train", "char_lstm", "--epochs", "1", "--steps", "2", "--threads", "1")
    assert code == 0, err
    assert re.search(r"final test accuracy 0\.\d{4} \(\d+ test characters", out)
    assert re.search(r"^sample: '.{136}'$", out, re.M), out


@pytest.mark.parametrize("argv, fragments", [
    (["train", "vgg"], ["argument network: invalid choice: 'vgg'"]),
    (["train", "mlp", "--lr", "0"], ["argument --lr", "above 0, got 0"]),
    (["train", "mlp", "--batch", "0"], ["argument --batch", "at least 1, got 0"]),
    (["train", "mlp", "--optimizer", "rmsprop"], ["argument --optimizer", "'rmsprop'"]),
    (["train", "mlp", "--save", "params.txt"], ["argument --save", "params.txt does not end in .npz"]),
    (["train", "mlp", "--device", "tpu"], ["argument --device", "unknown device 'tpu'"]),
])
def test_bad_train_flags_are_one_line_errors(capsys, argv, fragments):
    code, _, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, *fragments)


def test_networks_lists_every_network_with_its_parameters_and_ops(capsys):
    code, out, err = run_cli(capsys, "networks", "--json")
    assert code == 0, err
    rows = {r["network"]: r for r in json.loads(out)}
    assert list(rows) == ["mlp", "lenet", "char_lstm", "bilstm", "resnet"]
    assert rows["mlp"]["parameters"] == 64 * 64 + 64 + 64 * 10 + 10
    assert rows["mlp"]["book_parameters"] == 784 * 500 + 500 + 500 * 10 + 10
    assert "LSTM" in rows["char_lstm"]["ops"] and "BiLSTM" in rows["bilstm"]["ops"]
    assert "SYNTHETIC" in rows["bilstm"]["data"]
    code, out, _ = run_cli(capsys, "networks")
    assert code == 0 and "| resnet" in out and "BatchNormTrain" in out
    assert all(f"| {name}" in out for name in rows)
