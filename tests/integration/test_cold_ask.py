"""A cold one-shot ``newsdesk ask``: the light query encoder (ONNX Runtime over the export that
ingest makes) embeds the question and the answer's sentences, so the process never imports torch
or sentence-transformers; its vectors are torch's and its answer is the same, byte for byte;
without an export (or ONNX Runtime) it falls back to the backend, saying so in the log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.settings import SettingsError, load_settings
from retrieval import backends
from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import LIGHT_BATCH_SIZE, LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from retrieval.settings import RetrievalSettings
from tests.support import REPO, SEEDS

pytest.importorskip("onnxruntime")

QUESTION = "What did Johnson say about Russia?"
# The embedding libraries, the ingest side (its loaders read YAML, HTML, PDF...), and the other
# front ends and the evaluation, which a process that only searches and answers never needs.
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "retrieval.ingest",
    "retrieval.loaders",
    "langchain_text_splitters",
    "sklearn",
    "slack_bolt",
    "bot.slack",
    "bot.server",
    "bot.eval",
)
# What answering loads: a question refused at validation loads none of it.
ANSWERING = ("chromadb", "spacy", "onnxruntime", "bm25s", "bot.core", "retrieval.knowledge_base")

# Runs the real CLI entry point and reports, as the process exits (after the CLI's own exit
# handlers: registered first, this one runs last), which of the modules named in argv[2] it
# loaded, and whether the objects alive then were frozen for the collector (``gc.freeze``).
PROBE = """
import atexit, gc, json, sys
watched = json.loads(sys.argv[2])
def report():
    loaded = [m for m in watched if sys.modules.get(m) is not None]
    sys.stderr.write("LOADED=" + json.dumps(loaded) + "\\n")
    sys.stderr.write("FROZEN=" + json.dumps(gc.get_freeze_count() > 0) + "\\n")
atexit.register(report)
sys.argv = ["newsdesk", *json.loads(sys.argv[1])]
from bot.terminal.cli import main
main()
"""


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> Path:
    """The seeds ingested (by torch) into a store; the session's cache holds the export."""
    store = tmp_path_factory.mktemp("cold-store")
    report = KnowledgeBase(RetrievalSettings(store_path=store), embeddings).ingest(SEEDS)
    assert report.articles_added == 1 and not report.problems
    return store


