"""``NEWSDESK_EMBEDDING_BACKEND``: the packaged weights exported to ONNX (and run on ONNX Runtime
or OpenVINO) make the vectors torch makes; the export happens once, offline, and is reused; a
missing package is a clear error; a store refuses a backend whose vectors do not match its own."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.settings import load_settings
from retrieval import backends
from retrieval.catalog import VECTORS_KEY, VectorsMismatch
from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import EmbeddingModelError, LocalEmbeddings, resolve_model_path
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from retrieval.settings import DEFAULT_EMBEDDING_MODEL, RetrievalSettings, default_model_cache
from tests.support import SEEDS

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

EXPORTED = ["onnx", "onnx-int8", "openvino"]


def _installed(backend: str) -> bool:
    try:
        backends.check_backend(backend)
    except backends.BackendError:
        return False
    return True


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export for the module (it takes seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Real chunks of the seed article, exactly as ingest embeds them, and two questions."""
    chunker = Chunker(300, 50)
    chunks = [
        embedding_text(a.title, c.text)
        for a in load_articles(SEEDS).articles
        for c in chunker.split(a)
    ]
    assert len(chunks) >= 8
    return [*chunks, "What did Johnson say about Russia?", "sanctions"]


@pytest.mark.parametrize("backend", EXPORTED)
def test_each_backend_makes_the_vectors_torch_makes(
    backend: str, cache: Path, texts: list[str], embeddings: LocalEmbeddings
) -> None:
    if not _installed(backend):
        pytest.skip(f"{backend} is not installed")
    reference = embeddings.encode_documents(texts)  # torch's, as ingest makes them
    exported = LocalEmbeddings(backend=backend, cache=cache, batch_size=4)  # type: ignore[arg-type]
    vectors = exported.encode(texts)
    assert vectors.shape == reference.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * reference).sum(axis=1)
    if exported.vector_family == "float32":
        # The same float32 weights: the same vectors to within rounding, and one store family.
        assert cosines.min() > 0.999, cosines
        assert exported.vector_family == embeddings.vector_family
    else:
        # int8 weights move vectors further: close, but a different family (never mixed).
        assert cosines.mean() > 0.9, cosines
        assert exported.vector_family != embeddings.vector_family
    # Order restored after the length sort: each text's vector is its own.
    assert np.array_equal(np.argmax(vectors @ reference.T, axis=1), np.arange(len(texts)))


