"""An embedded store reopened (``ChromaStore.reload``) while other threads are querying it.

A replica's keyword index notices that another process's ingest moved the store's version and
reloads the embedded client, so that its vector index sees the new chunks. Other threads of the
same replica are answering questions at that moment: none of their queries may fail because the
client was closed under them (issue 10). Real parts: an embedded Chroma store in a temporary
folder, written by a second process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.settings import RetrievalSettings
from retrieval.stores.base import StoreError
from retrieval.stores.chroma import ChromaStore
from tests.support import REPO

DIM = 384
THREADS = 4

# Another process: an ingest's writes (new chunks, then a new version in the collection record),
# one round for each line it reads, reporting the version it wrote.
WRITER = """
import json, sys, numpy as np
from pathlib import Path
from retrieval.settings import RetrievalSettings
from retrieval.stores.chroma import ChromaStore
store = ChromaStore(RetrievalSettings(store_path=Path(sys.argv[1])))
rng = np.random.default_rng(1)
version = 1
print("ready", flush=True)
while sys.stdin.readline():
    version += 1
    ids = [f"w{version}-{i}" for i in range(20)]
    vectors = rng.random((20, int(sys.argv[2])), dtype=np.float32)
    store.upsert(ids, vectors, ["written later"] * 20, [{"article_id": "w"}] * 20)
    store.set_info({"version": version})
    print(json.dumps([ids[0], vectors[0].tolist()]), flush=True)
"""
WRITES = 4
# Reloads after each write of the other process (each one reopens the embedded client: this
# process never wrote the record it reads, so every check finds it changed).
RELOADS_PER_WRITE = 2


def _store(path: Path) -> ChromaStore:
    return ChromaStore(RetrievalSettings(store_path=path))


@pytest.fixture()
def filled(tmp_path: Path) -> Path:
    store = _store(tmp_path)
    rng = np.random.default_rng(0)
    store.upsert(
        [f"c{i}" for i in range(300)],
        rng.random((300, DIM), dtype=np.float32),
        [f"chunk {i}" for i in range(300)],
        [{"article_id": f"a{i}"} for i in range(300)],
    )
    store.set_info({"version": 1})
    store.client.close()
    return tmp_path


def test_queries_in_flight_survive_a_reload_after_another_process_writes(filled: Path) -> None:
    store = _store(filled)
    store.open()
    errors: list[str] = []
    done = 0
    stop = threading.Event()
    count_lock = threading.Lock()

    def query() -> None:
        nonlocal done
        rng = np.random.default_rng(threading.get_ident() % 1000)
        while not stop.is_set():
            try:
                hits = store.query(rng.random(DIM).tolist(), 8)
                assert len(hits) == 8
            except (StoreError, AssertionError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            with count_lock:
                done += 1

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(filled), str(DIM)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    threads = [threading.Thread(target=query) for _ in range(THREADS)]
    reloads = 0
    try:
        assert writer.stdout.readline().strip() == "ready"
        for thread in threads:
            thread.start()
        for _ in range(WRITES):
            # The other process ingests; this one notices at its next check and reloads, as
            # the keyword index's refresh does, while its other threads keep querying.
            writer.stdin.write("go\n")
            writer.stdin.flush()
            last_id, last_vector = json.loads(writer.stdout.readline())
            for _ in range(RELOADS_PER_WRITE):
                store.reload()
                reloads += 1
                time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        writer.stdin.close()
        writer.wait(30)
    assert reloads == WRITES * RELOADS_PER_WRITE and done >= 20
    assert errors == [], f"{len(errors)} of {done} queries failed, e.g. {errors[:3]}"
    # And after the last reload this process sees what the other one wrote, in its vector
    # index too (the reason for reloading).
    assert store.count() == 300 + 20 * WRITES
    [(nearest, similarity)] = store.query(last_vector, 1)
    assert nearest.id == last_id and similarity > 0.999
