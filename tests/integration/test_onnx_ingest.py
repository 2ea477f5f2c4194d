"""An ingest with ``NEWSDESK_EMBEDDING_BACKEND=onnx`` never imports torch, sentence-transformers
or transformers, even on a machine whose model cache holds no export yet (the export is made in
a child process): that is what keeps its peak RSS down (docs/performance.md, "Memory"). Its
store is the torch backend's: the same chunks, vectors equal within rounding, the same dense
ranking, and a torch ingest over it finds nothing to re-embed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import backends
from retrieval.catalog import VECTORS_KEY
from retrieval.embeddings import LocalEmbeddings, resolve_model_path
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import DEFAULT_EMBEDDING_MODEL, RetrievalSettings
from tests.support import REPO, SEEDS

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

HEAVY = ("torch", "sentence_transformers", "transformers")
QUESTION = "What did Johnson say about Russia?"

# The real CLI entry point; reports, as the process exits, which heavy modules it loaded.
PROBE = f"""
import atexit, json, sys
def report():
    loaded = [m for m in {HEAVY!r} if sys.modules.get(m) is not None]
    sys.stderr.write("LOADED=" + json.dumps(loaded) + "\\n")
atexit.register(report)
sys.argv = ["newsdesk", *json.loads(sys.argv[1])]
from bot.terminal.cli import main
main()
"""


def _vectors(kb: KnowledgeBase) -> dict[str, np.ndarray]:
    got = kb.store.collection.get(include=["embeddings"])  # type: ignore[attr-defined]
    pairs = zip(got["ids"], got["embeddings"], strict=True)
    return {i: np.asarray(v, dtype=np.float32) for i, v in pairs}


def test_an_onnx_ingest_imports_no_torch_and_makes_the_torch_store(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    cache = tmp_path / "models"  # a fresh machine: nothing exported yet
    onnx_store = tmp_path / "onnx-store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        NEWSDESK_STORE_PATH=str(onnx_store),
        NEWSDESK_EMBEDDING_BACKEND="onnx",
        NEWSDESK_MODEL_CACHE=str(cache),
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(["ingest", str(SEEDS)])],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED="))
    assert json.loads(line.removeprefix("LOADED=")) == []
    # The export was made (by a child process) where every later process finds it.
    model = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    assert backends.export_path(model, cache, "onnx").is_file()

    onnx_config = RetrievalSettings(store_path=onnx_store, model_cache=cache)
    torch_config = onnx_config.model_copy(update={"store_path": tmp_path / "torch-store"})
    torch_kb = KnowledgeBase(torch_config, embeddings)
    torch_kb.ingest(SEEDS)
    onnx_kb = KnowledgeBase(onnx_config, embeddings)
    assert onnx_kb.store.info()[VECTORS_KEY] == torch_kb.store.info()[VECTORS_KEY] == "float32"

    by_onnx, by_torch = _vectors(onnx_kb), _vectors(torch_kb)
    assert by_onnx.keys() == by_torch.keys() and by_onnx
    cosines = [float(by_onnx[i] @ by_torch[i]) for i in by_onnx]
    assert min(cosines) > 0.9999
    dense = [h.chunk_id for h in torch_kb.search(QUESTION, mode="dense")]
    assert [h.chunk_id for h in onnx_kb.search(QUESTION, mode="dense")] == dense

    # Interchangeable: the torch backend extends the onnx store without re-embedding anything.
    again = onnx_kb.ingest(SEEDS)
    assert again.chunks_written == 0 and again.articles_unchanged == 1