def probe(
    store: Path, question: str, watched: tuple[str, ...] = HEAVY, **env_more: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """``newsdesk ask --json QUESTION`` in a fresh process: what it printed and the probe's
    report (``LOADED``: the watched modules it imported; ``FROZEN``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(NEWSDESK_STORE_PATH=str(store), PYTHONPATH=str(REPO), **env_more)
    args = json.dumps(["ask", "--json", question])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, args, json.dumps(watched)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = {}
    for line in done.stderr.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("LOADED", "FROZEN"):
            report[key] = json.loads(value)
    return done, report


def run_ask(store: Path, **env_more: str) -> tuple[dict[str, Any], list[str]]:
    """``newsdesk ask --json QUESTION`` in a fresh process: the answer and the heavy modules."""
    done, report = probe(store, QUESTION, **env_more)
    assert done.returncode == 0, done.stderr
    # A one-shot ask skips the exit's collections (bot.terminal.one_shot).
    assert report["FROZEN"] is True
    return json.loads(done.stdout), report["LOADED"]


def test_a_cold_ask_imports_neither_torch_nor_sentence_transformers(seed_store: Path) -> None:
    answer, loaded = run_ask(seed_store)
    assert answer["status"] == "answered"
    assert loaded == []


def test_an_empty_question_is_refused_before_anything_heavy_is_imported(seed_store: Path) -> None:
    done, report = probe(seed_store, "  ", (*ANSWERING, *HEAVY))
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["status"] == "error"
    assert report["LOADED"] == []
    assert report["FROZEN"] is False  # refused before the one-shot block


def test_the_answer_is_the_same_with_and_without_the_light_encoder(seed_store: Path) -> None:
    light, light_loaded = run_ask(seed_store)
    torch_answer, torch_loaded = run_ask(
        seed_store, NEWSDESK_QUERY_ENCODER="backend", NEWSDESK_EMBEDDING_BACKEND="torch"
    )
    assert light_loaded == [] and "torch" in torch_loaded  # each run took the path it names
    assert light["text"].encode() == torch_answer["text"].encode()
    assert light["citations"] == torch_answer["citations"]
    assert light["status"] == torch_answer["status"] == "answered"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Real chunks of the seed article as ingest embeds them, and questions."""
    chunks = [
        embedding_text(a.title, c.text)
        for a in load_articles(SEEDS).articles
        for c in Chunker(300, 50).split(a)
    ]
    return [*chunks, QUESTION, "Who is Rex Tillerson?", "sanctions"]


def test_the_light_encoder_makes_torch_s_vectors(
    embeddings: LocalEmbeddings, texts: list[str]
) -> None:
    light = LocalEmbeddings(threads=2, batch_size=4)  # several batches, run side by side
    assert light.light is not None and light.light.workers == 2
    vectors = light.encode(texts)
    reference = embeddings.encode_documents(texts)  # torch, as ingest makes them
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # One text at a time (the query path) gives what the batches gave, in the same order.
    one_by_one = np.stack([LocalEmbeddings().embed_query(t) for t in texts])
    assert np.allclose(one_by_one, vectors, atol=1e-5)


def test_a_sentence_s_vector_does_not_depend_on_its_batch(
    embeddings: LocalEmbeddings, texts: list[str]
) -> None:
    # The light encoder shares rows evenly between its threads (split_batches): each row's
    # vector is the one plain batches on one thread make, bit for bit, so the evidence stage's
    # features do not depend on how many cores there are.
    sentences = [f"{t} ({i})" for i, t in enumerate(texts * 3)]
    two, one = LocalEmbeddings(threads=2), LocalEmbeddings(threads=1)
    assert two.light is not None and two.light.workers == 2
    assert one.light is not None and one.light.workers == 1
    shared, alone = two.encode(sentences), one.encode(sentences)
    assert len(sentences) > 32
    assert np.array_equal(shared, alone)
    # Batches of LIGHT_BATCH_SIZE (8, padded less) make the vectors batches of 32 made.
    assert LIGHT_BATCH_SIZE < 32 and one.light.workers == 1
    spy = BatchSizes(one.light)
    small = one.encode(sentences)
    assert max(spy.sizes) == LIGHT_BATCH_SIZE
    spy.sizes.clear()
    assert np.array_equal(small, one.encode(sentences, batch_size=32))
    assert max(spy.sizes) == 32


class BatchSizes:
    """Records the rows of every batch the light encoder runs (the real encoder still runs)."""

    def __init__(self, light: Any) -> None:
        self.sizes: list[int] = []
        batch = light._batch

        def counted(texts: list[str], release: bool = False) -> np.ndarray:
            self.sizes.append(len(texts))
            return batch(texts, release)

        light._batch = counted


def test_ingest_exports_the_light_encoder_once_per_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = RetrievalSettings(store_path=tmp_path / "a", model_cache=cache)
    KnowledgeBase(first).ingest(SEEDS)
    exported = list(cache.rglob("model.onnx"))
    assert len(exported) == 1
    assert not list(cache.rglob("*.tmp"))

    def no_second_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(backends, "_export_onnx", no_second_export)
    second = KnowledgeBase(first.model_copy(update={"store_path": tmp_path / "b"}))
    second.ingest(SEEDS)  # another store on this machine: the same export
    assert second.embeddings.light is not None
    assert second.embeddings.light.path == exported[0]


def test_without_an_export_queries_use_the_backend_and_say_so(
    tmp_path: Path, embeddings: LocalEmbeddings, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty-cache"
    local = LocalEmbeddings(cache=empty)
    with caplog.at_level(logging.INFO, logger="retrieval.embeddings"):
        vector = local.embed_query(QUESTION)
    assert local.light is None
    assert "Queries are embedded by the torch backend" in caplog.text
    assert not empty.exists()  # a search never exports: that is ingest's job
    assert np.allclose(vector, embeddings.encode_documents([QUESTION])[0], atol=1e-6)


def test_a_damaged_export_is_logged_and_the_backend_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from retrieval.embeddings import resolve_model_path
    from retrieval.settings import DEFAULT_EMBEDDING_MODEL

    target = backends.export_path(resolve_model_path(DEFAULT_EMBEDDING_MODEL), tmp_path, "onnx")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an onnx model")
    local = LocalEmbeddings(cache=tmp_path)
    with caplog.at_level(logging.WARNING, logger="retrieval.embeddings"):
        vectors = local.encode(["one sentence.", "another sentence."])
    assert local.light is None and vectors.shape == (2, 384)
    assert "light query encoder failed to load" in caplog.text


def test_without_onnxruntime_queries_use_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    local = LocalEmbeddings()
    assert local.light is None
    assert local.prepare_query_encoder() is None
    assert local.encode([QUESTION]).shape == (1, 384)


def test_the_setting_turns_the_light_encoder_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).retrieval.query_encoder == "auto"
    monkeypatch.setenv("NEWSDESK_QUERY_ENCODER", "backend")
    config = load_settings(_env_file=None).retrieval
    assert config.query_encoder == "backend"
    kb = KnowledgeBase(config.model_copy(update={"store_path": Path("store")}))
    assert kb.embeddings.light is None  # the session's export is there, and not used
    assert kb.embeddings.prepare_query_encoder() is None
    monkeypatch.setenv("NEWSDESK_QUERY_ENCODER", "onnx")
    with pytest.raises(SettingsError, match="NEWSDESK_QUERY_ENCODER"):
        load_settings(_env_file=None)


def test_spacy_loads_without_torch_and_torch_still_imports_afterwards() -> None:
    code = (
        "import sys\n"
        "from bot.answer.nlp import load_nlp\n"
        "doc = load_nlp()('Boris Johnson warned Russia.')\n"
        "assert [e.label_ for e in doc.ents] == ['PERSON', 'GPE'], doc.ents\n"
        "assert 'torch' not in sys.modules\n"
        "import torch, thinc.compat\n"  # the block ended with the import: torch loads as usual
        "print(torch.tensor([1.0]).sum().item(), thinc.compat.has_torch)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1.0", "False"]
