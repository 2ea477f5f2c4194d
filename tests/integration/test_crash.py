"""An ingest killed with SIGKILL part-way, then re-run, ends exactly like a clean ingest.

``newsdesk ingest`` runs in a subprocess over 80 synthetic articles (~160 chunks) in small
batches (``NEWSDESK_INGEST_BATCH``), so that there are many steps to interrupt, into an embedded
store and into a real ``chroma run`` server. The test watches the store itself and kills the
process once a quarter of the articles have chunks in it. A second run finishes the job; its
store must then hold exactly the chunks of a clean ingest into another store: the same ids, each
once, with the same texts, metadata and vectors, and searches must rank the same.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.settings import load_settings
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.search import SearchMode
from tests.integration.chroma_server import ChromaServer, start_chroma

ARTICLES = 80
SETTINGS = {"NEWSDESK_CHUNK_SIZE": "300", "NEWSDESK_CHUNK_OVERLAP": "50"}
BATCH = "16"

PLACES = ["Lisbon", "Tromso", "Valletta", "Kaunas", "Ghent", "Split", "Tartu", "Cork", "Bilbao"]
PLACES += ["Plovdiv", "Turku", "Brno", "Graz", "Aarhus", "Lyon", "Pecs", "Nantes", "Oulu"]
PEOPLE = ["Anna Berg", "Tomas Novak", "Ines Duarte", "Pieter Claes", "Mara Petrov", "Jonas Lind"]
PEOPLE += ["Elif Kaya", "Sean Walsh", "Lucia Romero", "Hugo Marchal", "Katja Roos", "Nils Ek"]
ORGS = ["the port authority", "the city council", "a local brewery", "the rail operator"]
ORGS += ["the university", "a shipyard", "the football club", "the regional hospital"]
THINGS = ["a new ferry terminal", "night trams", "a solar farm", "a cycling bridge"]
THINGS += ["a museum wing", "flood barriers", "a hydrogen bus fleet", "a public library"]
THINGS += ["a concert hall", "cheaper parking", "a research vessel", "a youth academy"]
VERBS = ["announced", "delayed", "approved", "opened", "cancelled", "expanded", "funded"]
EXTRA = [
    "Residents were divided over the cost.",
    "The work is expected to take two years.",
    "Opposition members asked for an audit.",
    "Local shops reported more visitors.",
    "Unions welcomed the decision.",
    "The budget was raised twice.",
    "Critics said the plan ignored the suburbs.",
    "A public consultation opens next month.",
]


def project_code(n: int) -> str:
    rng = random.Random(f"code{n}")
    stem = "".join(rng.choice(s) for s in ("BCDFGKLMNPRST", "aeiou", "lmnrst", "aeiou", "kvxz"))
    return f"{stem}{n}"  # the number keeps it unique


def synthetic_article(n: int) -> tuple[str, str]:
    """A short local-news story; each has a made-up project code that no other one shares."""
    rng = random.Random(n)
    place, person, org = rng.choice(PLACES), rng.choice(PEOPLE), rng.choice(ORGS)
    thing, verb, code = rng.choice(THINGS), rng.choice(VERBS), project_code(n)
    title = f"{org.capitalize()} in {place} {verb} {thing}, project {code}"
    day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    first = (
        f"In {place}, {org} {verb} plans for {thing} on {day}, according to {person}. "
        f"The project, known as {code}, will cost about {rng.randint(2, 90)} million euros."
    )
    second = " ".join(rng.sample(EXTRA, 3))
    third = (
        f"A spokesperson said more details on {code} would follow. About "
        f"{rng.randint(100, 9000)} people signed a petition about the plans in {place}."
    )
    return title, f"{first}\n\n{second}\n\n{third}"


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for n in range(ARTICLES):
        title, body = synthetic_article(n)
        (folder / f"{n:04d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
    return folder


def cli_env(store: Path, server: ChromaServer | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(SETTINGS)
    env.update({"NEWSDESK_STORE_PATH": str(store), "NEWSDESK_INGEST_BATCH": BATCH})
    if server is not None:
        env.update(server.env())
    return env


def articles_with_chunks(store: Path, server: ChromaServer | None) -> int:
    """How many articles have chunks in the store now, read while an ingest writes to it."""
    if server is not None:
        client = _client(server)
        try:
            got = client.get_collection("newsdesk").get(include=["metadatas"])
        except Exception:  # not created yet
            return 0
        return len({m["article_id"] for m in got["metadatas"] or []})
    db = store / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return 0
    # Read-only, through SQLite itself: a second Chroma client in this process would not see
    # another process's writes until it reopened.
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            row = con.execute(
                "SELECT COUNT(DISTINCT string_value) FROM embedding_metadata "
                "WHERE key = 'article_id'"
            ).fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


_CLIENTS: dict[int, Any] = {}


def _client(server: ChromaServer) -> Any:
    import chromadb

    if server.port not in _CLIENTS:
        _CLIENTS[server.port] = chromadb.HttpClient(host=server.host, port=server.port)
    return _CLIENTS[server.port]


def collection_dump(collection: Any) -> tuple[int, dict[str, Any]]:
    got = collection.get(include=["documents", "metadatas", "embeddings"])
    docs, metas, vectors = got["documents"], got["metadatas"], got["embeddings"]
    assert docs is not None and metas is not None and vectors is not None
    dump = {
        cid: (doc, meta, np.asarray(vec))
        for cid, doc, meta, vec in zip(got["ids"], docs, metas, vectors, strict=True)
    }
    assert len(dump) == len(got["ids"]), "a chunk id is stored twice"
    return collection.count(), dump


def embedded_collection(store: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(store / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return client.get_collection("newsdesk")


def manifest_chunk_ids(manifest: dict[str, Any]) -> list[str]:
    return sorted(c for e in manifest["articles"].values() for c in e["chunks"])


@pytest.mark.slow
@pytest.mark.parametrize("where", ["embedded", "server"])
def test_sigkill_mid_ingest_then_rerun_equals_a_clean_ingest(
    tmp_path: Path, embeddings: LocalEmbeddings, where: str
) -> None:
    with contextlib.ExitStack() as stack:
        server = None
        if where == "server":
            server = stack.enter_context(start_chroma(tmp_path / "server"))
        killed_then_rerun(tmp_path, embeddings, server)


def killed_then_rerun(
    tmp_path: Path, embeddings: LocalEmbeddings, server: ChromaServer | None
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    crashed = tmp_path / "crashed"
    command = [sys.executable, "-m", "bot.terminal.cli", "ingest", str(corpus), "-q"]
    log = tmp_path / "killed.log"

    # 1. Start an ingest and kill it part-way: once a quarter of the articles have chunks in
    # the store (the kill lands wherever the ingest is then: embedding, writing, deleting).
    env = cli_env(crashed, server)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    killed = False
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if articles_with_chunks(crashed, server) >= ARTICLES // 4:
                os.kill(process.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.01)
    finally:
        if process.poll() is None and not killed:
            process.kill()
        process.wait(timeout=30)
    assert killed, "the ingest ended before it could be killed:\n" + log.read_text()
    assert process.returncode == -signal.SIGKILL

    assert 0 < articles_with_chunks(crashed, server) < ARTICLES, "the kill must land part-way"

    # 2. The next command names the half-finished ingest ...
    doctor = subprocess.run(
        [sys.executable, "-m", "bot.terminal.cli", "doctor"],
        cwd=tmp_path,
        env={**env, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "did not finish" in doctor.stderr, doctor.stderr
    searched = subprocess.run(
        [sys.executable, "-m", "bot.terminal.cli", "search", f"project {project_code(3)}"],
        cwd=tmp_path,
        env={**env, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert searched.returncode == 0 and "did not finish" in searched.stderr, searched.stderr

    # ... and running the ingest again completes it.
    rerun = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{ARTICLES} articles" in rerun.stdout

    # 3. A clean ingest of the same folder into another store, with the same settings.
    clean = tmp_path / "clean"
    settings = load_settings(
        store_path=clean, chunk_size=300, chunk_overlap=50, ingest_batch=int(BATCH)
    )
    clean_kb = KnowledgeBase(settings.retrieval, embeddings)
    clean_report = clean_kb.ingest(corpus)
    assert clean_report.articles_added == ARTICLES and not clean_report.problems

    # 4. Identical stores: same chunk ids, each once, every article complete.
    crashed_kb = KnowledgeBase(
        load_settings(
            store_path=crashed,
            chunk_size=300,
            chunk_overlap=50,
            chroma_host=server.host if server else None,
            chroma_port=server.port if server else 8000,
        ).retrieval,
        embeddings,
    )
    if server is not None:
        import chromadb

        crashed_collection = chromadb.HttpClient(host=server.host, port=server.port).get_collection(
            "newsdesk"
        )
    else:
        crashed_collection = embedded_collection(crashed)
    crashed_count, crashed_dump = collection_dump(crashed_collection)
    clean_count, clean_dump = collection_dump(embedded_collection(clean))
    assert sorted(crashed_dump) == sorted(clean_dump)
    assert crashed_count == len(crashed_dump) == clean_count == clean_report.total_chunks
    final = crashed_kb.manifest
    assert len(final["articles"]) == ARTICLES
    assert all(e["complete"] for e in final["articles"].values())
    assert manifest_chunk_ids(final) == sorted(crashed_dump)
    assert manifest_chunk_ids(clean_kb.manifest) == sorted(clean_dump)
    for cid, (doc, meta, vector) in clean_dump.items():
        other_doc, other_meta, other_vector = crashed_dump[cid]
        assert (other_doc, other_meta) == (doc, meta), cid
        assert np.allclose(other_vector, vector, atol=1e-5), cid

    # 5. And they answer alike.
    queries = [
        f"project {project_code(7)}",
        f"what did the spokesperson say about {project_code(61)}",
        "hydrogen bus fleet petition",
        "opposition asked for an audit of the museum wing",
    ]
    modes: list[SearchMode] = ["hybrid", "dense", "keyword"]
    for query in queries:
        for mode in modes:
            want = clean_kb.search(query, 5, mode)
            got = crashed_kb.search(query, 5, mode)
            assert [h.chunk_id for h in got] == [h.chunk_id for h in want], (query, mode)
            assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-5)
    top = crashed_kb.search(f"project {project_code(7)}", k=1)[0]
    assert top.article_id == "corpus/0007.txt"
