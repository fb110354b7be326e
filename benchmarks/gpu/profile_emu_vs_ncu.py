"""On a GPU machine with Nsight Compute: the emulator's memory metrics next to ncu's.

Runs ``warpbench profile --json`` on emu and on cuda for the transpose study and two GEMM
variants at one problem each, and prints a markdown table for BENCHMARKS.md (a few minutes;
each ncu run replays one launch). Usage: ``python benchmarks/gpu/profile_emu_vs_ncu.py [--out FILE]``.
"""
import argparse
import json
import subprocess
import sys

CASES = [
    ("transpose_naive", "rows=1024,cols=1024"),
    ("transpose_coalesced", "rows=1024,cols=1024"),
    ("transpose_padded", "rows=1024,cols=1024"),
    ("sgemm_naive", "M=256,N=256,K=256,alpha=1.0,beta=0.0"),
    ("sgemm_smem", "M=256,N=256,K=256,alpha=1.0,beta=0.0"),
]
METRICS = [
    ("l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_ld.ratio", "ld sectors/req"),
    ("l1tex__average_t_sectors_per_request_pipe_lsu_mem_global_op_st.ratio", "st sectors/req"),
    ("derived__shared_wavefronts_per_request_op_ld.ratio", "shared ld ways"),
    ("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum", "shared ld conflicts"),
    ("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum", "shared st conflicts"),
]


def profile(kernel: str, problem: str, device: str) -> dict:
    """The metrics ``warpbench profile --json`` reports, or {} (with the error on stderr)."""
    done = subprocess.run([sys.executable, "-m", "warpbench", "profile", kernel, "--device", device,
                           "--problem", problem, "--json"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{kernel} on {device}: {done.stderr.strip()}", file=sys.stderr)
        return {}
    return json.loads(done.stdout)[0]["metrics"]


def shown(value) -> str:
    return "" if value is None else f"{value:g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    lines = ["| kernel | problem | " + " | ".join(f"{label} emu / ncu" for _, label in METRICS) + " |",
             "|---" * (2 + len(METRICS)) + "|"]
    for kernel, problem in CASES:
        emu, ncu = profile(kernel, problem, "emu"), profile(kernel, problem, "cuda")
        cells = [f"{shown(emu.get(name))} / {shown(ncu.get(name))}" for name, _ in METRICS]
        lines.append(f"| {kernel} | {problem} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
