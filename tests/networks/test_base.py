"""The Network contract: phases, description, parameter files, the registry."""
import numpy as np
import pytest

from warpbench.errors import ShapeError, UnknownNameError
from warpbench.graph.transfer import GpuFromHost, HostFromGpu, placement
from warpbench.networks import NETWORKS, get
from warpbench.networks.base import ParameterFileError
from tests.networks.small import SMALL, small

#: An op each network's graph must hold: the layer that makes it what it is.
SIGNATURE_OPS = {"mlp": {"Dot", "Softmax"}, "lenet": {"Conv2d", "Pool", "Conv2dGradWeights"},
                 "char_lstm": {"LSTM", "LSTMGrad", "AdvancedSubtensor1"}, "bilstm": {"BiLSTM", "BiLSTMGrad", "Join"},
                 "resnet": {"BatchNormTrain", "BatchNormTrainGrad", "Conv2d"}}


@pytest.mark.parametrize("name", list(SMALL))
def test_phases_shapes_and_description(name):
    network, x, y = small(name)
    probabilities = network.forward(x)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert network.accuracy(x, y) == pytest.approx(np.mean(probabilities.argmax(-1) == y.reshape(-1)))
    assert set(network.functions) == {"forward", "loss", "train_step"}
    assert network.n_params == sum(p.get_value().size for p in network.params.values())
    assert SIGNATURE_OPS[name] <= set(network.ops) and network.ops == sorted(network.ops)


@pytest.mark.parametrize("name", list(SMALL))
def test_save_and_load_round_trip(tmp_path, name):
    trained, x, y = small(name)
    for _ in range(3):
        trained.train_step(x, y)
    path = trained.save(tmp_path / f"{name}.npz")
    fresh, _, _ = small(name, seed=1)
    assert not np.allclose(fresh.forward(x), trained.forward(x))
    fresh.load(path)
    np.testing.assert_allclose(fresh.forward(x), trained.forward(x), rtol=1e-6)
    assert fresh.loss(x, y) == pytest.approx(trained.loss(x, y), rel=1e-6)


def test_resnet_saves_its_running_statistics(tmp_path):
    network, x, y = small("resnet")
    network.train_step(x, y)
    with np.load(network.save(tmp_path / "r.npz")) as saved:
        assert not np.allclose(saved["stem.bn.mean"], 0.0)


def test_resnet_on_a_device_moves_only_its_inputs_and_outputs(emu):
    network, x, y = small("resnet", device="emu")
    for name, f in network.functions.items():
        order = f.fgraph.toposort()
        host = {type(n.op).__name__ for n in order if placement(n) == "cpu"}
        assert host <= {"InferredShape"}, (name, host)  # element counts of means: int64 scalars
        for node in order:
            if isinstance(node.op, GpuFromHost):
                source = node.inputs[0]
                assert source.owner is None or source.ndim == 0, (name, str(node))
            if isinstance(node.op, HostFromGpu):
                assert node.outputs[0] in f.fgraph.outputs, (name, str(node.inputs[0]))
    network.train_step(x, y)


def test_load_names_a_missing_or_reshaped_parameter(tmp_path):
    network, _, _ = small("mlp")
    values = {k: v.get_value() for k, v in network.params.items()}
    np.savez(tmp_path / "missing.npz", **{k: v for k, v in values.items() if k != "W2"})
    with pytest.raises(ParameterFileError, match="lacks parameters W2"):
        network.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "reshaped.npz", **{**values, "b1": np.zeros(3, np.float32)})
    with pytest.raises(ParameterFileError, match=r"b1 .* is \(3,\), expected \(8,\)"):
        network.load(tmp_path / "reshaped.npz")
    with pytest.raises(ParameterFileError, match="cannot read"):
        network.load(tmp_path / "absent.npz")


def test_registry_and_batch_errors():
    assert list(NETWORKS) == ["mlp", "lenet", "char_lstm", "bilstm", "resnet"]
    assert get("lenet") is NETWORKS["lenet"]
    with pytest.raises(UnknownNameError, match="unknown network 'vgg'.*mlp, lenet"):
        get("vgg")
    with pytest.raises(ShapeError, match="mlp: batch must be a positive integer, got 0"):
        get("mlp").build(0)


@pytest.mark.parametrize("name", list(SMALL))
def test_sample_inputs_have_the_book_sizes(name):
    module = NETWORKS[name]
    x, y = module.build(3, device="cpu").sample_inputs(np.random.default_rng(0))
    book = module.BOOK
    expected = {"mlp": (3, book.get("inputs")), "lenet": (3, 1, book.get("image"), book.get("image")),
                "char_lstm": (book.get("steps"), 3), "bilstm": (book.get("steps"), 3),
                "resnet": (3, book.get("channels"), book.get("image"), book.get("image"))}[name]
    assert x.shape == expected
