"""Search end to end through the knowledge base: real Chroma on disk, the real model, BM25.

Search quality on hand-written articles in every mode, the fields of a hit, fusion scores,
near-duplicate collapsing, and the reranking seam. Ingest itself is tested in test_ingest.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval.chunking import Chunker, embedding_text
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.loaders import load_articles
from retrieval.search import reciprocal_rank_fusion, register_reranker, unregister_reranker
from retrieval.settings import RetrievalSettings
from retrieval.types import Article, Hit
from tests.integration.helpers import assert_store_matches_manifest, stored_ids
from tests.support import HIT_JSON_KEYS as JSON_KEYS
from tests.support import SEED_FILE

SEED_ID = SEED_FILE.name


DANUBE = """---
title: Floods close Danube ports as the river bursts its banks
source: Danube Herald
url: https://example.org/2024/03/danube-floods
published_at: 2024-03-02
author: Mira Kovacs
---
Heavy rain across central Europe pushed the Danube to its highest level in a decade on Saturday,
closing ports in Vienna, Bratislava and Budapest.

Hundreds of barges carrying grain and fertiliser were stranded upstream of the Iron Gates, and
shipping companies warned that cargo would be delayed for at least two weeks.

In Budapest the water reached 8.5 metres, flooding the lower embankment roads. Emergency crews
stacked sandbags along the quays while the city closed two bridges to traffic.
"""

CHESS = {
    "title": "Teenage prodigy wins the Reykjavik chess open",
    "body": (
        "A fifteen-year-old from Akureyri won the Reykjavik Open on Sunday, beating three "
        "grandmasters on her way to the title.\n\n"
        "She sealed first place in the final round with a sharp Queen's Gambit, forcing her "
        "opponent to resign after 41 moves. Organisers said she was the youngest winner in "
        "the tournament's history."
    ),
    "source": "Nordic Wire",
    "url": "https://example.org/chess/reykjavik-open",
    "published_at": "2023-11-20",
}

RATES = """Central bank raises interest rates to 5.25 per cent
The central bank raised its main interest rate by a quarter point to 5.25 per cent on Thursday,
the highest level in fifteen years, as it tried to bring inflation back towards its target.

The governor said price rises in services and wages were proving stubborn. Mortgage holders on
variable deals will see their monthly payments rise, lenders said.

Economists expect one more increase before the summer."""

# The same story filed twice: a copy under another name, with a small edit in its last line.
RATES_COPY = RATES.replace(
    "Economists expect one more increase before the summer.",
    "Most economists expect one more increase before the summer break.",
)

BEES = """Wild bee numbers fall sharply across farmland
A five-year survey of farmland in southern England found that wild bee numbers fell by a third,
with the steepest declines on fields treated with neonicotinoid pesticides.

Researchers counted pollinators at 240 sites. They said hedgerows and wildflower margins helped
bumblebees recover, and urged farmers to leave more land unsprayed."""

VOLCANO = """# Volcano eruption grounds flights in Iceland

An eruption on the Reykjanes peninsula sent a column of ash four kilometres into the sky on
Tuesday, and Keflavik airport cancelled all departures.

