"""Benchmarks: timing with warm-up and medians, same-run references, reports."""
