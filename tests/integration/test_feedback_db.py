"""Feedback in a database: a real SQLite file written by several processes and threads at once,
the old JSONL file imported once, and ``newsdesk feedback export``."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.common.feedback import FeedbackError, FeedbackRecord, FeedbackStore, export
from bot.terminal.cli import app

PROCESSES = 4
THREADS = 4
PER_WRITER = 50


def _write_many(path: str, writer: int) -> None:
    """One replica: ``THREADS`` threads recording ``PER_WRITER`` clicks each, all at once."""
    store = FeedbackStore(path)
    barrier = threading.Barrier(THREADS)

    def clicks(thread: int) -> None:
        barrier.wait()
        for i in range(PER_WRITER):
            store.record(
                FeedbackRecord(
                    "helpful" if i % 2 else "not_helpful",
                    f"U{writer}",
                    f"question {writer}/{thread}/{i}",
                    "an answer [1].",
                    answer_id=f"{writer}-{thread}-{i}",
                )
            )

    threads = [threading.Thread(target=clicks, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()


def test_several_processes_and_threads_write_at_once_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(str(path), w)) for w in range(PROCESSES)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(120)
        assert p.exitcode == 0
    store = FeedbackStore(path)
    rows = list(store)
    expected = {
        f"{w}-{t}-{i}" for w in range(PROCESSES) for t in range(THREADS) for i in range(PER_WRITER)
    }
    assert len(rows) == store.count() == PROCESSES * THREADS * PER_WRITER
    assert {r["answer_id"] for r in rows} == expected
    # Each writer's rows keep their order.
    mine = [r["question"] for r in rows if r["answer_id"].startswith("0-0-")]
    assert mine == [f"question 0/0/{i}" for i in range(PER_WRITER)]


def test_an_old_jsonl_file_is_imported_once(tmp_path: Path) -> None:
    old = tmp_path / "feedback.jsonl"
    lines = [
        {
            "time": "2025-01-01T00:00:00+00:00",
            "verdict": "helpful",
            "user": "U1",
            "question": "Q1",
            "answer": "A1",
            "prompt_id": "p",
            "extra": "ignored",
        },
        {"verdict": "not_helpful", "user": "U2", "question": "Q2", "answer": "A2"},
        {"verdict": "bogus", "user": "U3", "question": "Q3", "answer": "A3"},
    ]
    old.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"torn": ', encoding="utf-8")
    # The old setting's value names the JSONL file: the database goes beside it.
    first = FeedbackStore(old)
    assert first.path == tmp_path / "feedback.db"
    assert [(r["user"], r["question"], r["prompt_id"]) for r in first] == [
        ("U1", "Q1", "p"),
        ("U2", "Q2", ""),
    ]
    first.record(FeedbackRecord("helpful", "U4", "Q4", "A4"))
    # Another replica, or a restart, with the new default path: nothing imported twice.
    second = FeedbackStore(tmp_path / "feedback.db", legacy=tmp_path / "feedback.db")
    assert [r["user"] for r in second] == ["U1", "U2", "U4"]
    assert old.exists(), "the old file is left in place"


def test_export_as_jsonl_and_csv_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "fb.db"
    store = FeedbackStore(db)
    store.record(FeedbackRecord("helpful", "U1", 'Q "quoted", with comma', "A\nline two"))
    store.record(FeedbackRecord("not_helpful", "U2", "Q2 ünïcode", "B", prompt_id="p2"))
    runner = CliRunner()
    env = {"NEWSDESK_FEEDBACK_PATH": str(db)}
    result = runner.invoke(app, ["feedback", "export"], env=env)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ['Q "quoted", with comma', "Q2 ünïcode"]
    assert "2 feedback record(s)" in result.stderr

    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["feedback", "export", "--format", "csv", "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["answer"] for r in parsed] == ["A\nline two", "B"]
    assert parsed[1]["prompt_id"] == "p2" and parsed[0]["verdict"] == "helpful"

    bad = runner.invoke(app, ["feedback", "export", "--format", "xml"], env=env)
    assert bad.exit_code == 2 and "jsonl or csv" in bad.stderr


def test_database_url_setting_and_an_unusable_database(tmp_path: Path) -> None:
    db = tmp_path / "by_url.db"
    runner = CliRunner()
    FeedbackStore(f"sqlite:///{db}").record(FeedbackRecord("helpful", "U1", "Q", "A"))
    result = runner.invoke(
        app, ["feedback", "export"], env={"NEWSDESK_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["user"] == "U1"

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(FeedbackError, match="Cannot"):
        FeedbackStore(blocker / "feedback.db").record(FeedbackRecord("helpful", "U", "Q", "A"))
    result = runner.invoke(
        app,
        ["feedback", "export"],
        env={"NEWSDESK_DATABASE_URL": "postgresql://newsdesk:s3cret@127.0.0.1:1/none"},
    )
    assert result.exit_code == 1
    assert "s3cret" not in result.output and "feedback database" in result.output


def test_export_writes_any_number_of_rows_in_order(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.db")
    for i in range(2500):  # more than one page of 1,000
        store.record(FeedbackRecord("helpful", "U", f"Q{i}", "A"))
    out = io.StringIO()
    assert export(store, "jsonl", out) == 2500
    assert [json.loads(x)["question"] for x in out.getvalue().splitlines()][-2:] == [
        "Q2498",
        "Q2499",
    ]
