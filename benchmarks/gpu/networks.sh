#!/usr/bin/env bash
# Issue 10 on a GPU: each of the book's networks (forward and train step, the book's sizes) on
# cuda with warpbench next to PyTorch in the same run, same shapes (networks_vs_torch.py), then
# the pytest-benchmark network groups (cpu host code, cuda, NumPy/PyTensor MLP) and one launch
# config sweep. Needs PyCUDA (pip install 'warpbench[cuda]') and a CUDA build of PyTorch.
# At most 7 minutes (each stage has a timeout), most of it compiling kernels on the first calls.
# Writes benchmarks/results/gpu-networks/. Never run by its author (no GPU there).
# Run from the repository root: benchmarks/gpu/networks.sh
set -euo pipefail
python=${PYTHON:-python}
out=benchmarks/results/gpu-networks
mkdir -p "$out"
"$python" -m warpbench info | tee "$out/info.md"
timeout 200 "$python" benchmarks/gpu/networks_vs_torch.py --out "$out/networks-vs-torch.json" --samples 20 \
    | tee "$out/networks-vs-torch.md"
timeout 150 "$python" -m pytest -q -p no:cacheprovider tests/benchmarks/test_networks_bench.py \
    -k "test_network_gpu or test_network_cpu or test_baseline" \
    --benchmark-max-time=0.5 --benchmark-min-rounds=3 --benchmark-json="$out/networks-bench.json" \
    --benchmark-columns=median,iqr,rounds | tee "$out/networks-bench.md"
timeout 50 "$python" -m warpbench networks --configs lenet --device cuda --limit 3 \
    --plot "$out/configs-lenet.svg" | tee "$out/configs-lenet.md"
