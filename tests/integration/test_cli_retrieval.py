"""``newsdesk ingest`` / ``search`` / ``eval retrieval`` through the real CLI (typer's runner).

The commands build their own knowledge base from settings, exactly as a user's shell would, so
each one that embeds loads the model (well under a second once torch is imported).
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.terminal import cli
from bot.terminal.cli import app
from tests.support import HIT_JSON_KEYS as JSON_KEYS
from tests.support import SEED_FILE

SEED_TITLE = "G7 meeting: Russia and Syria could face 'further sanctions', says Boris Johnson"


# Square brackets in article text and file names are data; rich must not read them as markup.
DANUBE = """---
title: Danube ports close as floods rise [updated]
source: Danube Herald
url: https://example.org/danube
published_at: 2024-03-02
---
Heavy rain pushed the Danube to its highest level in a decade, closing ports in Vienna and
Budapest [/b] and stranding hundreds of barges carrying grain.
"""


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps at 80 columns when not on a terminal; long temporary paths would be split.
    monkeypatch.setattr(cli.console, "width", 10_000)
    monkeypatch.setattr(cli.err, "width", 10_000)


def run(store: Path, *args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"NEWSDESK_STORE_PATH": str(store), **env})


def articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    (folder / "danube.md").write_text(DANUBE, encoding="utf-8")
    return folder


def test_ingest_then_search_json(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", articles(tmp_path / "articles")
    result = run(store, "ingest", str(folder), "-q")
    assert result.exit_code == 0, result.output
    assert "2 articles: 2 added, 0 updated, 0 unchanged, 0 removed" in result.stdout
    assert (store / "chroma").is_dir()

    result = run(store, "search", "Johnson Russia sanctions", "--json", "-k", "3")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert 1 <= len(hits) <= 3
    assert all(set(hit) == JSON_KEYS for hit in hits)
    top = hits[0]
    assert top["title"] == SEED_TITLE and top["article_id"] == f"articles/{SEED_FILE.name}"
    assert isinstance(top["score"], float) and top["score"] > 0
    assert -1.0 <= top["dense_score"] <= 1.0 and top["keyword_score"] > 0
    assert "sanctions" in top["text"]

    result = run(store, "search", "barges stranded by floods", "--json", "-k", "1")
    [danube] = json.loads(result.stdout)["hits"]
    assert danube["source"] == "Danube Herald"
    assert danube["url"] == "https://example.org/danube"
    assert danube["published_at"] == "2024-03-02"

    # Unchanged folder: nothing embedded the second time.
    result = run(store, "ingest", str(folder), "-q")
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 2 unchanged, 0 removed; 0 chunks embedded" in result.stdout


def test_search_prints_titles_sources_and_scores(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", articles(tmp_path / "articles")
    assert run(store, "ingest", str(folder), "-q").exit_code == 0
    result = run(store, "search", "Danube floods", "-k", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1. Danube ports close as floods rise [updated]" in out
    assert "Danube Herald · 2024-03-02" in out
    assert "score " in out and "dense " in out and "bm25 " in out
    assert "Budapest [/b] and stranding" in out
    for mode in ("dense", "keyword"):
        result = run(store, "search", "Danube floods", "--mode", mode, "-k", "1")
        assert result.exit_code == 0 and "1. Danube ports close" in result.stdout


def test_malformed_files_are_reported_and_the_rest_ingests(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", articles(tmp_path / "articles")
    (folder / "broken.json").write_text('{"title": "Half a record", ', encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "draft [old].txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "title-only.md").write_text("# Just a heading\n", encoding="utf-8")

    result = run(store, "ingest", str(folder), "-q")
    # Something was left out: the exit status says so (3), after the good files went in.
    assert result.exit_code == 3, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 4, result.stderr
    by_name = {Path(line.removeprefix("skipped ").split(": ")[0]).name: line for line in skipped}
    assert set(by_name) == {"broken.json", "empty.txt", "draft [old].txt", "title-only.md"}
    assert str(folder / "draft [old].txt") in by_name["draft [old].txt"]
    assert "binary" in by_name["draft [old].txt"]
    assert "empty" in by_name["empty.txt"]
    assert "2 articles: 2 added" in result.stdout
    assert "4 file(s) with problems" in result.stdout

    result = run(store, "search", "Johnson Lavrov", "--json", "-k", "1")
    assert json.loads(result.stdout)["hits"][0]["title"] == SEED_TITLE


def test_prune_and_no_prune(tmp_path: Path) -> None:
    store, folder = tmp_path / "store", articles(tmp_path / "articles")
    assert run(store, "ingest", str(folder), "-q").exit_code == 0
    (folder / "danube.md").unlink()

    kept = run(store, "ingest", str(folder), "--no-prune", "-q")
    assert kept.exit_code == 0 and "0 removed" in kept.stdout
    found = json.loads(run(store, "search", "Danube", "--mode", "keyword", "--json").stdout)
    assert [h["article_id"] for h in found["hits"]][:1] == ["articles/danube.md"]

    pruned = run(store, "ingest", str(folder), "-q")
    assert pruned.exit_code == 0 and "1 removed" in pruned.stdout
    found = json.loads(run(store, "search", "Danube", "--mode", "keyword", "--json").stdout)
    assert found["hits"] == []

    # NEWSDESK_PRUNE=false makes keeping the default.
    (folder / "extra.txt").write_text("Extra story\nSomething happened.", encoding="utf-8")
    assert run(store, "ingest", str(folder), "-q").exit_code == 0
    (folder / "extra.txt").unlink()
    kept = run(store, "ingest", str(folder), "-q", NEWSDESK_PRUNE="false")
    assert kept.exit_code == 0 and "0 removed" in kept.stdout


def test_searching_an_empty_store(tmp_path: Path) -> None:
    result = run(tmp_path / "store", "search", "anything")
    assert result.exit_code == 0
    assert "The store is empty: run `newsdesk ingest PATH` first." in result.stderr
    assert "No passages found." in result.stdout
    result = run(tmp_path / "store", "search", "anything", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"hits": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "no/such/folder"], "No such file or folder: no/such/folder"),
        (["search", "x", "--mode", "fuzzy"], "--mode must be hybrid, dense or keyword"),
        (["search", "x", "-k", "0"], "-k"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(tmp_path / "store", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_unreachable_chroma_server_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = articles(tmp_path / "articles")
    result = run(
        tmp_path / "store",
        "ingest",
        str(folder),
        "-q",
        NEWSDESK_CHROMA_HOST="127.0.0.1",
        NEWSDESK_CHROMA_PORT=str(port),
    )
    assert result.exit_code == 1
    assert f"Cannot open the Chroma server at 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.output


def test_eval_retrieval_reports_recall_per_type(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {"id": "a", "title": "Danube floods close ports", "body": DANUBE.split("---")[-1]},
        {"id": "b", "title": SEED_TITLE, "body": SEED_FILE.read_text().split("\n", 1)[1]},
        {"id": "c", "title": "Bees decline", "body": "Wild bee numbers fell by a third."},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    qs = [
        {"question": "Which river flooded ports?", "article_ids": ["a"], "type": "single"},
        {"question": "Who warned Russia of sanctions?", "article_ids": ["b"], "type": "single"},
        {"question": "Floods and sanctions?", "article_ids": ["a", "b"], "type": "multi"},
    ]
    questions.write_text("\n".join(json.dumps(q) for q in qs), encoding="utf-8")
    out = tmp_path / "report.json"
    result = run(
        tmp_path / "store",
        "eval",
        "retrieval",
        "--corpus",
        str(corpus),
        "--questions",
        str(questions),
        "--out",
        str(out),
        "--store",
        str(tmp_path / "eval-store"),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for mode in ("hybrid", "dense", "keyword"):
        assert set(report["aggregate"][mode]) == {"single", "multi"}
    single = report["aggregate"]["hybrid"]["single"]
    assert single["n"] == 2 and single["recall@1"] == 1.0 and single["mrr@10"] == 1.0
    assert report["aggregate"]["hybrid"]["multi"]["recall@5"] == 1.0
    assert len(report["records"]) == 3
    assert report["records"][0]["hybrid"]["ranked_article_ids"][0] == "a"
    assert report["settings"]["embedding_model"] == "all-MiniLM-L6-v2"


def test_the_summary_counts_files_and_names_what_was_not_read(tmp_path: Path) -> None:
    import os

    store, folder = tmp_path / "store", articles(tmp_path / "articles")
    clean = run(store, "ingest", str(folder), "-q")
    assert clean.exit_code == 0, clean.output
    assert "2 file(s) read, 2 articles: 2 added" in clean.stdout
    assert "Skipped" not in clean.stdout

    for name in ("photo.jpg", "logo.png", "notes.xyz"):
        (folder / name).write_bytes(b"\x89PNG not an article")
    os.mkfifo(folder / "pipe.txt")  # never opened: a FIFO would block the walk forever
    result = run(store, "ingest", str(folder), "-q")
    assert result.exit_code == 3, result.output
    not_read = [line for line in result.stderr.splitlines() if line.startswith("not read ")]
    named = {Path(line.removeprefix("not read ").split(": ")[0]).name for line in not_read}
    assert named == {"photo.jpg", "logo.png", "notes.xyz", "pipe.txt"}
    assert any("special file" in line for line in not_read if "pipe.txt" in line)
    assert "2 file(s) read, 2 articles: 0 added" in result.stdout
    assert "4 file(s) not read" in result.stdout


def test_prepare_parses_a_store_once_and_says_where(tmp_path: Path) -> None:
    store, folder, parses = tmp_path / "store", articles(tmp_path / "articles"), tmp_path / "p"
    env = {"NEWSDESK_PARSE_STORE": str(parses)}
    assert run(store, "prepare", **env).exit_code == 1  # nothing ingested yet
    ingested = run(store, "ingest", str(folder), "-q")
    assert ingested.exit_code == 0 and "`newsdesk prepare` parses the new" in ingested.output
    unchanged = run(store, "ingest", str(folder), "-q")
    assert unchanged.exit_code == 0 and "newsdesk prepare" not in unchanged.output
    first = run(store, "prepare", "-q", **env)
    assert first.exit_code == 0, first.output
    assert " 0 already stored" in first.output and str(parses) in first.output
    assert list(parses.glob("*.sqlite3"))
    again = run(store, "prepare", "-q", **env)
    assert again.exit_code == 0 and ": 0 parsed now" in again.output
    off = run(store, "prepare", NEWSDESK_PARSE_STORE_ENABLED="false", **env)
    assert off.exit_code == 2 and "NEWSDESK_PARSE_STORE_ENABLED is off" in off.output
