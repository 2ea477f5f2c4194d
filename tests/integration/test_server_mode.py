"""Chroma as a server: a real ``chroma run`` on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from retrieval.stores import StoreError
from tests.support import SEED_FILE, SEEDS

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    path: Path


def wait_for_heartbeat(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chroma run exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"chroma run did not answer {url} within 60 s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    assert CHROMA.exists(), f"the chroma CLI should be installed with chromadb at {CHROMA}"
    folder = tmp_path_factory.mktemp("chroma_server")
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    command = [str(CHROMA), "run", "--path", str(folder / "data")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
        )
    try:
        wait_for_heartbeat(port, process, log)
        yield ChromaServer("127.0.0.1", port, folder / "data")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: ChromaServer, tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    import chromadb

    config = RetrievalSettings(
        store_path=tmp_path / "state",
        collection="served",
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
    )
    kb = KnowledgeBase(config, embeddings)
    report = kb.ingest(SEEDS)
    assert report.chunks_written == report.total_chunks > 0 and not report.problems

    # The vectors live in the server, not in a local store.
    assert not (tmp_path / "state" / "chroma").exists()
    client = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port)
    collection = client.get_collection("served")
    ids = collection.get(include=[])["ids"]
    assert collection.count() == len(set(ids)) == report.total_chunks
    seed_id = f"seeds/{SEED_FILE.name}"
    assert sorted(ids) == sorted(kb.manifest["articles"][seed_id]["chunks"])

    for mode in ("hybrid", "dense", "keyword"):
        hits = kb.search("Johnson Russia sanctions", k=2, mode=mode)
        assert hits and hits[0].title.startswith("G7 meeting"), mode
    dense = kb.search("sanctions on military officers", k=1, mode="dense")[0]
    assert dense.dense_score is not None and dense.dense_score > 0.3

    # A second client (another process would be the same) sees the same data; re-ingest is a
    # no-op against the server too.
    again = KnowledgeBase(config).ingest(SEEDS)
    assert again.chunks_written == 0 and again.articles_unchanged == 1


def test_an_unreachable_server_names_host_and_port(
    tmp_path: Path, embeddings: LocalEmbeddings
) -> None:
    port = free_port()  # nothing listens here
    config = RetrievalSettings(
        store_path=tmp_path / "state", chroma_host="127.0.0.1", chroma_port=port
    )
    kb = KnowledgeBase(config, embeddings)
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        kb.ingest(SEEDS)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "Chroma server" in str(info.value)
    assert time.monotonic() - started < 30
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        kb.store.count()
