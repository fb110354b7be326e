"""``warpbench networks``: the book's networks with the sizes ``warpbench train`` uses, their
parameter counts, their data and the ops of their graphs (forward, loss and gradients).

``--configs NETWORK``: that network's step time under each candidate launch configuration of
its GEMM, convolution and LSTM kernels, the defaults and the tuned configs
(:mod:`warpbench.bench.network_configs`), as a table and optionally an SVG chart (``--plot``).
"""
from __future__ import annotations

from warpbench.cli.args import device_kind, positive_integer, svg_output


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("networks", help="list the book's networks: parameters, data and the ops each uses")
    from warpbench.bench.network_configs import LIMIT
    from warpbench.bench.networks import PHASES
    from warpbench.networks import NETWORKS
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
    p.add_argument("--configs", choices=list(NETWORKS), metavar="NETWORK",
                   help="time NETWORK's step under each candidate config of its GEMM/conv/LSTM kernels")
    p.add_argument("--device", type=device_kind,
                   help="with --configs: cuda, emu or cpu (default: cuda if usable, else emu)")
    p.add_argument("--phase", choices=PHASES, default="train_step",
                   help="with --configs: the phase timed (default: train_step)")
    p.add_argument("--batch", type=positive_integer, help="with --configs: examples per step (default: the book's)")
    p.add_argument("--sizes", choices=("book", "tiny"),
                   help="with --configs: the book's sizes or tiny ones (default: tiny on emu, else the book's)")
    p.add_argument("--limit", type=positive_integer, default=LIMIT,
                   help=f"with --configs: candidate configs per kernel (default: {LIMIT})")
    p.add_argument("--plot", type=svg_output, help="with --configs: also write the chart to this .svg file")
    p.set_defaults(handler=handle)


def rows() -> list[dict]:
    """One row per network, built on the host at its training sizes and at the book's."""
    from warpbench.networks import NETWORKS, recipes
    result = []
    for name, module in NETWORKS.items():
        network = module.build(1, device="cpu", **recipes.sizes(name))
        book = module.build(1, device="cpu")
        result.append({"network": name, "parameters": network.n_params, "book_parameters": book.n_params,
                       "data": recipes.RECIPES[name].dataset, "ops": network.ops})
    return result


def handle_configs(args) -> int:
    """Sweep the launch configurations of ``args.configs`` and print the table (or JSON)."""
    from dataclasses import asdict

    from warpbench.bench.network_configs import config_chart, config_table, sweep_configs
    from warpbench.bench.networks import TINY, TINY_BATCH
    from warpbench.cli.tables import print_json
    from warpbench.runtime import get_device
    device = get_device(args.device)
    tiny = args.sizes == "tiny" or (args.sizes is None and device.emulated)
    sizes, batch = (TINY[args.configs], args.batch or TINY_BATCH) if tiny else (None, args.batch)
    rows = sweep_configs(args.configs, device.kind, args.phase, batch, sizes, limit=args.limit)
    if args.plot:
        args.plot.write_text(config_chart(rows))
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    print(f"{args.configs} {args.phase} on {device.name}, {'tiny' if tiny else 'book'} sizes")
    print(config_table(rows))
    if len(rows) == 1:
        print(f"{args.configs} launches no GEMM, convolution or LSTM kernel with configs to vary on {device.kind}")
    return 0


def handle(args) -> int:
    """Print the table (or JSON); with ``--configs``, the launch-configuration sweep."""
    from warpbench.cli.tables import print_json, table
    if args.configs:
        return handle_configs(args)
    listed = rows()
    if args.json:
        print_json(listed)
        return 0
    print(table(["network", "parameters", "at the book's sizes", "data", "ops"],
                [[r["network"], f"{r['parameters']:,}", f"{r['book_parameters']:,}", r["data"], " ".join(r["ops"])]
                 for r in listed]))
    return 0
