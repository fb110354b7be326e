"""Each of the book's networks, forward and train step, on cuda with warpbench against PyTorch in
the same run, at the same shapes (the book's sizes and benchmark batch, warpbench.bench.networks).

Both sides are timed the same way: CUDA events around one call, the median of ``--samples``
calls after warm-up, inputs copied from the host and the result (probabilities, or the loss)
copied back, as warpbench's compiled phases do. Both use the same optimizer (SGD with
momentum for the MLP, LeNet and ResNet, Adam for the LSTMs) and float32; PyTorch runs with
cuDNN (its default), so this compares warpbench's kernels with vendor libraries.

Writes a Markdown table to stdout and the rows as JSON to ``--out``.
Usage: python benchmarks/gpu/networks_vs_torch.py [--out FILE] [--samples N] [--networks a,b]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

import numpy as np
import torch
from torch import nn

from warpbench.bench.networks import BOOK_BATCH, PHASES, network_names, network_step
from warpbench.bench.report.tables import fmt_seconds, table
from warpbench.networks import get


class MLP(nn.Module):
    """784-500-10, tanh (warpbench.networks.mlp)."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(inputs, hidden), nn.Tanh(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.body(x)


class LeNet(nn.Module):
    """Two conv + ReLU + 2x2 max-pool stages, dense ReLU, dense (warpbench.networks.lenet)."""

    def __init__(self, image, channels, filters, kernel, border, hidden, classes):
        super().__init__()
        padding = 0 if border == "valid" else kernel // 2
        side = image
        for _ in range(2):
            side = (side - kernel + 1 if border == "valid" else side) // 2
        self.body = nn.Sequential(
            nn.Conv2d(channels, filters[0], kernel, padding=padding), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(filters[0], filters[1], kernel, padding=padding), nn.MaxPool2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(filters[1] * side * side, hidden), nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.body(x)


class CharLSTM(nn.Module):
    """Embedding, LSTM, dense over the vocabulary per time step, time-major (warpbench.networks.char_lstm)."""

    def __init__(self, vocab, embed, hidden, steps):
        super().__init__()
        self.embed, self.lstm, self.out = nn.Embedding(vocab, embed), nn.LSTM(embed, hidden), nn.Linear(hidden, vocab)

    def forward(self, x):
        hs, _ = self.lstm(self.embed(x))
        return self.out(hs.reshape(-1, hs.shape[-1]))


class BiLSTM(nn.Module):
    """Embedding, forward and backward LSTM, the last state of each concatenated, dense (warpbench.networks.bilstm)."""

    def __init__(self, vocab, embed, hidden, steps, classes):
        super().__init__()
        self.hidden = hidden
        self.embed, self.lstm = nn.Embedding(vocab, embed), nn.LSTM(embed, hidden, bidirectional=True)
        self.out = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.out(torch.cat([out[-1, :, :self.hidden], out[0, :, self.hidden:]], dim=1))


class Block(nn.Module):
    """conv-BN-ReLU-conv-BN plus the shortcut, ReLU."""

    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width))

    def forward(self, x):
        return torch.relu(self.body(x) + x)


class ResNet(nn.Module):
    """Stem conv-BN-ReLU, ``blocks`` basic blocks, global average pool, dense (warpbench.networks.resnet)."""

    def __init__(self, image, channels, width, blocks, classes):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                                  nn.ReLU(), *[Block(width) for _ in range(blocks)],
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes))

    def forward(self, x):
        return self.body(x)


MODELS = {"mlp": MLP, "lenet": LeNet, "char_lstm": CharLSTM, "bilstm": BiLSTM, "resnet": ResNet}
OPTIMIZERS = {"mlp": ("sgd", 0.1), "lenet": ("sgd", 0.05), "char_lstm": ("adam", 0.01), "bilstm": ("adam", 0.01),
              "resnet": ("sgd", 0.05)}


def torch_phase(name: str, phase: str, x: np.ndarray, y: np.ndarray):
    """A function of no arguments running ``phase`` of the PyTorch twin of ``name`` on cuda."""
    model = MODELS[name](**get(name).BOOK).cuda()
    kind, lr = OPTIMIZERS[name]
    optimizer = (torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9) if kind == "sgd"
                 else torch.optim.Adam(model.parameters(), lr=lr))
    loss_of = nn.CrossEntropyLoss()
    if phase == "forward":
        model.eval()

        def forward():
            with torch.no_grad():
                return torch.softmax(model(torch.from_numpy(x).cuda()), dim=-1).cpu()
        return forward
    model.train()

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(model(torch.from_numpy(x).cuda()), torch.from_numpy(y).cuda().reshape(-1))
        loss.backward()
        optimizer.step()
        return loss.item()
    return train_step


def event_median(call, samples: int, warmup: int = 3) -> float:
    """Median seconds of one ``call`` between two CUDA events."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(samples):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return statistics.median(times)


def main(argv=None) -> int:
    """Time every network and phase both ways; print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/gpu-networks/networks-vs-torch.json")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--networks", default=",".join(network_names()))
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("networks_vs_torch: PyTorch sees no CUDA device", file=sys.stderr)
        return 2
    torch.backends.cudnn.benchmark = True
    rows = []
    for name in args.networks.split(","):
        for phase in PHASES:
            step = network_step(name, "cuda", phase)
            ours = step.measure(repeat=args.samples).median
            theirs = event_median(torch_phase(name, phase, step.x, step.y), args.samples)
            rows.append({"network": name, "phase": phase, "batch": BOOK_BATCH[name], "warpbench_s": ours,
                         "pytorch_s": theirs, "device": torch.cuda.get_device_name()})
            print(f"{name} {phase}: warpbench {fmt_seconds(ours)}, PyTorch {fmt_seconds(theirs)}", file=sys.stderr)
    print(table(["network", "phase", "batch", "warpbench cuda", "PyTorch cuda", "PyTorch speed-up"],
                [[r["network"], r["phase"], str(r["batch"]), fmt_seconds(r["warpbench_s"]), fmt_seconds(r["pytorch_s"]),
                  f"{r['warpbench_s'] / r['pytorch_s']:.3g}×"] for r in rows]))
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
