"""The book's networks (warpbench.networks at the book's sizes, random data): forward and train
step per network, device and batch. GPU seconds from CUDA events on cuda (skipped without a
GPU), seconds of the host code on the cpu device, and the MLP (NumPy, PyTensor) and LeNet
(NumPy) written out without warpbench, on the cpu at the same sizes. Launch configurations
across networks: ``warpbench networks --configs``.
"""
from warpbench.bench.network_baselines import BASELINES, baseline_step
from warpbench.bench.networks import PHASES, network_names, network_step

NETWORKS = network_names()
#: A small batch and the MLP and LeNet book batch.
BATCHES = [8, 64]

class NetworksGPU:
    """Device seconds of one call (median of CUDA-event samples, inputs from the host)."""

    params = (NETWORKS, list(PHASES), BATCHES)
    param_names = ["network", "phase", "batch"]
    unit = "seconds"
    timeout = 600

    def setup(self, network, phase, batch):
        self.step = network_step(network, "cuda", phase, batch)

    def track_gpu_seconds(self, network, phase, batch):
        return self.step.measure().median

class NetworksCPU:
    """Host code (the cpu device) on each network and phase."""

    params = (NETWORKS, list(PHASES), BATCHES)
    param_names = ["network", "phase", "batch"]
    timeout = 600

    def setup(self, network, phase, batch):
        self.step = network_step(network, "cpu", phase, batch)

    def time_step(self, network, phase, batch):
        self.step.run()

class Baselines:
    """The MLP in NumPy and PyTensor and LeNet in NumPy, the same shapes as NetworksCPU's."""

    params = ([f"{name} {impl}" for name, impls in BASELINES.items() for impl in impls], list(PHASES), BATCHES)
    param_names = ["baseline", "phase", "batch"]
    timeout = 300

    def setup(self, baseline, phase, batch):
        name, impl = baseline.split()
        step = network_step(name, "cpu", phase, batch)
        self.step = baseline_step(step.network, impl, phase, step.x, step.y)

    def time_step(self, baseline, phase, batch):
        self.step.run()
