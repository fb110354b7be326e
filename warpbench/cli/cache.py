"""``warpbench cache``: what the compile cache holds, and evicting or clearing it.

Without a flag it prints one row per compiler kind (entries, orphaned artefacts, MiB) and the
size limit. ``--prune`` evicts orphans and least recently used entries down to the limit
(what every store does when the cache is over it); ``--clear [KIND]`` removes every compiled
artefact, of one kind when named. The tuner's database is never touched.
"""
from __future__ import annotations


def add_parser(sub) -> None:
    """Register the sub-command."""
    p = sub.add_parser("cache", help="show the compile cache's size per kind; --prune or --clear it")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--prune", action="store_true",
                        help="evict orphans and least recently used entries down to WARPBENCH_CACHE_MAX_MB")
    action.add_argument("--clear", nargs="?", const="", metavar="KIND",
                        help="remove every compiled artefact (only KIND's, e.g. emu or nvcc, when given)")
    p.add_argument("--json", action="store_true", help="print the rows as a JSON array instead of a table")
    p.set_defaults(handler=handle)


def rows() -> list[dict]:
    """One row per compiler kind in the cache."""
    from warpbench.cache_limit import usage
    return [{"kind": u.kind, "entries": u.entries, "orphans": u.orphans, "mib": round(u.size / 2**20, 1)}
            for u in usage()]


def handle(args) -> int:
    """Show, prune or clear the cache."""
    from warpbench.cache import cache_root
    from warpbench.cache_limit import clear, kinds, max_bytes, prune
    from warpbench.cli.tables import print_json, table
    from warpbench.errors import ConfigError
    if args.clear is not None:
        if args.clear and args.clear not in kinds():
            raise ConfigError(f"argument --clear: no {args.clear!r} folder in {cache_root()} "
                              f"(kinds: {', '.join(kinds()) or 'none'})")
        removed = clear(args.clear or None)
        print(f"removed {removed} cache folder(s) from {cache_root()}")
        return 0
    if args.prune:
        count, freed = prune()
        print(f"evicted {count} entries ({freed / 2**20:.1f} MiB) from {cache_root()}")
        return 0
    found = rows()
    if args.json:
        print_json(found)
        return 0
    limit = max_bytes()
    print(table(["kind", "entries", "orphans", "MiB"],
                [[r["kind"], r["entries"], r["orphans"], r["mib"]] for r in found]))
    print(f"cache: {cache_root()}, limit {f'{limit / 2**20:.0f} MiB' if limit else 'none'} "
          "(WARPBENCH_CACHE_MAX_MB)")
    return 0
