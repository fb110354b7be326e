"""``warpbench networks``: the book's networks with the sizes ``warpbench train`` uses, their
parameter counts, their data and the ops of their graphs (forward, loss and gradients)."""
from __future__ import annotations


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("networks", help="list the book's networks: parameters, data and the ops each uses")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
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


def handle(args) -> int:
    """Print the table (or JSON)."""
    from warpbench.cli.tables import print_json, table
    listed = rows()
    if args.json:
        print_json(listed)
        return 0
    print(table(["network", "parameters", "at the book's sizes", "data", "ops"],
                [[r["network"], f"{r['parameters']:,}", f"{r['book_parameters']:,}", r["data"], " ".join(r["ops"])]
                 for r in listed]))
    return 0
