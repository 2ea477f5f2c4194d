"""The embedding model on ONNX Runtime or OpenVINO instead of torch: the same weights, exported.

``NEWSDESK_EMBEDDING_BACKEND`` chooses the runtime: ``torch`` (sentence-transformers, the
default), ``onnx`` (ONNX Runtime), ``onnx-int8`` (ONNX Runtime, weights quantised to int8) or
``openvino`` (OpenVINO reading the same ONNX file). The ONNX file is exported from the packaged
weights on local disk, once, into this machine's cache folder (``~/.cache/newsdesk/models``, or
``NEWSDESK_MODEL_CACHE``; ``retrieval.settings.default_model_cache``); nothing is ever fetched.
``newsdesk ingest`` makes the ONNX file (it has torch loaded already) so that a one-shot
``newsdesk ask`` can embed its question with ONNX Runtime alone, without importing torch
(``LocalEmbeddings``' light query encoder, ``NEWSDESK_QUERY_ENCODER``).

Why not sentence-transformers' own ``backend="onnx"``: it needs ``optimum-onnx``, whose only
release pins ``transformers<4.58`` while sentence-transformers 6 needs ``transformers>=5``, so
the two cannot be installed together; ``optimum-intel`` (``backend="openvino"``) would downgrade
transformers and bring nncf and torchvision. So the export is ``torch.onnx.export`` of the same
Hugging Face model, and the encoder below does what sentence-transformers' modules do for this
model (tokenise with the model's own tokenizer, mean pooling, L2 normalisation).
``bench/backends.py`` measures each backend's speed, its cosine to torch and its recall.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

Backend = Literal["torch", "onnx", "onnx-int8", "openvino"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8", "openvino")

# Which backends make the same vectors, to within rounding: a store embedded with one may be
# searched with another. torch, onnx and openvino run the same float32 weights (cosine to torch
# > 0.9999 on BBC chunks: bench/backends.py); int8 weights move vectors much further (cosine
# down to ~0.91), so an int8 store is a different model and is never mixed with the others.
VECTOR_FAMILY: dict[str, str] = {
    "torch": "float32",
    "onnx": "float32",
    "openvino": "float32",
    "onnx-int8": "int8",
}

# What to install for each backend, named in the error when it is missing.
_EXTRAS = {"onnx": "onnx", "onnx-int8": "onnx", "openvino": "openvino"}
_RUNTIME = {"onnx": "onnxruntime", "onnx-int8": "onnxruntime", "openvino": "openvino"}


class BackendError(RuntimeError):
    """A backend that cannot run here (its package is missing, its model cannot be exported)."""


def _missing(backend: str, package: str) -> BackendError:
    return BackendError(
        f"NEWSDESK_EMBEDDING_BACKEND={backend} needs the Python package {package!r}, which is "
        f"not installed: pip install 'newsdesk[{_EXTRAS[backend]}]' (or set the backend to torch)"
    )


def model_key(model_path: Path) -> str:
    """A name for the exported copy that changes when the weights or the exporter change.

    The exporter's version is read from the installed package's metadata, not from ``torch``
    itself: finding an existing export must not cost the seconds importing torch takes."""
    parts = [str(model_path.resolve()), _installed_version("torch")]
    for name in sorted(os.listdir(model_path)):
        file = model_path / name
        if file.is_file():
            stat = file.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return f"{model_path.name}-{digest}"


class _Locked:
    """An exclusive lock on a file, across processes (and threads: one open file each)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    """``write`` into a temporary file beside ``target``, then rename it into place: a reader
    never sees half a model, whatever happens to the writer."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export_path(model_path: Path, cache: Path, backend: str) -> Path:
    """Where the ONNX file ``backend`` runs is (or will be) kept for ``model_path``."""
    name = "model-int8.onnx" if backend == "onnx-int8" else "model.onnx"
    return cache / model_key_cached(model_path) / name


def exported_model(model_path: Path, cache: Path, backend: str) -> Path:
    """The ONNX file ``backend`` runs, exported from ``model_path`` into ``cache`` at first use.

    Two processes exporting at once take turns on a lock file; the second finds the first's
    file and reuses it. Returns at once (no torch import) when the file is already there.
    """
    target = export_path(model_path, cache, backend)
    folder = target.parent
    if target.is_file():
        return target
    with _Locked(folder / ".export.lock"):
        if target.is_file():  # exported by another process while this one waited
            return target
        plain = folder / "model.onnx"
        if not plain.is_file():
            _atomic(plain, lambda tmp: _export(model_path, tmp))
        if backend == "onnx-int8":
            _atomic(target, lambda tmp: _quantize(plain, tmp))
    return target


def _installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


_KEYS: dict[Path, str] = {}
_KEYS_LOCK = threading.Lock()


def model_key_cached(model_path: Path) -> str:
    with _KEYS_LOCK:
        if model_path not in _KEYS:
            _KEYS[model_path] = model_key(model_path)
        return _KEYS[model_path]


def _export(model_path: Path, out: Path) -> None:
    """Export with torch in this process if torch is loaded here already (an ingest with the
    torch backend: seconds), else in a child process, so that a process embedding with ONNX
    Runtime never imports torch, transformers and the model's torch copy: hundreds of MB it
    would keep until it exits (an onnx ingest's peak RSS, docs/performance.md "Memory")."""
    try:
        import onnx  # noqa: F401  (torch's exporter needs it: say so here, not from the child)
    except ImportError as exc:
        raise _missing("onnx", "onnx") from exc
    if "torch" in sys.modules:
        _export_onnx(model_path, out)
        return
    # The parent's sys.path, so the child imports this very module (a checkout run with
    # PYTHONPATH, an installed package, a script that put its root on sys.path).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    code = (
        "import sys; from pathlib import Path; from retrieval.backends import _export_onnx; "
        "_export_onnx(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(model_path), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackendError(f"exporting {model_path} to ONNX failed in a child process: {last}")


def _export_onnx(model_path: Path, out: Path) -> None:
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
    except ImportError as exc:
        raise _missing("onnx", "onnx") from exc
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()

    class Hidden(torch.nn.Module):
        """The token embeddings alone: pooling and normalising are done outside, in numpy."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(["an example", "a longer example"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    # The tracer's warnings are about branches that are constant for this model (no cache, a
    # mask always given); the test suite checks the exported vectors against torch's.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(model),
            tuple(sample[n] for n in names),
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
            opset_version=17,
            # The TorchScript exporter: the dynamo one needs onnxscript, another dependency.
            dynamo=False,
        )


def _quantize(plain: Path, out: Path) -> None:
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise _missing("onnx-int8", "onnxruntime") from exc
    quantize_dynamic(str(plain), str(out), weight_type=QuantType.QInt8)


def check_backend(backend: str) -> None:
    """A clear :class:`BackendError` if ``backend`` cannot run here; imports its runtime."""
    if backend == "torch":
        return
    if backend not in BACKENDS:
        raise BackendError(
            f"NEWSDESK_EMBEDDING_BACKEND={backend!r} is not one of {', '.join(BACKENDS)}"
        )
    package = _RUNTIME[backend]
    try:
        __import__(package)
    except ImportError as exc:
        raise _missing(backend, package) from exc


class ExportedEncoder:
    """all-MiniLM-L6-v2's sentence embedding on ONNX Runtime or OpenVINO.

    Does what its sentence-transformers modules (``modules.json``: Transformer, mean Pooling,
    Normalize) do: the model's own tokenizer, truncation at ``max_seq_length``, texts sorted by
    length so a batch pads little, mean of the token vectors under the attention mask, L2 norm.
    """

    def __init__(
        self,
        model_path: Path,
        cache: Path,
        backend: str,
        threads: int = 0,
        *,
        export: bool = True,
        workers: int = 1,
    ) -> None:
        """``export`` False: use an export already in ``cache``, never make one (a
        :class:`BackendError` if there is none). ``workers``: batches encoded side by side,
        each on its own thread (with ``threads`` 1, a session per call stays on one core)."""
        check_backend(backend)
        check_mean_pooling(model_path)
        from tokenizers import Tokenizer

        self.backend = backend
        self.workers = max(1, workers)
        config = json.loads((model_path / "sentence_bert_config.json").read_text("utf-8"))
        self.max_tokens = int(config.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()
        if export:
            self.path = exported_model(model_path, cache, backend)
        else:
            self.path = export_path(model_path, cache, backend)
            if not self.path.is_file():
                raise BackendError(f"no exported model at {self.path}")
        self._run = _session(self.path, backend, threads)
        self.dimension = int(self.encode(["dimension"], 1).shape[1])

    def encode(self, texts: Sequence[str], batch_size: int, *, release: bool = False) -> np.ndarray:
        """``release``: give the runtime's memory for a batch back once it ran (ingest: see
        ``_session``); queries keep it, their tensors are small and come back at once."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = split_batches(order, batch_size, self.workers)
        if self.workers > 1 and len(batches) > 1:
            # ONNX Runtime releases the GIL while it runs: batches on several threads run on
            # several cores, each session call on one.
            with ThreadPoolExecutor(min(self.workers, len(batches))) as pool:
                results = list(
                    pool.map(lambda rows: self._batch([texts[i] for i in rows], release), batches)
                )
        else:
            results = [self._batch([texts[i] for i in rows], release) for rows in batches]
        out = np.zeros((len(texts), results[0].shape[1]), dtype=np.float32)
        for rows, vectors in zip(batches, results, strict=True):
            out[rows] = vectors
        return out

    def _batch(self, texts: list[str], release: bool = False) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        hidden = self._run(ids, mask, np.zeros_like(ids), release)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def split_batches(order: np.ndarray, batch_size: int, workers: int) -> list[np.ndarray]:
    """``order`` cut into batches of at most ``batch_size``, as even as the workers need.

    With one worker, plain batches of ``batch_size``. With more, the batch count is rounded up
    to a multiple of ``workers`` and the rows shared evenly: 36 evidence sentences at 32 a
    batch made batches of 32 and 4, one thread working while the other idled; now two of 18.
    Fewer than ``2 * workers`` rows stay one batch (a question and its parts: too small to
    share). A row's vector does not depend on which batch it is in (checked bit for bit in
    tests/integration/test_cold_ask.py)."""
    n = len(order)
    if workers <= 1 or n < 2 * workers:
        return [order[start : start + batch_size] for start in range(0, n, batch_size)]
    count = -(-n // batch_size)
    count = -(-count // workers) * workers
    size = -(-n // count)
    return [order[start : start + size] for start in range(0, n, size)]


Runner = Callable[[np.ndarray, np.ndarray, np.ndarray, bool], np.ndarray]


def _session(path: Path, backend: str, threads: int) -> Runner:
    if backend == "openvino":
        import openvino

        core = openvino.Core()
        config = {"INFERENCE_NUM_THREADS": threads} if threads > 0 else {}
        compiled = core.compile_model(core.read_model(str(path)), "CPU", config)

        def run_openvino(
            ids: np.ndarray, mask: np.ndarray, types: np.ndarray, release: bool
        ) -> np.ndarray:
            result = compiled({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            return np.asarray(result[0])

        return run_openvino
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    # ONNX Runtime keeps what a run allocated in its CPU arena, grown in powers of two and
    # never returned: over an ingest's batches of varying widths it only grows (500 BBC
    # articles: peak RSS at least 1,202 MB, above torch's). Shrinking the arena after each run
    # hands back the regions nothing uses, so the peak is about one batch's, whatever the
    # corpus size (bench/onnx_arena.py; docs/performance.md, "Memory").
    shrink = onnxruntime.RunOptions()
    shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run_onnx(ids: np.ndarray, mask: np.ndarray, types: np.ndarray, release: bool) -> np.ndarray:
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return np.asarray(session.run(None, feed, shrink if release else None)[0])

    return run_onnx


def check_mean_pooling(model_path: Path) -> None:
    """Only the shape of model this encoder reproduces: a Transformer, mean pooling, Normalize."""
    try:
        modules = json.loads((model_path / "modules.json").read_text("utf-8"))
        pooling = json.loads((model_path / "1_Pooling" / "config.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackendError(
            f"{model_path} is not a sentence-transformers model folder this backend can run "
            f"({exc}); use NEWSDESK_EMBEDDING_BACKEND=torch"
        ) from exc
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds != ["Transformer", "Pooling", "Normalize"] or not pooling.get(
        "pooling_mode_mean_tokens"
    ):
        raise BackendError(
            f"{model_path}: only Transformer + mean Pooling + Normalize models run on the "
            f"exported backends (this one has {kinds}); use NEWSDESK_EMBEDDING_BACKEND=torch"
        )