Airlines rerouted transatlantic flights south of the ash cloud. The Met Office said winds would
carry the ash towards Norway overnight.
"""

# Ids are <folder name>/<relpath>: the shared corpus folder is always called "news".
NEWS = "news"

# (query, expected article) pairs worded so that each retriever alone can find the article.
TARGETED = [
    ("Danube floods strand barges and close ports", f"{NEWS}/danube.md"),
    ("teenager beats grandmasters to win chess tournament", f"{NEWS}/chess.json"),
    ("pesticides blamed as wild bee numbers fall", f"{NEWS}/bees.txt"),
    ("ash from the eruption cancels flights at Keflavik", f"{NEWS}/volcano.md"),
    ("Johnson warns of sanctions on Russian military officers", f"{NEWS}/{SEED_ID}"),
]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_FILE, folder / SEED_ID)
    (folder / "danube.md").write_text(DANUBE, encoding="utf-8")
    (folder / "chess.json").write_text(json.dumps(CHESS), encoding="utf-8")
    (folder / "rates.txt").write_text(RATES, encoding="utf-8")
    (folder / "rates_copy.txt").write_text(RATES_COPY, encoding="utf-8")
    (folder / "bees.txt").write_text(BEES, encoding="utf-8")
    (folder / "volcano.md").write_text(VOLCANO, encoding="utf-8")
    return folder


def articles_by_id(folder: Path) -> dict[str, Article]:
    return {a.id: a for a in load_articles(folder).articles}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / NEWS)


@pytest.fixture(scope="module")
def news_kb(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings
) -> KnowledgeBase:
    store = tmp_path_factory.mktemp("store")
    kb = KnowledgeBase(RetrievalSettings(store_path=store, collection="news"), embeddings)
    report = kb.ingest(corpus)
    assert report.problems == []
    assert report.articles_seen == report.articles_added == 7
    return kb


# --------------------------------------------------------------------------- ingest and search


def test_ingest_writes_every_chunk_once(news_kb: KnowledgeBase, corpus: Path) -> None:
    chunker = Chunker(news_kb.config.chunk_size, news_kb.config.chunk_overlap)
    expected = sorted(c.id for a in load_articles(corpus).articles for c in chunker.split(a))
    assert stored_ids(news_kb) == expected
    assert news_kb.count() == len(expected)
    assert_store_matches_manifest(news_kb)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
@pytest.mark.parametrize(("query", "expected"), TARGETED)
def test_targeted_queries_find_their_article(
    news_kb: KnowledgeBase, mode: Any, query: str, expected: str
) -> None:
    hits = news_kb.search(query, k=3, mode=mode)
    assert hits, f"{mode} found nothing for {query!r}"
    assert hits[0].article_id == expected, [(h.article_id, h.score) for h in hits]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_the_rates_story_is_found_in_every_mode(news_kb: KnowledgeBase, mode: Any) -> None:
    hits = news_kb.search("central bank raises interest rates as inflation persists", mode=mode)
    assert hits[0].article_id in {f"{NEWS}/rates.txt", f"{NEWS}/rates_copy.txt"}


def test_hit_fields_come_from_the_article(news_kb: KnowledgeBase, corpus: Path) -> None:
    articles = articles_by_id(corpus)
    [hit, *_] = news_kb.search("Danube barges stranded by floods", k=3)
    article = articles[f"{NEWS}/danube.md"]
    assert hit.article_id == f"{NEWS}/danube.md"
    assert hit.title == "Floods close Danube ports as the river bursts its banks"
    assert hit.source == "Danube Herald"
    assert hit.url == "https://example.org/2024/03/danube-floods"
    assert hit.published_at == "2024-03-02"
    assert hit.content_hash == article.content_hash
    assert article.body[hit.start : hit.end] == hit.text
    assert hit.chunk_id in news_kb.manifest["articles"][f"{NEWS}/danube.md"]["chunks"]
    # A .txt file has no metadata beyond its title: the fields are empty, not missing.
    [seed_hit, *_] = news_kb.search("Boris Johnson Lavrov talks", k=1)
    assert (seed_hit.source, seed_hit.url, seed_hit.published_at) == ("", "", "")
    assert seed_hit.title.startswith("G7 meeting: Russia and Syria")


def test_every_hit_spans_its_article_body(news_kb: KnowledgeBase, corpus: Path) -> None:
    articles = articles_by_id(corpus)
    for query, _ in TARGETED:
        for hit in news_kb.search(query, k=6):
            assert articles[hit.article_id].body[hit.start : hit.end] == hit.text


def test_hybrid_scores_are_reciprocal_rank_fusion(news_kb: KnowledgeBase) -> None:
    query = "Danube floods strand barges and close ports"
    n = news_kb.config.candidates
    dense = [c.id for c, _ in news_kb.store.query(news_kb.embeddings.embed_query(query), n)]
    index = news_kb.keyword_index
    assert index is not None
    keyword = [cid for cid, _ in index.search(query, n)]
    fused = dict(reciprocal_rank_fusion([dense, keyword], news_kb.config.rrf_k))
    hits = news_kb.search(query, k=6)
    for hit in hits:
        assert hit.score == pytest.approx(fused[hit.chunk_id])
        assert hit.dense_score is not None and -1.0 <= hit.dense_score <= 1.0
    assert hits[0].keyword_score is not None and hits[0].keyword_score > 0
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_dense_scores_are_cosine_similarities(news_kb: KnowledgeBase) -> None:
    query = "river flooding in central Europe"
    hits = news_kb.search(query, k=4, mode="dense")
    vector = np.asarray(news_kb.embeddings.embed_query(query))
    for hit in hits:
        assert hit.keyword_score is None
        assert hit.score == hit.dense_score
        stored_vector = news_kb.embeddings.encode([embedding_text(hit.title, hit.text)])[0]
        expected = float(stored_vector @ vector)
        assert hit.score == pytest.approx(expected, abs=1e-3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_keyword_scores_are_bm25(news_kb: KnowledgeBase) -> None:
    hits = news_kb.search("Reykjavik grandmasters", k=4, mode="keyword")
    assert hits[0].article_id == f"{NEWS}/chess.json"
    assert all(h.dense_score is None and h.score == h.keyword_score for h in hits)
    assert all(h.score > 0 for h in hits)
    # A word no article contains finds nothing rather than arbitrary chunks.
    assert news_kb.search("xylophonist", mode="keyword") == []


def test_k_limits_the_number_of_hits(news_kb: KnowledgeBase) -> None:
    assert len(news_kb.search("news", k=2, mode="dense")) == 2
    assert len(news_kb.search("flights cancelled", k=1)) == 1
    assert len(news_kb.search("flights cancelled")) <= news_kb.config.k


def test_near_duplicates_collapse_to_one_result(news_kb: KnowledgeBase) -> None:
    query = "central bank interest rate rise mortgage payments inflation"
    # Both copies are stored and, left alone, both would rank.
    raw = news_kb.store.query(news_kb.embeddings.embed_query(query), 10)
    raw_articles = {c.metadata["article_id"] for c, _ in raw}
    assert {f"{NEWS}/rates.txt", f"{NEWS}/rates_copy.txt"} <= raw_articles
    for mode in ("hybrid", "dense", "keyword"):
        hits = news_kb.search(query, k=10, mode=mode)
        found = {h.article_id for h in hits} & {f"{NEWS}/rates.txt", f"{NEWS}/rates_copy.txt"}
        assert len(found) == 1, (mode, [h.article_id for h in hits])
        # Collapsing drops the copy, not the other articles.
        assert len({h.article_id for h in hits}) >= 3


def test_hit_json_has_exactly_the_documented_keys(news_kb: KnowledgeBase) -> None:
    hits = news_kb.search("Danube", k=2)
    for hit in hits:
        data = hit.to_json()
        assert set(data) == JSON_KEYS
        assert json.loads(json.dumps(data)) == data


def test_blank_query_returns_nothing(news_kb: KnowledgeBase) -> None:
    assert news_kb.search("   ") == []


def test_seed_kb_fixture_answers_the_readme_query(seed_kb: KnowledgeBase) -> None:
    hits = seed_kb.search("Johnson Russia sanctions")
    assert hits and all(h.article_id == f"seeds/{SEED_ID}" for h in hits)
    assert "sanctions" in hits[0].text


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_an_empty_store_returns_no_hits(
    tmp_path: Path, embeddings: LocalEmbeddings, mode: Any
) -> None:
    kb = KnowledgeBase(RetrievalSettings(store_path=tmp_path / "store"), embeddings)
    assert kb.count() == 0
    assert kb.search("anything at all", mode=mode) == []
    # After ingesting a folder with no articles in it, likewise.
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.csv").write_text("a,b\n", encoding="utf-8")
    report = kb.ingest(empty)
    assert (report.articles_seen, report.chunks_written, report.total_chunks) == (0, 0, 0)
    assert kb.search("anything at all", mode=mode) == []


class BoostWord:
    """A toy reranker: hits whose text mentions ``word`` first, otherwise in the given order."""

    def __init__(self, word: str) -> None:
        self.word = word

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return sorted(hits, key=lambda h: self.word not in h.text.lower())


def test_a_registered_reranker_changes_the_order(news_kb: KnowledgeBase) -> None:
    query = "flights cancelled because of weather"
    plain = [h.article_id for h in news_kb.search(query, k=3)]
    assert plain[0] == f"{NEWS}/volcano.md"

    register_reranker("boost-barges", lambda config: BoostWord("barges"))
    try:
        reranked = KnowledgeBase(news_kb.config, news_kb.embeddings, reranker="boost-barges")
        boosted = [h.article_id for h in reranked.search(query, k=3)]
    finally:
        unregister_reranker("boost-barges")
    assert boosted[0] == f"{NEWS}/danube.md" and boosted != plain
    assert [h.article_id for h in news_kb.search(query, k=3)] == plain


@pytest.mark.parametrize("mode", ["keyword", "dense", "hybrid"])
def test_only_the_hits_are_fetched_from_the_store_in_one_call(
    news_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, mode: Any
) -> None:
    """The keyword index holds no texts (it is memory-mapped ids and token matrices) and dense
    search asks the store for ids and similarities only: the texts of the hits come from the
    store by id, in one call for the k shown, not for every candidate ranked."""
    calls: list[list[str]] = []
    fetch = news_kb.searcher.fetch

    def counted(ids: Sequence[str]) -> Any:
        calls.append(list(ids))
        return fetch(ids)

    monkeypatch.setattr(news_kb.searcher, "fetch", counted)
    hits = news_kb.search("Reykjavik grandmasters", k=4, mode=mode)
    assert calls == [[h.chunk_id for h in hits]]
    assert len(hits) == (1 if mode == "keyword" else 4)  # two words only the chess story has
    assert hits[0].article_id == f"{NEWS}/chess.json" and hits[0].text
