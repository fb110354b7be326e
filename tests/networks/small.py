"""Small sizes of every network, for tests that compile them on the emulator."""
import numpy as np

from warpbench.networks import NETWORKS

SMALL = {
    "mlp": dict(inputs=12, hidden=8, classes=3),
    "lenet": dict(image=8, filters=(2, 3), kernel=3, border="half", hidden=6, classes=3),
    "char_lstm": dict(vocab=7, embed=4, hidden=5, steps=6),
    "bilstm": dict(vocab=9, embed=4, hidden=5, steps=6, classes=2),
    "resnet": dict(image=6, channels=2, width=3, blocks=1, classes=3),
}
BATCH = 4


def small(name, device="cpu", seed=0, **options):
    """Network ``name`` at its small sizes, with a batch of random inputs and labels."""
    network = NETWORKS[name].build(BATCH, device=device, seed=seed, **SMALL[name], **options)
    x, y = network.sample_inputs(np.random.default_rng(seed))
    return network, x, y