def test_bfloat16_makes_the_vectors_float32_makes(
    texts: list[str], embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    """torch in bfloat16 (the default on a CPU that multiplies it in hardware) makes float32's
    vectors to within rounding, so its stores are one family with float32's; and it does run in
    bfloat16 (the vectors are not float32's bit for bit)."""
    reference = LocalEmbeddings(precision="float32", cache=tmp_path).encode_documents(texts)
    bf16 = LocalEmbeddings(precision="bfloat16", device="cpu", cache=tmp_path, batch_size=4)
    assert bf16.precision == "bfloat16"
    vectors = bf16.encode_documents(texts)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    assert not np.array_equal(vectors, reference)
    assert bf16.vector_family == embeddings.vector_family
    # Its batches are smaller by default (peak RSS of an ingest), a batch size set is kept.
    assert LocalEmbeddings(precision="bfloat16", device="cpu").batch_size == 16
    assert LocalEmbeddings(precision="float32", device="cpu").batch_size == 32
    assert bf16.batch_size == 4
    # Its sentence vectors are named apart from float32 torch's (a cache never mixes them).
    own = LocalEmbeddings(
        precision="bfloat16", device="cpu", cache=tmp_path, query_encoder="backend"
    )
    plain = LocalEmbeddings(precision="float32", cache=tmp_path, query_encoder="backend")
    assert own.sentence_vector_id != plain.sentence_vector_id
    assert (own.runner, plain.runner) == ("torch-bf16", "torch")


def test_an_ingest_step_embedded_in_groups_keeps_each_text_its_own_vector(
    texts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """torch embeds an ingest step in groups of batches (the heap trimmed between them): the
    vectors are those of one call, each in its text's row."""
    from retrieval import embeddings as module
    from retrieval import memory

    trims: list[int] = []
    real_trim = memory.release_free_memory
    monkeypatch.setattr(memory, "release_free_memory", lambda: trims.append(1) or real_trim())
    many = [f"{t} ({n})" for n, t in enumerate(texts * 4)]
    model = LocalEmbeddings(precision="float32", device="cpu", cache=tmp_path, batch_size=2)
    whole = model._torch_encode(many, 2)
    grouped = model.encode_documents(many)
    group = 2 * module.TRIM_EVERY_BATCHES
    assert len(many) > group and len(trims) == -(-len(many) // group)
    assert np.allclose(grouped, whole, atol=1e-5)
    assert np.array_equal(np.argmax(grouped @ whole.T, axis=1), np.arange(len(many)))
    # Questions and small jobs are one call, with no trim.
    trims.clear()
    model.encode_documents(many[:group])
    assert trims == []


def test_the_precision_setting_reaches_the_knowledge_base(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSDESK_EMBEDDING_BACKEND", "torch")
    monkeypatch.setenv("NEWSDESK_EMBEDDING_DEVICE", "cpu")
    monkeypatch.setenv("NEWSDESK_EMBEDDING_PRECISION", "bfloat16")
    monkeypatch.setenv("NEWSDESK_STORE_PATH", str(tmp_path / "store"))
    kb = KnowledgeBase(load_settings(_env_file=None).retrieval)
    assert kb.embeddings.precision == "bfloat16"
    monkeypatch.setenv("NEWSDESK_EMBEDDING_BACKEND", "onnx")
    with pytest.raises(EmbeddingModelError, match="NEWSDESK_EMBEDDING_PRECISION=bfloat16"):
        KnowledgeBase(load_settings(_env_file=None).retrieval)


def test_the_setting_selects_the_backend_and_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_EMBEDDING_BACKEND", "onnx")
    monkeypatch.setenv("NEWSDESK_STORE_PATH", str(tmp_path / "store"))
    settings = load_settings(_env_file=None)
    assert settings.retrieval.embedding_backend == "onnx"
    kb = KnowledgeBase(settings.retrieval)
    assert kb.embeddings.backend == "onnx"
    # Unset: this machine's cache, shared by every store (XDG_CACHE_HOME, else ~/.cache).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert KnowledgeBase(load_settings(_env_file=None).retrieval).embeddings.cache == (
        tmp_path / "xdg" / "newsdesk" / "models"
    )
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_model_cache() == Path.home() / ".cache" / "newsdesk" / "models"
    monkeypatch.setenv("NEWSDESK_MODEL_CACHE", str(tmp_path / "elsewhere"))
    assert KnowledgeBase(load_settings(_env_file=None).retrieval).embeddings.cache == (
        tmp_path / "elsewhere"
    )


def test_an_unknown_backend_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import SettingsError

    monkeypatch.setenv("NEWSDESK_EMBEDDING_BACKEND", "tensorrt")
    with pytest.raises(SettingsError, match="NEWSDESK_EMBEDDING_BACKEND"):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    ("backend", "package"), [("openvino", "openvino"), ("onnx", "onnxruntime")]
)
def test_a_missing_package_is_a_clear_error(
    backend: str, package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # import of it now fails, as if absent
    embeddings = LocalEmbeddings(backend=backend, cache=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(EmbeddingModelError, match=rf"'{package}'.*pip install 'newsdesk\[\w+\]'"):
        embeddings.encode(["a text"])
    assert not any(tmp_path.iterdir())  # refused before any export


def test_export_without_onnx_installed_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(EmbeddingModelError, match=r"'onnx'.*newsdesk\[onnx\]"):
        LocalEmbeddings(backend="onnx", cache=tmp_path).encode(["a text"])
    assert not list(tmp_path.rglob("*.onnx"))  # nothing half-written left behind


def test_the_export_is_cached_and_reused(
    cache: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = LocalEmbeddings(backend="onnx", cache=cache)
    vectors = first.encode(texts[:3])
    path = first.exported.path
    assert path.parent.parent == cache
    before = path.stat()

    def no_second_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(backends, "_export_onnx", no_second_export)
    second = LocalEmbeddings(backend="onnx", cache=cache)
    assert np.allclose(second.encode(texts[:3]), vectors, atol=1e-6)
    after = second.exported.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_two_exports_at_once_make_one_valid_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two exporters (threads here; the lock is a file lock, so processes alike) take turns:
    one exports, the other finds its file; no temporary file is left."""
    real_export = backends._export_onnx
    calls: list[Path] = []

    def counted(model_path: Path, out: Path) -> None:
        calls.append(out)
        real_export(model_path, out)

    monkeypatch.setattr(backends, "_export_onnx", counted)
    model = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    results: list[Path] = []
    errors: list[BaseException] = []

    def export() -> None:
        try:
            results.append(backends.exported_model(model, tmp_path, "onnx"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(calls) == 1
    assert results[0] == results[1]
    folder = results[0].parent
    assert sorted(p.name for p in folder.iterdir()) == [".export.lock", "model.onnx"]
    import onnx

    onnx.checker.check_model(str(results[0]))


def test_a_store_is_searched_by_a_matching_backend_and_refuses_another(
    tmp_path: Path, cache: Path, embeddings: LocalEmbeddings
) -> None:
    config = RetrievalSettings(store_path=tmp_path / "store", model_cache=cache)
    torch_kb = KnowledgeBase(config, embeddings)
    torch_kb.ingest(SEEDS)
    assert torch_kb.store.info()[VECTORS_KEY] == "float32"
    question = "What did Johnson say about Russia?"
    expected = [h.chunk_id for h in torch_kb.search(question, mode="dense")]

    onnx_kb = KnowledgeBase(config.model_copy(update={"embedding_backend": "onnx"}))
    assert [h.chunk_id for h in onnx_kb.search(question, mode="dense")] == expected

    int8 = config.model_copy(update={"embedding_backend": "onnx-int8"})
    with pytest.raises(VectorsMismatch, match=r"float32 vectors.*onnx-int8 makes int8"):
        KnowledgeBase(int8).search(question)
    with pytest.raises(VectorsMismatch, match="NEWSDESK_EMBEDDING_BACKEND"):
        KnowledgeBase(int8).ingest(SEEDS)
    # A keyword search needs no vectors: still served.
    assert KnowledgeBase(int8).search(question, mode="keyword")

    # A store of its own: int8 ingests and searches, and a float32 backend is refused there.
    own = int8.model_copy(update={"store_path": tmp_path / "int8"})
    int8_kb = KnowledgeBase(own)
    int8_kb.ingest(SEEDS)
    assert int8_kb.store.info()[VECTORS_KEY] == "int8"
    assert int8_kb.search(question, mode="dense")
    with pytest.raises(VectorsMismatch, match="int8 vectors"):
        KnowledgeBase(own.model_copy(update={"embedding_backend": "torch"})).search(question)
