"""Where and how embeddings run: threads, backend, device and precision, resolved from the
settings. Resolving the backend and the precision reads the machine (``/proc``) and never
imports torch; only a device other than ``cpu`` asks torch."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from retrieval.backends import Backend


class EmbeddingModelError(RuntimeError):
    pass


# Texts per batch when the setting is unset. 32 on a CPU, the size this project's CPU ingest has
# always used (bench/ingest.py measures it; compare NEWSDESK_EMBEDDING_BATCH_SIZE=64). A GPU
# wants larger batches to stay busy; 128 (CUDA) and 64 (MPS) are common starting points, not
# measured here (no GPU on this project's machines): set the batch size after measuring.
DEVICE_BATCH_SIZES: dict[str, int] = {"cpu": 32, "cuda": 128, "mps": 64}

# Texts per batch for torch in bfloat16 on the CPU when the setting is unset. A batch's
# activations are what an ingest's peak RSS is made of: within each ingest step the batches grow
# longer (sorted by length) and the heap with them. Full BBC `newsdesk ingest` (7,517 chunks; RSS
# sampled as bench/ingest_rss.py does; docs/performance.md, "Its batch size"): batch 32 peaked
# at 1,517 MB at 40.4 chunks/s, 16 at 1,192 MB at 42.2, 8 at 1,084 MB at 38.8.
BFLOAT16_CPU_BATCH_SIZE = 16


def embedding_threads(setting: int) -> int:
    """CPU threads for embedding: the setting; with 0, ``OMP_NUM_THREADS`` when set, else the
    cores this process may run on (``os.sched_getaffinity``: a container's or ``taskset``'s
    share, not the machine's count)."""
    if setting > 0:
        return setting
    omp = os.environ.get("OMP_NUM_THREADS", "").strip()
    if omp.isdigit() and int(omp) > 0:
        return int(omp)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS and Windows have no affinity
        return max(1, os.cpu_count() or 1)


# Where a GPU shows without importing torch (seconds, and hundreds of MB an onnx ingest avoids):
# NVIDIA's driver, or Apple silicon (MPS).
_NVIDIA_DRIVER = Path("/proc/driver/nvidia/version")

# Where a CPU lists what it can do, and the flags of the x86 CPUs that multiply bfloat16 in
# hardware (AVX512-BF16: AMD Zen 4 and later, Intel Cooper Lake; AMX: Intel Sapphire Rapids and
# later). Without one of them torch emulates bfloat16, slower than float32.
_CPUINFO = Path("/proc/cpuinfo")
_BFLOAT16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (read from ``/proc/cpuinfo``, so no
    torch import; another system, or a file that cannot be read, counts as no)."""
    try:
        text = _CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return not _BFLOAT16_FLAGS.isdisjoint(line.partition(":")[2].split())
    return False


def resolve_backend(backend: str, device: str) -> Backend:
    """``NEWSDESK_EMBEDDING_BACKEND=auto`` resolved: torch when a GPU is asked for
    (``NEWSDESK_EMBEDDING_DEVICE=cuda|mps``) or, with ``auto``, present (an NVIDIA driver, Apple
    silicon); on a CPU that multiplies bfloat16 in hardware, torch too (it then embeds in
    bfloat16: :func:`resolve_precision`); otherwise onnx, the same weights on ONNX Runtime.
    On the 2-core CPU host here onnx ingested 20.8 chunks/s against torch's float32 18.2 / 17.9
    at 821 MB peak RSS against 930 / 864 (`bench/ingest_heap.py --limit 300`, alternating, load
    1.3-1.7), with the same vectors (cosine > 0.9999); torch in bfloat16 is faster than both
    (`bench/backends.py`, docs/performance.md). Another value is returned as it is."""
    if backend != "auto":
        return backend  # type: ignore[return-value]
    if device in ("cuda", "mps"):
        return "torch"
    if device == "auto":
        import platform
        import sys

        apple_silicon = sys.platform == "darwin" and platform.machine() == "arm64"
        if _NVIDIA_DRIVER.exists() or apple_silicon:
            return "torch"
    return "torch" if native_bfloat16() else "onnx"


def resolve_precision(precision: str, backend: str, device: str) -> Literal["float32", "bfloat16"]:
    """``NEWSDESK_EMBEDDING_PRECISION`` for a backend on a resolved device. ``auto``: bfloat16
    for torch on a CPU that multiplies it in hardware (:func:`native_bfloat16`), float32
    everywhere else. bfloat16 runs the matrix products in bfloat16 under ``torch.autocast`` and
    keeps the weights, the normalisations and the vectors in float32: the vectors are float32
    torch's to a cosine above 0.9999 (tests/integration/test_embedding_backends.py), so they share
    a store. Only torch on the CPU does it here (a GPU was never measured on this project)."""
    if precision == "float32":
        return "float32"
    if precision == "bfloat16":
        if backend != "torch" or device != "cpu":
            raise EmbeddingModelError(
                "NEWSDESK_EMBEDDING_PRECISION=bfloat16 runs torch on the CPU, not the "
                f"{backend} backend on {device}: set NEWSDESK_EMBEDDING_BACKEND=torch and "
                "NEWSDESK_EMBEDDING_DEVICE=cpu, or the precision back to auto"
            )
        return "bfloat16"
    if precision != "auto":
        raise EmbeddingModelError(
            f"NEWSDESK_EMBEDDING_PRECISION={precision!r} is not one of auto, float32, bfloat16"
        )
    return "bfloat16" if backend == "torch" and device == "cpu" and native_bfloat16() else "float32"


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` if torch sees a CUDA device, else ``mps`` if available, else ``cpu``.

    A device named explicitly that torch cannot use raises :class:`EmbeddingModelError` saying
    why; it never falls back to the CPU silently (a GPU host would ingest 10x slower unnoticed).
    """
    if device == "cpu":
        return "cpu"
    import torch

    cuda = bool(torch.cuda.is_available())
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend is not None and mps_backend.is_available())
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if device == "cuda" and not cuda:
        built = "without CUDA" if torch.version.cuda is None else f"with CUDA {torch.version.cuda}"
        raise EmbeddingModelError(
            f"NEWSDESK_EMBEDDING_DEVICE=cuda, but torch {torch.__version__} (built {built}) sees "
            "no CUDA device; install a CUDA build of torch on a GPU host, or set it to auto or cpu"
        )
    if device == "mps" and not mps:
        raise EmbeddingModelError(
            f"NEWSDESK_EMBEDDING_DEVICE=mps, but torch {torch.__version__} cannot use Apple's "
            "MPS here (it needs Apple silicon and macOS 12.3+); set it to auto or cpu"
        )
    if device not in DEVICE_BATCH_SIZES:
        raise EmbeddingModelError(
            f"NEWSDESK_EMBEDDING_DEVICE={device!r} is not one of auto, cpu, cuda, mps"
        )
    return device
