"""``newsdesk ask`` in a real process: what a shell hands it, bytes that are not UTF-8 included."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.terminal.cli import app
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from tests.support import REPO, SEEDS


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> Path:
    """The seeds in a store at the default collection, with the session's loaded model."""
    store = tmp_path_factory.mktemp("ask-store")
    report = KnowledgeBase(RetrievalSettings(store_path=store), embeddings).ingest(SEEDS)
    assert report.articles_added == 1 and not report.problems
    return store


def ask(store: Path, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env["NEWSDESK_STORE_PATH"] = str(store)
    env["PYTHONPATH"] = str(REPO)
    command: list[str | bytes] = [sys.executable, "-m", "bot.terminal.cli", "ask", *args]
    return subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)


def test_a_non_utf8_byte_in_the_question_is_replaced_not_a_traceback(seed_store: Path) -> None:
    # $'oil \xff prices' in a shell: Python turns the byte into a lone surrogate in sys.argv.
    result = ask(seed_store, b"What did Johnson say about \xff Russia?", "--json")
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    answer = json.loads(result.stdout.decode("utf-8"))
    assert answer["status"] == "answered"
    assert answer["question"] == "What did Johnson say about \ufffd Russia?"
    assert answer["citations"]


def test_a_non_utf8_byte_with_plain_output_is_answered_without_a_traceback(
    seed_store: Path,
) -> None:
    # In process: the argument is what Python makes of the raw byte in sys.argv (a lone
    # surrogate); the subprocess test above covers the real argv path once.
    question = os.fsdecode(b"oil \xff prices")
    assert "\udcff" in question
    result = CliRunner().invoke(
        app, ["ask", question], env={"NEWSDESK_STORE_PATH": str(seed_store)}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert "status " in result.output  # the answer was rendered, not an error


def test_a_store_failure_prints_a_plain_sentence_and_a_reference_the_path_in_the_log(
    embeddings: LocalEmbeddings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The terminal is a front end like Slack: the person sees no path, the log does.
    from bot import wiring
    from bot.core import Answerer
    from tests.integration.test_core import PLAIN_FAILURE, BrokenStore, make_settings

    path = tmp_path / "store" / "chroma.sqlite3"
    broken = Answerer(BrokenStore(path), embeddings, make_settings(tmp_path))
    monkeypatch.setattr(wiring, "build_answerer", lambda *_args, **_kwargs: broken)
    caplog.set_level(logging.ERROR)
    result = CliRunner().invoke(app, ["ask", "--json", "What did Johnson say about Russia?"])
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    match = PLAIN_FAILURE.fullmatch(answer["error"])
    assert match and answer["text"] == answer["error"], answer
    assert str(path) not in result.stdout
    assert any(
        match["ref"] in r.getMessage() and str(path) in r.getMessage() for r in caplog.records
    )
    plain = CliRunner().invoke(app, ["ask", "What did Johnson say about Russia?"])
    assert "Error: Searching the articles failed. (ref " in plain.stdout
    assert str(path) not in plain.stdout


def test_the_readme_example_is_what_ask_prints_on_the_seeds(seed_store: Path) -> None:
    # The first thing a newcomer reads is the README's example answer: it must be the answer
    # `newsdesk ask` gives on the seed article, word for word (wrapping aside), with its sources.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n", 2)[1]
    command, _, shown = block.partition("\n")
    question = command.removeprefix('$ newsdesk ask "').removesuffix('"')
    assert question == "What did Johnson say about Russia?", command
    shown_answer, _, shown_sources = shown.partition("\nSources\n")

    result = ask(seed_store, question, "--json")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    answer = json.loads(result.stdout.decode("utf-8"))
    assert " ".join(shown_answer.split()) == " ".join(answer["text"].split())
    listed = [f"[{c['n']}] {c['title']}" for c in answer["citations"]]
    assert shown_sources.strip().splitlines() == listed
