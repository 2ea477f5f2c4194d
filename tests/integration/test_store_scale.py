"""One store, many processes and hosts: a real ``chroma run`` (and the embedded store) shared.

* a host that never ingested (its own empty ``NEWSDESK_STORE_PATH``) searches the server and gets
  the same hybrid hits as the host that ingested;
* a long-running process sees articles another process ingested, at its next question;
* a server that hangs (SIGSTOP) makes search and ingest fail within ``NEWSDESK_CHROMA_TIMEOUT``
  with a message, instead of waiting forever.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from tests.integration.chroma_server import ChromaServer, start_chroma
from tests.support import SEEDS

NEW_ARTICLE = (
    "Lighthouse keeper returns to Skerryvore\n"
    "After forty years without a keeper, the Skerryvore lighthouse has one again: Morag "
    "Quillan moved in on Tuesday to look after the restored lamp and its visitors."
)


def config(store: Path, server: ChromaServer | None, **more: object) -> RetrievalSettings:
    values: dict[str, object] = {"store_path": store, "collection": "shared"}
    if server is not None:
        values.update(chroma_host=server.host, chroma_port=server.port)
    values.update(more)
    return RetrievalSettings.model_validate(values)


def cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.terminal.cli", *args],
        cwd=cwd,
        env={**env, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli_env(store: Path, server: ChromaServer | None, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update({"NEWSDESK_STORE_PATH": str(store), "NEWSDESK_COLLECTION": "shared", **more})
    if server is not None:
        env.update(server.env())
    return env


def test_a_host_that_never_ingested_gets_the_same_hybrid_hits(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    ingesting = KnowledgeBase(config(tmp_path / "host1", chroma_server), embeddings)
    ingesting.ingest(SEEDS)
    fresh_path = tmp_path / "host2"
    fresh = KnowledgeBase(config(fresh_path, chroma_server), embeddings)
    assert not fresh_path.exists()  # nothing local at all on this host
    for query in ("Johnson Russia sanctions", "Lavrov talks in Moscow", "military officers"):
        want = ingesting.search(query, k=5)
        got = fresh.search(query, k=5)
        assert want and [h.chunk_id for h in got] == [h.chunk_id for h in want], query
        assert [h.score for h in got] == pytest.approx([h.score for h in want])
        assert [h.keyword_score for h in got] == [h.keyword_score for h in want]
    # Its keyword index is a cache built from the store, tagged with the store's version.
    index = fresh.keyword_index
    assert index is not None and sorted(index.ids) == sorted(c.id for c in fresh.store.iter_all())


@pytest.mark.parametrize("where", ["embedded", "server"])
def test_a_running_process_sees_articles_another_process_ingested(
    tmp_path: Path, embeddings: LocalEmbeddings, where: str
) -> None:
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(start_chroma(tmp_path / "srv")) if where == "server" else None
        store = tmp_path / "store"
        running = KnowledgeBase(config(store, server, store_check_seconds=0), embeddings)
        running.ingest(SEEDS)
        assert running.search("Skerryvore lighthouse keeper", k=3, mode="keyword") == []

        news = tmp_path / "news"
        news.mkdir()
        (news / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        done = cli(["ingest", str(news), "-q"], cli_env(store, server), tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr

        for mode in ("keyword", "hybrid", "dense"):
            hits = running.search("Skerryvore lighthouse keeper", k=3, mode=mode)  # type: ignore[arg-type]
            assert hits and hits[0].article_id == "news/lighthouse.txt", mode


@pytest.mark.slow
def test_a_hung_server_fails_within_the_timeout_with_a_message(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    with start_chroma(tmp_path / "srv") as server:
        store = tmp_path / "store"
        KnowledgeBase(config(store, server), embeddings).ingest(SEEDS)
        env = cli_env(store, server, NEWSDESK_CHROMA_TIMEOUT="3")
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            for args in (["search", "Johnson Russia sanctions"], ["ingest", str(SEEDS), "-q"]):
                started = time.monotonic()
                result = cli(args, env, tmp_path, timeout=120)
                took = time.monotonic() - started
                assert result.returncode == 1, (args, result.stdout, result.stderr)
                assert f"{server.host}:{server.port} did not answer within 3 s" in result.stderr
                assert "Traceback" not in result.stderr
                # Python start-up and imports (~10-20 s on a busy shared machine) plus the limit.
                assert took < 60, took
            # In-process too: the call returns with the error within the limit.
            kb = KnowledgeBase(config(tmp_path / "other", server, chroma_timeout=2), embeddings)
            started = time.monotonic()
            with pytest.raises(Exception, match="did not answer within 2 s"):
                kb.search("Johnson Russia sanctions")
            assert time.monotonic() - started < 10
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
