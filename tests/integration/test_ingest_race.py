"""Two ``newsdesk ingest`` processes racing on one store end as one run after the other would.

Round one: both ingest the same folder at once (overlapping). Round two: one ingests that folder
again while the other ingests a second, disjoint folder. A third store gets the same three ingests
one after the other. The stores must hold the same chunk ids, texts, metadata and vectors, and
answer keyword and hybrid searches alike; in an embedded store and in a real ``chroma run``.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.settings import load_settings
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from tests.integration.chroma_server import ChromaServer, start_chroma
from tests.integration.test_crash import cli_env, project_code, synthetic_article

PER_FOLDER = 24


def write_folder(folder: Path, first: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(first, first + PER_FOLDER):
        title, body = synthetic_article(n)
        (folder / f"{n:04d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
    return folder


def ingest_at_once(folders: list[Path], env: dict[str, str], cwd: Path) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.terminal.cli", "ingest", str(f), "-q"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for f in folders
    ]
    for process in processes:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out.decode()


def dump(kb: KnowledgeBase) -> dict[str, tuple[str, dict[str, Any], np.ndarray]]:
    store: Any = kb.store
    got = store.collection.get(include=["documents", "metadatas", "embeddings"])
    out = {
        cid: (doc, meta, np.asarray(vec))
        for cid, doc, meta, vec in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        )
    }
    assert len(out) == len(got["ids"]) == kb.store.count()
    return out


def knowledge_base(
    store: Path, embeddings: LocalEmbeddings, server: ChromaServer | None, collection: str
) -> KnowledgeBase:
    settings = load_settings(
        store_path=store,
        collection=collection,
        chunk_size=300,
        chunk_overlap=50,
        chroma_host=server.host if server else None,
        chroma_port=server.port if server else 8000,
    )
    return KnowledgeBase(settings.retrieval, embeddings)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["embedded", "server"])
def test_racing_ingests_end_like_a_sequential_run(
    tmp_path: Path, embeddings: LocalEmbeddings, where: str
) -> None:
    first = write_folder(tmp_path / "first", 0)
    second = write_folder(tmp_path / "second", 100)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(start_chroma(tmp_path / "srv")) if where == "server" else None
        env = cli_env(tmp_path / "raced", server)
        env["NEWSDESK_COLLECTION"] = "raced"

        ingest_at_once([first, first], env, tmp_path)  # overlapping
        ingest_at_once([first, second], env, tmp_path)  # disjoint (and the first again)

        sequential = knowledge_base(tmp_path / "sequential", embeddings, None, "sequential")
        for folder in (first, first, second):
            sequential.ingest(folder)
        raced = knowledge_base(tmp_path / "raced", embeddings, server, "raced")

        want, got = dump(sequential), dump(raced)
        assert sorted(got) == sorted(want) and len(want) > 2 * PER_FOLDER
        for cid, (text, meta, vector) in want.items():
            assert (got[cid][0], got[cid][1]) == (text, meta), cid
            # Each chunk's own vector. Not bit for bit: in bfloat16 (torch's default on a CPU
            # that does it in hardware) a vector moves by ~1e-4 with the batch it was in, and
            # the racing ingests batch differently; a cosine above 0.9999 is "the same vector"
            # (tests/integration/test_embedding_backends.py), another chunk's is far below.
            assert float(np.dot(got[cid][2], vector)) > 0.9999, cid
        assert all(a["complete"] for a in raced.manifest["articles"].values())
        for query in (
            f"project {project_code(5)}",
            f"project {project_code(117)}",
            "hydrogen bus fleet petition",
        ):
            for mode in ("keyword", "hybrid"):
                w = [h.chunk_id for h in sequential.search(query, 5, mode)]  # type: ignore[arg-type]
                g = [h.chunk_id for h in raced.search(query, 5, mode)]  # type: ignore[arg-type]
                assert g == w, (query, mode)
