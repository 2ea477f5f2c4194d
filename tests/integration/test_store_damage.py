"""A damaged or out-of-step store is named on the next command and repaired by one command.

The cases reported in issue 10, each through the real CLI: the database deleted while this host's
cache says the store held articles (search answered keyword-only hits and ingest reported chunks
that were not there); a cache file truncated or of the wrong shape (search said "The store is
empty", or a traceback); a cache out of step with the store. (An ingest that did not finish is
in ``test_crash.py``.) Commands that must see a deleted database run as processes of their own,
as a user's would: a process that had the store open keeps reading the deleted file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.terminal import cli
from bot.terminal.cli import app
from tests.support import SEED_FILE, SEEDS

QUERY = "Johnson Russia sanctions"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", 10_000)
    monkeypatch.setattr(cli.err, "width", 10_000)


def env(store: Path) -> dict[str, str]:
    return {"NEWSDESK_STORE_PATH": str(store)}


def run(store: Path, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env(store))


def process(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.terminal.cli", *args],
        env={**clean, **env(store), "COLUMNS": "1000"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def ingested(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    result = run(store, "ingest", str(SEEDS), "-q")
    assert result.exit_code == 0, result.output
    return store


def hits(result: Result | subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    out = result.stdout
    return list(json.loads(out)["hits"])


def test_a_deleted_database_is_named_then_repaired_by_ingest(tmp_path: Path) -> None:
    store = ingested(tmp_path)
    (store / "chroma" / "chroma.sqlite3").unlink()

    searched = process(store, "search", QUERY, "--json")
    assert searched.returncode == 1, searched.stdout + searched.stderr
    assert "has lost its data" in searched.stderr
    assert f"newsdesk ingest {SEEDS}" in searched.stderr  # what to run, with the folder
    assert searched.stdout == ""  # no hits, keyword-only or other

    again = process(store, "ingest", str(SEEDS), "-q")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 added" in again.stdout and " 0 in the store" not in again.stdout
    searched = process(store, "search", QUERY, "--json")
    assert searched.returncode == 0, searched.stderr
    found = hits(searched)
    assert found and found[0]["article_id"] == f"seeds/{SEED_FILE.name}"
    assert found[0]["dense_score"] is not None  # from the rebuilt vectors, not keywords only


def test_doctor_names_a_deleted_database_and_repairs_it(tmp_path: Path) -> None:
    store = ingested(tmp_path)
    (store / "chroma" / "chroma.sqlite3").unlink()

    checked = process(store, "doctor")
    assert checked.returncode == 1
    assert "has lost its data" in checked.stderr and "--repair" in checked.stdout
    repaired = process(store, "doctor", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert f"ingested {SEEDS} again: 1 added" in repaired.stdout
    assert process(store, "doctor").returncode == 0
    found = hits(process(store, "search", QUERY, "--json"))
    assert found and found[0]["dense_score"] is not None


@pytest.mark.parametrize(
    "content",
    ['{"stamp": "x", "ids": ["a", "b"', '["not", "an", "index"]', '{"ids": 5}', ""],
    ids=["truncated", "a-list", "wrong-field", "empty"],
)
def test_a_damaged_cache_is_named_and_rebuilt_never_an_empty_answer(
    tmp_path: Path, content: str
) -> None:
    store = ingested(tmp_path)
    state = store / "state" / "newsdesk"
    (state / "keyword" / "newsdesk_ids.json").write_text(content, encoding="utf-8")
    # The manifest file earlier versions kept, truncated or of the wrong shape: not read at all.
    (state / "manifest.json").write_text(content or "{", encoding="utf-8")

    checked = run(store, "doctor")
    assert checked.exit_code == 1
    assert "keyword index cache" in checked.stderr and "unreadable" in checked.stderr
    assert "manifest.json is left from an earlier version" in checked.stderr

    for mode in ("hybrid", "keyword"):
        searched = run(store, "search", QUERY, "--json", "--mode", mode)
        assert searched.exit_code == 0, searched.output
        assert "The store is empty" not in searched.stderr
        found = hits(searched)
        assert found and found[0]["article_id"] == f"seeds/{SEED_FILE.name}", mode

    repaired = run(store, "doctor", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert not (state / "manifest.json").exists()
    assert run(store, "doctor").exit_code == 0


def test_a_cache_out_of_step_with_the_store_is_named_and_refreshed(tmp_path: Path) -> None:
    store = ingested(tmp_path)
    keyword = store / "state" / "newsdesk" / "keyword"
    shutil.copytree(keyword, tmp_path / "old-cache")
    news = tmp_path / "news"
    news.mkdir()
    (news / "ferry.txt").write_text(
        "Ferry to Vlieland doubles its crossings\nThe Vlieland ferry will sail twice as often "
        "from May, the operator Doeksen said.",
        encoding="utf-8",
    )
    assert run(store, "ingest", str(news), "-q").exit_code == 0
    # This host's cache goes back to before that ingest (as if another host had ingested).
    shutil.rmtree(keyword)
    shutil.copytree(tmp_path / "old-cache", keyword)

    checked = run(store, "doctor")
    assert checked.exit_code == 1 and "keyword index cache" in checked.stderr
    assert "is not that of the store" in checked.stderr
    found = hits(run(store, "search", "Vlieland ferry crossings", "--json", "--mode", "keyword"))
    assert found and found[0]["article_id"] == "news/ferry.txt"
    assert run(store, "doctor").exit_code == 0


def test_chunks_from_an_earlier_version_are_named_and_rewritten_by_ingest(
    tmp_path: Path,
) -> None:
    import numpy as np

    from retrieval.doctor import examine
    from retrieval.knowledge_base import KnowledgeBase
    from retrieval.settings import RetrievalSettings

    kb = KnowledgeBase(RetrievalSettings(store_path=tmp_path / "store"))
    # A chunk as the previous version wrote it: no root, fingerprint or chunk count.
    old = {"article_id": f"seeds/{SEED_FILE.name}", "index": 0, "content_hash": "h"}
    kb.store.upsert(["old-chunk"], np.ones((1, 384), dtype=np.float32), ["text"], [old])
    found = [f.what for f in examine(kb)]
    assert any("written by an earlier version" in w for w in found), found
    assert not any("half-written" in w for w in found), found
    report = kb.ingest(SEEDS)
    assert report.articles_updated == 1 and kb.store.get(["old-chunk"]) == {}
    assert examine(kb) == []
