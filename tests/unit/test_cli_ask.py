"""``newsdesk ask`` refuses a question that cleans to nothing before anything is built or loaded;
while it answers, a one-shot process does without the cyclic garbage collector."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from bot import wiring
from bot.question import QUESTION_EMPTY
from bot.terminal import one_shot
from bot.terminal.cli import app


@pytest.fixture
def no_wiring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the answerer or the store (which loads the embedding model) fails the test."""

    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        pytest.fail("the question should be refused before the answerer or the store is built")

    monkeypatch.setattr(wiring, "build_answerer", forbidden)
    monkeypatch.setattr(wiring, "build_knowledge_base", forbidden)


@pytest.mark.parametrize("question", ["", "   ", "\n\t ", "\udcff", " \ufffd "])
def test_an_empty_question_is_refused_without_building_anything(
    no_wiring: None, question: str
) -> None:
    result = CliRunner().invoke(app, ["ask", question])
    assert result.exit_code == 1, result.output
    assert QUESTION_EMPTY in result.output


def test_the_refusal_in_json_is_the_usual_error_answer(no_wiring: None) -> None:
    result = CliRunner().invoke(app, ["ask", "", "--json"])
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    assert answer["status"] == "error"
    assert answer["error"] == answer["text"] == QUESTION_EMPTY


def test_an_over_long_question_is_refused_without_building_anything(no_wiring: None) -> None:
    result = CliRunner().invoke(
        app, ["ask", "why " * 40, "--json"], env={"NEWSDESK_MAX_QUESTION_CHARS": "50"}
    )
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    assert answer["status"] == "error" and "too long" in answer["error"]
    assert "the limit is 50" in answer["error"]


def test_a_one_shot_ask_turns_the_collector_off_and_back_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[object] = []
    monkeypatch.setattr(one_shot.atexit, "register", registered.append)
    monkeypatch.setattr(one_shot, "_freeze_at_exit", False)
    assert gc.isenabled()
    with one_shot.one_shot():
        assert not gc.isenabled()
    assert gc.isenabled()  # `ask` run in-process (tests) leaves the collector as it found it
    with pytest.raises(RuntimeError), one_shot.one_shot():
        raise RuntimeError("the answer failed")
    assert gc.isenabled()
    assert registered == [gc.freeze]  # one exit handler per process, however many asks


def test_a_one_shot_ask_leaves_a_disabled_collector_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(one_shot.atexit, "register", lambda fn: fn)
    gc.disable()
    try:
        with one_shot.one_shot():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
