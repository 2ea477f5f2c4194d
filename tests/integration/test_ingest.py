"""Incremental, crash-safe ingest against real Chroma and the real model.

Unchanged, edited, deleted and broken files; prune rules; the keyword index following the store;
steps bounded in chunks within one article; id collisions between folders.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import ingest as ingest_module
from retrieval.embeddings import LocalEmbeddings
from retrieval.ingest import IngestProgress
from retrieval.keyword_index import KeywordIndex
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import ArticleStream
from retrieval.settings import RetrievalSettings
from tests.integration.helpers import article_ids_for, assert_store_matches_manifest, stored_ids

SMALL = {
    "airship.txt": (
        "Airship service returns to the Lake Constance skies\n"
        "A zeppelin carried its first paying passengers over Lake Constance since the autumn, "
        "the operator said on Friday. Flights last forty-five minutes and leave from "
        "Friedrichshafen three times a day."
    ),
    "orchard.txt": (
        "Late frost damages apple orchards in South Tyrol\n"
        "Growers in South Tyrol said a late frost destroyed up to half of the apple blossom. "
        "Some lit candles between the rows overnight to keep the trees warm."
    ),
    "tram.txt": (
        "New tram line opens in Bergen\n"
        "The city's third tram line opened on Monday, linking the airport with the centre in "
        "thirty minutes. Ticket prices are unchanged."
    ),
}


def write_small(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SMALL.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def small_config(tmp_path: Path) -> RetrievalSettings:
    return RetrievalSettings(store_path=tmp_path / "store", collection="small")


def spy_on_encode(monkeypatch: pytest.MonkeyPatch, embeddings: LocalEmbeddings) -> list[str]:
    """Record every chunk text the (shared, real) model is asked to embed for the store."""
    seen: list[str] = []
    original: Callable[..., np.ndarray] = embeddings.encode_documents

    def encode(texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        seen.extend(texts)
        return original(texts, batch_size)

    monkeypatch.setattr(embeddings, "encode_documents", encode)
    return seen


def test_unchanged_folder_embeds_nothing_and_loads_no_model(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = write_small(tmp_path / "articles")
    first = KnowledgeBase(small_config(tmp_path), embeddings).ingest(folder)
    assert first.chunks_written == first.total_chunks > 0

    fresh = KnowledgeBase(small_config(tmp_path))  # its own, not yet loaded, model
    assert fresh.embeddings._model is None
    report = fresh.ingest(folder)
    assert report.chunks_written == 0
    assert report.articles_unchanged == 3
    assert (report.articles_added, report.articles_updated, report.articles_deleted) == (0, 0, 0)
    assert not report.changed
    assert report.total_chunks == first.total_chunks
    # Keyword search needs no model either, and uses the index persisted by the first run.
    assert article_ids_for(fresh, "zeppelin Friedrichshafen")[0] == "articles/airship.txt"
    assert fresh.embeddings._model is None


def test_editing_one_file_re_embeds_only_that_file(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_small(tmp_path / "articles")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    kb.ingest(folder)
    before = set(stored_ids(kb))
    old_airship = set(kb.manifest["articles"]["articles/airship.txt"]["chunks"])

    path = folder / "airship.txt"
    path.write_text(path.read_text().replace("zeppelin", "hovercraft"), encoding="utf-8")
    embedded = spy_on_encode(monkeypatch, embeddings)
    report = kb.ingest(folder)

    assert (report.articles_updated, report.articles_unchanged) == (1, 2)
    assert embedded and all(t.startswith("Airship service returns") for t in embedded)
    assert report.chunks_written == len(kb.manifest["articles"]["articles/airship.txt"]["chunks"])
    assert report.total_chunks == len(before)  # one chunk replaced by one chunk
    # The old chunks are gone from the store, not just hidden.
    assert kb.store.get(sorted(old_airship)) == {}
    assert report.chunks_deleted == len(old_airship)
    assert_store_matches_manifest(kb)
    # The keyword index follows at once: the new word is found, the old one no longer is.
    assert article_ids_for(kb, "hovercraft")[0] == "articles/airship.txt"
    assert article_ids_for(kb, "zeppelin") == []
    assert "hovercraft" in kb.search("hovercraft passengers over the lake", k=1)[0].text
    # And a new instance loads the persisted index instead of rebuilding it.
    reopened = KnowledgeBase(small_config(tmp_path), embeddings)
    monkeypatch.setattr(
        reopened.keywords, "rebuild", lambda: pytest.fail("keyword index was rebuilt")
    )
    assert article_ids_for(reopened, "hovercraft")[0] == "articles/airship.txt"
    assert article_ids_for(reopened, "zeppelin") == []
    persisted = KeywordIndex.load(reopened.keywords.folder)
    assert persisted is not None and sorted(persisted.ids) == stored_ids(kb)


def test_deleted_file_is_pruned_by_default_and_kept_with_no_prune(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = write_small(tmp_path / "articles")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    total = kb.ingest(folder).total_chunks
    tram_ids = sorted(kb.manifest["articles"]["articles/tram.txt"]["chunks"])
    (folder / "tram.txt").unlink()

    kept = kb.ingest(folder, prune=False)
    assert (kept.articles_deleted, kept.chunks_deleted, kept.chunks_written) == (0, 0, 0)
    assert kept.total_chunks == total
    assert set(kb.store.get(tram_ids)) == set(tram_ids)
    assert article_ids_for(kb, "tram Bergen")[0] == "articles/tram.txt"

    pruned = kb.ingest(folder)
    assert pruned.articles_deleted == 1
    assert pruned.chunks_deleted == len(tram_ids)
    assert pruned.total_chunks == total - len(tram_ids)
    assert kb.store.get(tram_ids) == {}
    assert "articles/tram.txt" not in article_ids_for(kb, "tram Bergen airport", mode="hybrid")
    assert article_ids_for(kb, "tram Bergen") == []
    assert_store_matches_manifest(kb)


def test_ingesting_a_second_folder_keeps_the_first(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    first = write_small(tmp_path / "articles")
    second = tmp_path / "more"
    second.mkdir()
    (second / "ferry.txt").write_text(
        "Ferry strike halts island crossings\nFerry crews walked out on Friday, halting every "
        "crossing to the islands until further notice.\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    total = kb.ingest(first).total_chunks
    report = kb.ingest(second)
    assert report.articles_deleted == 0
    assert report.total_chunks > total
    assert article_ids_for(kb, "tram Bergen")[0] == "articles/tram.txt"
    assert article_ids_for(kb, "ferry strike islands")[0] == "more/ferry.txt"
    # Pruning still applies within a folder: delete the second folder's file, re-ingest it.
    (second / "ferry.txt").unlink()
    assert kb.ingest(second).articles_deleted == 1
    assert article_ids_for(kb, "tram Bergen")[0] == "articles/tram.txt"
    assert_store_matches_manifest(kb)


def test_the_prune_setting_is_the_default(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    folder = write_small(tmp_path / "articles")
    kb = KnowledgeBase(small_config(tmp_path).model_copy(update={"prune": False}), embeddings)
    kb.ingest(folder)
    (folder / "tram.txt").unlink()
    assert kb.ingest(folder).articles_deleted == 0
    assert kb.ingest(folder, prune=True).articles_deleted == 1


def test_a_file_that_turns_malformed_keeps_its_chunks(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = write_small(tmp_path / "articles")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    total = kb.ingest(folder).total_chunks
    path = folder / "orchard.txt"
    good = path.read_bytes()
    path.write_bytes(b"\x00\x01\x02 not text any more")

    report = kb.ingest(folder)
    assert [(p.path, "binary" in p.reason) for p in report.problems] == [(str(path), True)]
    assert (report.articles_deleted, report.chunks_deleted, report.chunks_written) == (0, 0, 0)
    assert report.total_chunks == total
    assert article_ids_for(kb, "frost apple blossom")[0] == "articles/orchard.txt"
    assert_store_matches_manifest(kb)

    # Repaired unchanged: nothing to do.
    path.write_bytes(good)
    again = kb.ingest(folder)
    assert again.problems == [] and again.chunks_written == 0 and again.articles_unchanged == 3


def test_changing_the_chunk_size_re_embeds_everything(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = write_small(tmp_path / "articles")
    KnowledgeBase(small_config(tmp_path), embeddings).ingest(folder)
    smaller = KnowledgeBase(
        small_config(tmp_path).model_copy(update={"chunk_size": 100, "chunk_overlap": 20}),
        embeddings,
    )
    report = smaller.ingest(folder)
    assert report.articles_updated == 3
    assert report.total_chunks > 3
    assert_store_matches_manifest(smaller)


def test_keyword_index_follows_a_re_chunk_interrupted_before_its_rebuild(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new chunk size replaces every chunk while the articles' hashes stay the same.

    If the run dies after writing the store but before rebuilding the keyword index, the next
    run must still notice that the index describes chunks that no longer exist.
    """
    folder = write_small(tmp_path / "articles")
    KnowledgeBase(small_config(tmp_path), embeddings).ingest(folder)
    config = small_config(tmp_path).model_copy(update={"chunk_size": 100, "chunk_overlap": 20})
    interrupted = KnowledgeBase(config, embeddings)

    def die() -> None:
        raise KeyboardInterrupt  # stands in for a kill at this point

    monkeypatch.setattr(interrupted.keywords, "rebuild", die)
    with pytest.raises(KeyboardInterrupt):
        interrupted.ingest(folder)

    kb = KnowledgeBase(config, embeddings)
    kb.ingest(folder)
    live = set(stored_ids(kb))
    hits = kb.search("zeppelin Friedrichshafen Lake Constance", k=10, mode="keyword")
    assert hits and {h.chunk_id for h in hits} <= live
    index = kb.keyword_index
    assert index is not None and set(index.ids) == live


