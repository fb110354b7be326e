"""Kernel families: each module here defines its workloads and specs and registers them.

Modules are discovered, so adding a family means adding a file; ``common`` (inputs,
validation, tolerances) and ``geometry`` (launch shapes and their tunables) are helpers.
"""
import pkgutil

HELPERS = ("common", "geometry")
FAMILIES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in HELPERS))
