#!/usr/bin/env bash
# Issue 11 on a GPU: tune transpose_padded and sgemm_warptile on cuda, then benchmark them with
# the tuned configs (used automatically) next to the same-run copy reference. About 6 minutes
# on an H100-class GPU: transpose's 10 configs are brute-forced, SGEMM gets 240 s of TPE.
# Writes benchmarks/results/gpu-tune/: the SQLite database, each run in Kernel Tuner's T4 JSON,
# and the tables (best config starred, its speed-up over the default in the summary line).
# Run from the repository root: benchmarks/gpu/tune.sh
set -euo pipefail
python=${PYTHON:-python}
out=benchmarks/results/gpu-tune
mkdir -p "$out"
export WARPBENCH_TUNE_DB="$PWD/$out/tune.sqlite"
"$python" -m warpbench info
"$python" -m warpbench tune transpose_padded --device cuda --export "$out/transpose_padded.t4.json" | tee "$out/transpose_padded.md"
"$python" -m warpbench tune sgemm_warptile --device cuda --time-limit 240 --export "$out/sgemm_warptile.t4.json" | tee "$out/sgemm_warptile.md"
# The tuned configs (device.compile without --config), then the defaults, each with copy and cuBLAS where bench shows them.
"$python" -m warpbench bench transpose_padded sgemm_warptile --device cuda | tee "$out/bench_tuned.md"
WARPBENCH_TUNE_DB=/nonexistent/tune.sqlite "$python" -m warpbench bench transpose_padded sgemm_warptile --device cuda \
    | tee "$out/bench_default.md"
