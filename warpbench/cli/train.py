"""``warpbench train NETWORK``: train one of the book's networks on its data set (data.py) on a
device, with a progress bar (loss, accuracy, samples/s) on a terminal and one line per epoch,
then the final test accuracy; ``--save`` writes the parameters (.npz).
"""
from __future__ import annotations

import time

from warpbench.cli.args import device_kind, integer_at_least, npz_output, positive_integer, positive_number
from warpbench.cli.progress import track


def add_parser(sub) -> None:
    """Register the sub-command."""
    from warpbench.networks import NETWORKS
    from warpbench.networks.optim import OPTIMIZERS
    p = sub.add_parser("train", help="train one of the book's networks on its data set and print its test accuracy")
    p.add_argument("network", choices=list(NETWORKS), help="the network (see `warpbench networks`)")
    p.add_argument("--device", type=device_kind, default="cpu", help="cpu, emu or cuda (default: cpu)")
    p.add_argument("--epochs", type=positive_integer, help="passes over the training set (default: the network's)")
    p.add_argument("--batch", type=positive_integer, help="examples per step (default: the network's)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="sgd (with momentum 0.9) or adam (default: the network's)")
    p.add_argument("--lr", type=positive_number, help="learning rate (default: the network's)")
    p.add_argument("--seed", type=integer_at_least(0), default=0,
                   help="seed of the initial parameters and of the shuffling (default: 0)")
    p.add_argument("--steps", type=positive_integer, help="stop after this many training steps (a few on emu)")
    p.add_argument("--save", type=npz_output, help="write the trained parameters to this .npz file")
    p.add_argument("--threads", type=positive_integer,
                   help="BLAS/OpenMP threads of the host code (default: the libraries' own; 1 on a busy machine)")
    p.set_defaults(handler=handle)


class _Status:
    """The running figures the progress bar shows next to each step."""

    def __init__(self, accuracy: str = "-"):
        self.losses, self.samples, self.start, self.accuracy = [], 0, time.perf_counter(), accuracy

    def step(self, loss: float, samples: int) -> None:
        """Record one training step."""
        self.losses.append(loss)
        self.samples += samples

    def text(self) -> str:
        """loss (mean of the last 20 steps), the last test accuracy, samples per second."""
        recent = self.losses[-20:]
        loss = f"{sum(recent) / len(recent):.4f}" if recent else "-"
        rate = self.samples / max(time.perf_counter() - self.start, 1e-9)
        return f"loss {loss}  test acc {self.accuracy}  {rate:,.0f} samples/s"


def handle(args) -> int:
    """Train under ``--threads`` BLAS/OpenMP threads when given."""
    if args.threads is None:
        return _train(args)
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=args.threads):
        return _train(args)


def _train(args) -> int:
    """Build, train and evaluate the network; print one line per epoch and the test accuracy."""
    from warpbench.networks import get, recipes, training
    recipe = recipes.RECIPES[args.network]
    epochs, batch = args.epochs or recipe.epochs, args.batch or recipe.batch
    optimizer, lr = args.optimizer or recipe.optimizer, args.lr or recipe.lr
    split = recipe.data()
    network = get(args.network).build(batch, device=args.device, seed=args.seed, optimizer=optimizer, lr=lr,
                                      **recipes.sizes(args.network))
    print(f"{args.network} on {args.device}: {network.n_params:,} parameters, {recipe.dataset}; "
          f"{epochs} epochs of batch {batch}, {optimizer} lr={lr:g}"
          + (f", at most {args.steps} steps" if args.steps else ""))
    status = _Status()

    def bar(items, epoch):
        return track(items, f"epoch {epoch}/{epochs}", label=lambda _: status.text())

    history = []
    for epoch in training.fit(network, split, epochs, batch, args.seed, args.steps, bar, status.step):
        status.accuracy = f"{epoch.test_accuracy:.4f}"
        history.append(epoch)
        print(f"epoch {epoch.number:>3}  loss {epoch.loss:.4f}  test accuracy {epoch.test_accuracy:.4f}  "
              f"{epoch.samples_per_second:,.0f} samples/s", flush=True)
    seconds = sum(e.seconds for e in history)
    print(f"final test accuracy {history[-1].test_accuracy:.4f} ({len(split.y_test.reshape(-1))} test "
          f"{'characters' if args.network == 'char_lstm' else 'examples'}; {seconds:.1f} s training)")
    if args.network == "char_lstm":
        seed_text = network.vocabulary.decode(split.x_test[:16, 0])  # the test text's first characters
        print("sample:", repr(network.sample(seed_text, 120, temperature=0.7)))
    if args.save:
        print(f"saved parameters to {network.save(args.save)}")
    return 0

