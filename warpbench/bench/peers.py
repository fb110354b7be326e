"""Vendor libraries as same-run references: cuBLAS and cuDNN through CuPy or torch.

They are benchmark peers, never dependencies: each constructor raises SkipBenchmark
(an asv skip) when the library or a GPU is missing. CuPy and torch work on the primary
context and the legacy default stream, as our PyCUDA device does, so the very same
CUDA-event timing (with warm-up and L2 flush) measures them. TF32 is off everywhere: the
comparison is with FP32 kernels.
"""
from __future__ import annotations

import os

from warpbench.bench.cases import SkipBenchmark, TimedStep
from warpbench.errors import DeviceUnavailable


class PeerCase(TimedStep):
    """A library computation prepared on the cuda device, timed like a kernel case."""


def _cuda_device():
    from warpbench.runtime import get_device
    try:
        return get_device("cuda")
    except DeviceUnavailable as exc:
        raise SkipBenchmark(str(exc)) from None


def _import(library: str):
    try:
        if library == "cupy":
            import cupy
            if os.environ.get("CUPY_TF32") == "1":
                raise SkipBenchmark("CUPY_TF32=1 makes cuBLAS use TF32; unset it for the FP32 reference")
            return cupy
        if library == "torch":
            import torch
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cudnn.benchmark = True
            return torch
    except ImportError as exc:
        raise SkipBenchmark(f"{library} is not installed: {exc}") from None
    raise SkipBenchmark(f"unknown peer library {library!r} (cupy, torch)")


def _random(xp, shape):
    if xp.__name__ == "cupy":
        return xp.random.rand(*shape, dtype=xp.float32)
    return xp.rand(*shape, device="cuda")


def _empty(xp, shape):
    if xp.__name__ == "cupy":
        return xp.empty(shape, xp.float32)
    return xp.empty(shape, device="cuda")


def cublas_gemm(library: str, problem: dict) -> PeerCase:
    """cuBLAS SGEMM C = op(A)·op(B) on the problem's shapes (alpha 1, beta 0)."""
    device, xp = _cuda_device(), _import(library)
    shape_a = (problem["K"], problem["M"]) if problem["trans_a"] else (problem["M"], problem["K"])
    shape_b = (problem["N"], problem["K"]) if problem["trans_b"] else (problem["K"], problem["N"])
    a, b = _random(xp, shape_a), _random(xp, shape_b)
    op_a, op_b = (a.T if problem["trans_a"] else a), (b.T if problem["trans_b"] else b)
    c = _empty(xp, (problem["M"], problem["N"]))
    return PeerCase(f"cublas_sgemm[{library}]", device, lambda: xp.matmul(op_a, op_b, out=c))


def cublas_gemv(library: str, problem: dict) -> PeerCase:
    """cuBLAS SGEMV y = op(A)·x on the problem's shapes (A stored M×N)."""
    device, xp = _cuda_device(), _import(library)
    a = _random(xp, (problem["M"], problem["N"]))
    op_a = a.T if problem["trans"] else a
    x = _random(xp, (op_a.shape[1],))
    y = _empty(xp, (op_a.shape[0],))
    return PeerCase(f"cublas_sgemv[{library}]", device, lambda: xp.matmul(op_a, x, out=y))


def cudnn_conv2d(problem: dict) -> PeerCase:
    """cuDNN through torch: conv2d (+ bias, + ReLU as the problem says) on its NCHW shapes."""
    device, torch = _cuda_device(), _import("torch")
    p = problem
    x = torch.randn(p["N"], p["C"], p["H"], p["W"], device="cuda")
    w = torch.randn(p["K"], p["C"], p["R"], p["S"], device="cuda")
    b = torch.randn(p["K"], device="cuda") if p["bias"] else None
    options = {"stride": (p["stride_h"], p["stride_w"]), "padding": (p["pad_h"], p["pad_w"]),
               "dilation": (p["dil_h"], p["dil_w"])}

    def step():
        with torch.no_grad():
            out = torch.nn.functional.conv2d(x, w, b, **options)
            return torch.relu_(out) if p["relu"] else out
    return PeerCase("cudnn_conv2d[torch]", device, step)


def cudnn_lstm(problem: dict, bidirectional: bool = False) -> PeerCase:
    """cuDNN through torch.nn.LSTM (one layer) on x (T, B, I) with zero initial states."""
    device, torch = _cuda_device(), _import("torch")
    lstm = torch.nn.LSTM(problem["I"], problem["H"], bidirectional=bidirectional).cuda()
    x = torch.randn(problem["T"], problem["B"], problem["I"], device="cuda")

    def step():
        with torch.no_grad():
            return lstm(x)
    return PeerCase(f"cudnn_{'bi' if bidirectional else ''}lstm[torch]", device, step)
