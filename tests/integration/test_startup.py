"""Nothing heavy before it is needed: a refused question loads no model, store or spaCy.

Each command runs in a real process against a real seed store (a store that exists is what makes
a search open it), and the process reports which heavy libraries it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.settings import RetrievalSettings
from tests.support import REPO, SEEDS

HEAVY = ("torch", "sentence_transformers", "transformers", "spacy", "chromadb")

# Runs the CLI as `newsdesk` would, then prints (on the last line of stderr) which of HEAVY the
# process imported, whatever the command's exit status.
_RUN_CLI = """
import json, sys
from bot.terminal.cli import app
code = 0
try:
    app(args=sys.argv[1:], prog_name="newsdesk")
except SystemExit as exc:
    code = exc.code or 0
heavy = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"heavy": heavy, "code": code}}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> Path:
    store = tmp_path_factory.mktemp("startup-store")
    report = KnowledgeBase(RetrievalSettings(store_path=store), embeddings).ingest(SEEDS)
    assert report.articles_added == 1 and not report.problems
    return store


def run_cli(
    store: Path, *args: str, **env_extra: str
) -> tuple[subprocess.CompletedProcess[str], dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(NEWSDESK_STORE_PATH=str(store), PYTHONPATH=str(REPO), **env_extra)
    result = subprocess.run(
        [sys.executable, "-c", _RUN_CLI.format(heavy=HEAVY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result, report


@pytest.mark.parametrize("question", ["", "   ", "why " * 400])
def test_ask_refuses_before_anything_heavy_loads(seed_store: Path, question: str) -> None:
    result, report = run_cli(seed_store, "ask", question, NEWSDESK_MAX_QUESTION_CHARS="1000")
    assert report["code"] == 1
    assert report["heavy"] == [], report
    assert "Please ask a question." in result.stdout or "too long" in result.stdout


@pytest.mark.parametrize("query", ["", "  \t ", "\x01"])
@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_search_refuses_an_empty_query_before_anything_heavy_loads(
    seed_store: Path, query: str, mode: str
) -> None:
    result, report = run_cli(seed_store, "search", query, "--mode", mode)
    assert report["heavy"] == [], report
    assert report["code"] == 1
    assert "Please give something to search for." in result.stderr


def test_search_refuses_an_over_long_query_before_anything_heavy_loads(seed_store: Path) -> None:
    result, report = run_cli(seed_store, "search", "oil " * 100, NEWSDESK_MAX_QUESTION_CHARS="50")
    assert report["heavy"] == [], report
    assert report["code"] == 1
    assert "too long" in result.stderr


def test_a_keyword_search_loads_no_model(seed_store: Path) -> None:
    result, report = run_cli(seed_store, "search", "Johnson Russia", "--mode", "keyword")
    assert report["code"] == 0, result.stderr
    assert "torch" not in report["heavy"] and "spacy" not in report["heavy"], report
    assert "Johnson" in result.stdout


def test_a_cold_core_refuses_an_empty_question_without_warming_up(seed_store: Path) -> None:
    # In process, as the REPL or the server would call it: a refused question must not pay for
    # loading the model, opening the store and rehearsing a whole answer first.
    from bot.settings import Settings
    from bot.wiring import build_answerer

    settings = Settings(_env_file=None, store_path=seed_store)  # type: ignore[call-arg]
    answerer = build_answerer(settings)
    for question in ("", "   ", "x" * (settings.answer.max_question_chars + 1)):
        answer = answerer.answer(question)
        assert answer.status == "error", answer
    assert not answerer.is_warm
    assert answerer.embeddings._model is None
    kb = answerer.searcher
    assert kb.search("  ") == []  # type: ignore[attr-defined]
    assert answerer.embeddings._model is None
