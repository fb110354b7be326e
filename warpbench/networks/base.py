"""The contract every network of the book meets: :class:`Network`.

A network module builds its symbolic graph (inputs ``x``, labels ``y``, class scores, a
mean loss) over shared parameters and hands it to :class:`Network`, which compiles the
phases lazily on one device: ``forward`` (probabilities), ``loss``, ``train_step`` (the loss,
with the optimizer's updates applied to the device-resident parameters). Graphs with a
separate inference form (batch norm, dropout) pass it as ``inference``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from warpbench.errors import ShapeError, WarpbenchError
from warpbench.graph import Variable, function
from warpbench.graph.basic import toposort
from warpbench.networks.optim import optimizer_updates


class ParameterFileError(WarpbenchError):
    """A parameter file that does not fit the network loading it (missing or reshaped parameters)."""


@dataclass
class Graph:
    """The symbolic pieces of a network: inputs, outputs and the parameters they read."""

    x: Variable
    y: Variable
    probabilities: Variable
    loss: Variable
    params: dict
    #: The probabilities for evaluation (batch norm from running statistics); None: ``probabilities``.
    inference: Variable | None = None
    #: Updates every training step applies besides the optimizer's (running statistics).
    state_updates: list = field(default_factory=list)
    #: Shared variables saved with the parameters but not trained (running statistics).
    state: dict = field(default_factory=dict)


class Network:
    """A compiled network on one device: the phases as functions, its parameters as shared variables.

    ``sample_inputs(rng)`` gives random inputs (and labels) of the book's sizes for benchmarks.
    """

    def __init__(self, name: str, graph: Graph, device=None, optimizer: str = "sgd", lr: float = 0.1,
                 momentum: float = 0.9, sample_inputs: Callable | None = None):
        self.name, self.graph, self.device = name, graph, device
        self.params = dict(graph.params)
        self.optimizer, self.lr, self.momentum = optimizer, lr, momentum
        self._sample = sample_inputs
        self._compiled: dict = {}
        #: Set before a phase first runs: its function records a per-node profile (``f.profile``).
        self.profile = False

    # -- phases ---------------------------------------------------------------------------

    def _function(self, phase: str):
        if phase not in self._compiled:
            g = self.graph
            if phase == "forward":
                fn = function([g.x], g.inference if g.inference is not None else g.probabilities,
                              device=self.device, name=f"{self.name}.forward", profile=self.profile)
            elif phase == "loss":
                fn = function([g.x, g.y], g.loss, device=self.device, name=f"{self.name}.loss", profile=self.profile)
            elif phase == "train_step":
                updates = optimizer_updates(self.optimizer, g.loss, list(self.params.values()), self.lr,
                                            self.momentum) + list(g.state_updates)
                fn = function([g.x, g.y], g.loss, device=self.device, updates=updates,
                              name=f"{self.name}.train_step", profile=self.profile)
            else:
                raise KeyError(phase)
            self._compiled[phase] = fn
        return self._compiled[phase]

    @property
    def functions(self) -> dict:
        """Phase name -> compiled function, for benchmarks: "forward", "loss", "train_step"."""
        return {phase: self._function(phase) for phase in ("forward", "loss", "train_step")}

    def forward(self, x) -> np.ndarray:
        """Class probabilities (rows sum to one) of the batch ``x``."""
        return self._function("forward")(x)

    def loss(self, x, y) -> float:
        """The mean cross-entropy of the batch as training computes it (batch norm from the
        batch's statistics), without training."""
        return float(self._function("loss")(x, y))

    def train_step(self, x, y) -> float:
        """One optimizer step on the batch; returns the loss before the step."""
        return float(self._function("train_step")(x, y))

    def predict(self, x) -> np.ndarray:
        """The most probable class of each example."""
        probabilities = self.forward(x)
        return probabilities.reshape(-1, probabilities.shape[-1]).argmax(axis=-1)

    def accuracy(self, x, y) -> float:
        """The fraction of examples (tokens, for a language model) whose most probable class is ``y``."""
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1)))

    def sample_inputs(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Random ``(x, y)`` of this network's benchmark sizes."""
        return self._sample(rng)

    # -- description ----------------------------------------------------------------------

    @property
    def n_params(self) -> int:
        """The number of trained scalars."""
        return int(sum(p.get_value(borrow=True).size for p in self.params.values()))

    @property
    def ops(self) -> list[str]:
        """The sorted op class names of the forward and loss graphs and their gradients."""
        from warpbench.graph import grad
        g = self.graph
        outputs = [g.probabilities, g.loss] + grad(g.loss, list(self.params.values()))
        if g.inference is not None:
            outputs.append(g.inference)
        return sorted({type(node.op).__name__ for node in toposort(outputs)})

    # -- parameters -----------------------------------------------------------------------

    def _saved(self) -> dict:
        return {**self.params, **self.graph.state}

    def save(self, path) -> Path:
        """Write the parameters (and running statistics) to ``path`` as .npz; returns the path."""
        path = Path(path)
        with path.open("wb") as f:
            np.savez(f, **{name: var.get_value() for name, var in self._saved().items()})
        return path

    def load(self, path) -> None:
        """Read parameters written by :meth:`save`; ParameterFileError when they do not fit."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                values = {name: data[name] for name in data.files}
        except (OSError, ValueError) as exc:
            raise ParameterFileError(f"{self.name}: cannot read parameters from {path}: {exc}") from None
        saved = self._saved()
        missing = sorted(set(saved) - set(values))
        if missing:
            raise ParameterFileError(f"{self.name}: {path} lacks parameters {', '.join(missing)}")
        for name, var in saved.items():
            want = var.get_value(borrow=True).shape
            if values[name].shape != want:
                raise ParameterFileError(f"{self.name}: parameter {name} in {path} is {values[name].shape}, "
                                         f"expected {want}")
        for name, var in saved.items():
            var.set_value(values[name].astype(var.dtype))

    def __repr__(self):
        return f"<Network {self.name} on {self.device or 'default'}: {self.n_params} parameters>"


def check_batch(network: str, batch: int) -> int:
    """``batch`` as a positive int, or a ShapeError naming the network."""
    if int(batch) != batch or batch < 1:
        raise ShapeError(f"{network}: batch must be a positive integer, got {batch!r}")
    return int(batch)
