"""``NEWSDESK_EMBEDDING_DEVICE``: resolved on this (CPU-only) machine, used for a real ingest,
and a device torch cannot use named explicitly is a clear error, never a silent CPU fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.runtime import (
    BFLOAT16_CPU_BATCH_SIZE,
    DEVICE_BATCH_SIZES,
    EmbeddingModelError,
    resolve_device,
)
from tests.support import SEEDS


def _has(device: str) -> bool:
    import torch

    if device == "cuda":
        return bool(torch.cuda.is_available())
    return bool(torch.backends.mps.is_available())


def test_auto_resolves_to_what_torch_can_use_and_ingests_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_EMBEDDING_DEVICE", "auto")
    monkeypatch.setenv("NEWSDESK_STORE_PATH", str(tmp_path / "store"))
    settings = load_settings(_env_file=None)
    assert settings.retrieval.embedding_device == "auto"
    assert settings.retrieval.embedding_batch_size is None
    expected = "cuda" if _has("cuda") else "mps" if _has("mps") else "cpu"
    kb = KnowledgeBase(settings.retrieval)
    assert kb.embeddings.device == expected
    bf16 = kb.embeddings.backend == "torch" and kb.embeddings.precision == "bfloat16"
    assert kb.embeddings.batch_size == (
        BFLOAT16_CPU_BATCH_SIZE if bf16 else DEVICE_BATCH_SIZES[expected]
    )
    report = kb.ingest(SEEDS)
    assert report.chunks_written > 0 and not report.problems
    # The model really runs there, and what it embedded is searchable.
    assert str(kb.embeddings.model.device).startswith(expected)
    assert kb.search("Johnson Russia sanctions", k=1)[0].article_id.startswith("seeds/")


def test_an_explicit_batch_size_wins_and_cpu_needs_no_torch_probe() -> None:
    embeddings = LocalEmbeddings(batch_size=7, device="cpu")
    assert (embeddings.device, embeddings.batch_size) == ("cpu", 7)
    assert resolve_device("cpu") == "cpu"


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_an_unavailable_device_named_explicitly_is_a_clear_error(device: str) -> None:
    if _has(device):
        pytest.skip(f"this machine has {device}")
    with pytest.raises(EmbeddingModelError, match=f"NEWSDESK_EMBEDDING_DEVICE={device}"):
        resolve_device(device)
    embeddings = LocalEmbeddings(device=device)  # type: ignore[arg-type]
    with pytest.raises(EmbeddingModelError, match="auto or cpu"):
        embeddings.encode(["a sentence"])


def test_an_unknown_device_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_EMBEDDING_DEVICE", "tpu")
    with pytest.raises(SettingsError, match="NEWSDESK_EMBEDDING_DEVICE"):
        load_settings(_env_file=None)