def test_a_long_article_is_written_in_bounded_steps(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A huge article no longer makes one huge step: progress advances every few chunks."""
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraphs = [
        f"Paragraph {n} of the council minutes records item {n}: the budget line for road "
        f"repairs in district {n % 7} was discussed and deferred to the next session."
        for n in range(60)
    ]
    (folder / "minutes.txt").write_text(
        "Council minutes, full year\n" + "\n\n".join(paragraphs), encoding="utf-8"
    )
    (folder / "short.txt").write_text("Short note\nThe library opens late.", encoding="utf-8")
    config = small_config(tmp_path).model_copy(
        update={"chunk_size": 200, "chunk_overlap": 20, "ingest_batch": 8}
    )
    kb = KnowledgeBase(config, embeddings)
    encoded = spy_on_encode_batches(monkeypatch, embeddings)
    events: list[IngestProgress] = []

    report = kb.ingest(folder, on_progress=events.append)

    batches = [len(texts) for texts in encoded]
    total = report.chunks_written
    assert total > 3 * config.ingest_batch
    assert max(batches) <= config.ingest_batch and sum(batches) == total
    first, *steps = events
    assert (first.articles_done, first.chunks_done) == (0, 0)
    # Ingest streams its input: the totals are those known so far, complete at the end.
    assert (steps[-1].articles_total, steps[-1].chunks_total) == (2, total)
    assert len(steps) == len(batches)
    done = [e.chunks_done for e in steps]
    assert done == sorted(done) and done[-1] == total
    assert all(0 < b - a <= config.ingest_batch for a, b in zip([0, *done], done, strict=False))
    # The long article counts as done only after its last step.
    assert [e.articles_done for e in steps][:-2] == [0] * (len(steps) - 2)
    assert steps[-1].articles_done == 2
    assert_store_matches_manifest(kb)
    assert article_ids_for(kb, "road repairs district budget")[0] == "articles/minutes.txt"


def spy_on_encode_batches(
    monkeypatch: pytest.MonkeyPatch, embeddings: LocalEmbeddings
) -> list[list[str]]:
    calls: list[list[str]] = []
    original: Callable[..., np.ndarray] = embeddings.encode_documents

    def encode(texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        calls.append(list(texts))
        return original(texts, batch_size)

    monkeypatch.setattr(embeddings, "encode_documents", encode)
    return calls


def test_an_id_already_ingested_from_another_folder_is_reported_and_skipped(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    one = tmp_path / "one" / "news"
    two = tmp_path / "two" / "news"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    (one / "x.txt").write_text("Harbour reopens\nThe harbour reopened on Monday.", "utf-8")
    (two / "x.txt").write_text("Bakery closes\nThe old bakery closed its doors.", "utf-8")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    kb.ingest(one)
    stored = kb.manifest["articles"]["news/x.txt"]
    before = stored_ids(kb)

    report = kb.ingest(two)

    assert (report.articles_seen, report.articles_skipped, report.articles_added) == (1, 1, 0)
    assert (report.articles_updated, report.chunks_written, report.chunks_deleted) == (0, 0, 0)
    [problem] = report.problems
    assert problem.path == str(two / "x.txt")
    assert str(one / "x.txt") in problem.reason and "skipped" in problem.reason
    assert report.problems_by_file() == {str(two / "x.txt"): [problem.reason]}
    # The first folder's article is untouched, and is not pruned by a re-ingest of its folder.
    assert kb.manifest["articles"]["news/x.txt"] == stored and stored_ids(kb) == before
    assert article_ids_for(kb, "harbour reopened") == ["news/x.txt"]
    assert article_ids_for(kb, "bakery") == []
    assert kb.ingest(one).articles_unchanged == 1


def test_jsonl_records_reusing_an_id_from_another_folder_are_skipped(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    record = {"id": "story-1", "title": "Ferry strike", "body": "Ferry crews walked out."}
    (first / "a.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    other = {"id": "story-1", "title": "Tram fares", "body": "Tram fares rise in May."}
    fresh = {"id": "story-2", "title": "Tram fares", "body": "Tram fares rise in May."}
    (second / "b.jsonl").write_text(json.dumps(other) + "\n" + json.dumps(fresh) + "\n", "utf-8")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    kb.ingest(first)

    report = kb.ingest(second)
    assert (report.articles_added, report.articles_skipped) == (1, 1)
    assert list(report.problems_by_file()) == [str(second / "b.jsonl")]
    assert set(kb.manifest["articles"]) == {"story-1", "story-2"}
    assert article_ids_for(kb, "ferry crews") == ["story-1"]


def test_the_same_file_reached_from_another_root_is_not_a_collision(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    folder = write_small(tmp_path / "articles")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    kb.ingest(folder / "tram.txt")
    report = kb.ingest(folder)
    assert report.articles_skipped == 0 and report.problems == []
    assert report.articles_unchanged == 1 and report.articles_added == 2


def test_articles_under_an_unreadable_folder_are_not_pruned(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_small(tmp_path / "articles")
    sub = folder / "archive"
    sub.mkdir()
    (sub / "mill.txt").write_text("Mill restored\nThe old mill turns again.", "utf-8")
    kb = KnowledgeBase(small_config(tmp_path), embeddings)
    total = kb.ingest(folder).total_chunks
    # Stand-in for a folder the loaders could not list (running as root, chmod cannot): the
    # load misses its articles and names the folder in ArticleStream.unreadable_folders.
    shutil.move(sub, tmp_path / "away")
    load = ingest_module.iter_articles

    def load_with_unreadable(root: Path, **options: Any) -> ArticleStream:
        stream = load(root, **options)
        stream.unreadable_folders.append(str(sub))
        return stream

    monkeypatch.setattr(ingest_module, "iter_articles", load_with_unreadable)
    report = kb.ingest(folder)
    assert (report.articles_deleted, report.total_chunks) == (0, total)
    assert "articles/archive/mill.txt" in kb.manifest["articles"]
    monkeypatch.undo()
    assert kb.ingest(folder).articles_deleted == 1
