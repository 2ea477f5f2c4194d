"""The REPL driven with scripted input through prompt_toolkit, as a user's keystrokes would be.

The answering pipeline is a callback; here it is a recording function that returns real
``Answer`` values, so every command's output can be checked exactly.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input

from bot.prompts import default_prompts_dir, load_prompt
from bot.settings import Settings
from bot.terminal.repl import run_repl
from bot.types import NO_ANSWER_MESSAGE, Answer, Citation, Dropped, Turn
from retrieval.types import Hit

HITS = (
    Hit(
        chunk_id="g7:0",
        article_id="g7",
        title="G7 meeting: Russia and Syria could face 'further sanctions'",
        text='The Foreign Secretary said the Russians "have a choice" to stick with Assad.',
        score=0.0328,
        source="ITV News",
        published_at="2017-04-10",
        url="https://www.itv.com/news/g7",
        dense_score=0.8123,
        keyword_score=7.314,
    ),
    Hit(
        chunk_id="moscow:2",
        article_id="moscow",
        title="Tillerson heads to Moscow",
        text="Rex Tillerson will carry a unified [bold]message[/bold] to Moscow.",
        score=0.0161,
        source="BBC",
        dense_score=0.4012,
        keyword_score=None,
    ),
)


@dataclass
class Call:
    question: str
    history: tuple[Turn, ...]
    k: int | None
    generator: str | None
    prompt: str | None


@dataclass
class FakePipeline:
    """Records each call and answers from the two hits above."""

    calls: list[Call] = field(default_factory=list)
    side_effect: Callable[[str], None] | None = None

    def __call__(
        self,
        question: str,
        history: Sequence[Turn],
        *,
        k: int | None,
        generator: str | None,
        prompt: str | None,
    ) -> Answer:
        self.calls.append(Call(question, tuple(history), k, generator, prompt))
        if self.side_effect is not None:
            self.side_effect(question)
        if "boom" in question:
            raise RuntimeError("the store is locked")
        if "Brazil" in question:
            return Answer(
                question=question, text=NO_ANSWER_MESSAGE, status="no_answer", hits=HITS,
                prompt_id="p-none", generator=generator or "extractive",
            )  # fmt: skip
        if "fail" in question:
            return Answer(
                question=question, text="", status="error", error="The language model did "
                "not answer within 5 s", generator="llm",
            )  # fmt: skip
        standalone = question
        if history and question.startswith("and "):
            standalone = f"What did Johnson say about {question[len('and what about ') :]}"
        return Answer(
            question=question,
            text=f"Johnson said the Russians have a choice [1]. (prompt={prompt or 'answer'})",
            status="answered",
            citations=(
                Citation(
                    number=1,
                    article_id="g7",
                    title=HITS[0].title,
                    source="ITV News",
                    url="https://www.itv.com/news/g7",
                    published_at="2017-04-10",
                    quote="the Russians have a choice",
                    chunk_id="g7:0",
                ),
            ),
            hits=HITS,
            prompt_id=f"id-{prompt or 'answer'}",
            generator=generator or "extractive",
            timings_ms={"retrieve": 12.0, "generate": 30.0, "total": 45.4},
            standalone_question=standalone,
            dropped=(
                Dropped("Johnson also praised Brazil [7].", "cites [7], which is not a source"),
                Dropped("Russia agreed to leave Syria [1].", "not supported by [1]"),
                Dropped("", "llm generator failed (timeout); answered extractively instead"),
            ),
        )


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps at 80 columns when not writing to a terminal; wide output keeps lines whole.
    monkeypatch.setenv("COLUMNS", "220")


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".newsdesk_history"


@dataclass
class Session:
    output: str
    code: int


def drive(
    keys: str,
    pipeline: FakePipeline,
    settings: Settings,
    history_file: Path,
    **kwargs: Any,
) -> Session:
    """Type ``keys`` into the REPL through prompt_toolkit's pipe input; end with end-of-input."""
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        code = run_repl(
            pipeline, settings=settings, input=pipe, output=out, history_path=history_file,
            **kwargs,
        )  # fmt: skip
    return Session(out.getvalue(), code)


@pytest.fixture
def pipeline() -> FakePipeline:
    return FakePipeline()


@pytest.fixture
def prompts_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__*"))
    yield folder


def test_a_question_is_answered_with_its_sources(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    s = drive("What did Johnson say about Russia?\n", pipeline, settings, history_file)
    assert s.code == 0
    assert "Johnson said the Russians have a choice [1]." in s.output
    assert (
        "[1] G7 meeting: Russia and Syria could face 'further sanctions' [itv.com] "
        "(ITV News, 2017-04-10)" in s.output
    )
    assert "https://www.itv.com/news/g7" in s.output
    assert "status answered · generator extractive · prompt id-answer · 45 ms" in s.output
    assert "3 dropped (:why)" in s.output
    assert pipeline.calls == [Call("What did Johnson say about Russia?", (), None, None, None)]


def test_follow_ups_get_the_conversation_and_reset_clears_it(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    keys = "What did Johnson say about Russia?\nand what about China?\n:reset\nWho met?\n"
    s = drive(keys, pipeline, settings, history_file)
    first, second, third = pipeline.calls
    assert first.history == ()
    assert second.history == (
        Turn(
            "What did Johnson say about Russia?",
            "Johnson said the Russians have a choice [1]. (prompt=answer)",
        ),
    )
    assert "(searched for: What did Johnson say about China?)" in s.output
    assert "Conversation cleared" in s.output
    assert third.history == ()


def test_no_answer_and_errors_are_shown_and_errors_stay_out_of_the_conversation(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    keys = "What did Johnson say about Brazil?\nplease fail\nboom\nnext\n"
    s = drive(keys, pipeline, settings, history_file)
    assert NO_ANSWER_MESSAGE in s.output
    assert "Error: The language model did not answer within 5 s" in s.output
    assert "Could not answer: the store is locked" in s.output
    # The REPL carried on after both; the failed turns are not part of the conversation.
    assert [c.question for c in pipeline.calls][-1] == "next"
    assert [t.question for t in pipeline.calls[-1].history] == [
        "What did Johnson say about Brazil?"
    ]


def test_an_over_long_question_is_refused_before_the_pipeline_runs(
    pipeline: FakePipeline, history_file: Path
) -> None:
    settings = Settings(_env_file=None, max_question_chars=20)  # type: ignore[call-arg]
    s = drive("why " * 10 + "\n  Why   did it fall? \n", pipeline, settings, history_file)
    assert "Error: The question is too long (39 characters; the limit is 20)" in s.output
    # Only the second question reached the pipeline, cleaned.
    assert [c.question for c in pipeline.calls] == ["Why did it fall?"]


def test_sources_shows_dense_keyword_and_fused_scores(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    s = drive("What did Johnson say about Russia?\n:sources\n", pipeline, settings, history_file)
    table = s.output[s.output.index("Retrieved passages") :]
    for header in ("Dense", "Keyword", "Fused", "Cited", "Passage"):
        assert header in table
    row1 = next(line for line in table.splitlines() if "G7 meeting" in line)
    assert "0.812" in row1 and "7.31" in row1 and "0.0328" in row1 and "[1]" in row1
    row2 = next(line for line in table.splitlines() if "Tillerson heads to Moscow" in line)
    assert "0.401" in row2 and "0.0161" in row2 and " - " in row2
    # Passage text is shown literally, never as rich markup.
    assert "[bold]message[/bold]" in table


def test_prompt_shows_the_exact_filled_prompt(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    s = drive(
        "What did Johnson say about Russia?\nand what about China?\n:prompt\n",
        pipeline, settings, history_file,
    )  # fmt: skip
    shown = s.output[s.output.index("prompt answer (") :]
    answer_prompt = load_prompt("answer")
    assert f"prompt answer ({answer_prompt.id}), 2 sources" in shown
    # The question sent is the standalone one; sources under their keys; the valid keys.
    assert "Question: What did Johnson say about China?" in shown
    assert "[1] G7 meeting: Russia and Syria could face 'further sanctions' (ITV News," in shown
    assert "[2] Tillerson heads to Moscow (BBC)" in shown
    assert "[1], [2]" in shown
    assert "[bold]message[/bold]" in shown
    assert "the extractive generator sends no prompt" in shown


def test_why_shows_what_the_citation_check_dropped(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    s = drive(
        "What did Johnson say about Russia?\n:why\nWhat did Johnson say about Brazil?\n:why\n",
        pipeline, settings, history_file,
    )  # fmt: skip
    first, second = s.output.split("Dropped by the citation check")[1].split(NO_ANSWER_MESSAGE)
    assert "Johnson also praised Brazil [7]." in first
    assert "cites [7], which is not a source" in first
    assert "Russia agreed to leave Syria [1]." in first and "not supported by [1]" in first
    assert "(the whole draft)" in first and "answered extractively instead" in first
    assert "The citation check dropped nothing from the extractive generator's draft." in second


def test_set_changes_k_generator_and_prompt_and_rejects_bad_values(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    keys = (
        ":set k=0\n:set k=abc\n:set generator=gpt\n:set prompt=nope\n:set prompt=condense\n"
        ":set colour=red\n:set k\nq1\n"
        ":set k=8 generator=llm\n:set prompt=answer_strict\nq2\n"
        ":set k=default generator=default prompt=default\nq3\n:set\n"
    )
    s = drive(keys, pipeline, settings, history_file)
    assert "k must be a whole number from 1 to 50." in s.output
    assert "Unknown generator gpt; choose one of: extractive, llm, local." in s.output
    assert "No prompt named 'nope'" in s.output and "available: answer, answer_strict" in s.output
    assert "cannot be used to answer" in s.output
    assert "Unknown setting colour" in s.output
    assert "Write :set NAME=VALUE (got k)" in s.output
    q1, q2, q3 = pipeline.calls
    assert (q1.k, q1.generator, q1.prompt) == (None, None, None)
    assert (q2.k, q2.generator, q2.prompt) == (8, "llm", "answer_strict")
    assert (q3.k, q3.generator, q3.prompt) == (None, None, None)
    # The bare ":set" after q3's answer shows the defaults back in force.
    last = s.output.rsplit("Johnson said", 1)[1].splitlines()
    assert any(
        line.split()[:3] == ["k", str(settings.retrieval.k), "(default)"] for line in last if line
    )
    assert any(line.split()[:3] == ["generator", "extractive", "(default)"] for line in last)


def test_compare_answers_the_last_question_with_two_prompts(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    keys = (
        "What did Johnson say about Russia?\nand what about China?\n"
        ":compare answer answer_strict\n:compare answer\n:compare answer nope\n"
    )
    s = drive(keys, pipeline, settings, history_file)
    _, _, a, b = pipeline.calls  # the bad :compare lines answer nothing
    assert (a.question, a.prompt) == ("and what about China?", "answer")
    assert (b.question, b.prompt) == ("and what about China?", "answer_strict")
    # Both are asked in the conversation as it stood before that question.
    assert a.history == b.history == (pipeline.calls[1].history)
    assert len(a.history) == 1
    assert "answer (id-answer)" in s.output and "answer_strict (id-answer_strict)" in s.output
    row = next(line for line in s.output.splitlines() if "│ Johnson said" in line)
    assert "(prompt=answer)" in row
    assert "(prompt=answer_strict)" in row  # side by side, on the same line
    assert "the extractive generator does not use the prompt" in s.output
    assert "Write :compare A B with two prompt names" in s.output
    assert "No prompt named 'nope'" in s.output


def test_reload_reports_changed_and_broken_prompts(
    pipeline: FakePipeline, settings: Settings, history_file: Path, prompts_dir: Path
) -> None:
    answer = prompts_dir / "answer.txt"
    old_id = load_prompt("answer", prompts_dir).id

    def edit_prompts(_question: str) -> None:
        # The user edits prompt files while the REPL runs.
        answer.write_text(answer.read_text(encoding="utf-8") + "\nBe brief.\n", encoding="utf-8")
        (prompts_dir / "condense.txt").write_text("---\nvariables: [question]\n---\nno fields\n")
        (prompts_dir / "extra.txt").write_text(
            "---\nvariables: [question, sources]\n---\n{sources} {question}"
        )

    pipeline.side_effect = edit_prompts
    reloads: list[int] = []
    s = drive(
        "What did Johnson say about Russia?\n:reload\n:prompt\n", pipeline, settings,
        history_file, prompts_dir=prompts_dir, reload_fn=lambda: reloads.append(1),
    )  # fmt: skip
    new_id = load_prompt("answer", prompts_dir).id
    assert new_id != old_id
    lines = s.output[s.output.index("Prompts") :].splitlines()
    assert any("answer (in use)" in line and new_id in line and "changed" in line for line in lines)
    assert any("condense" in line and "declared but not used: question" in line for line in lines)
    assert any("extra" in line and "new" in line for line in lines)
    assert any("answer_strict" in line and "changed" not in line for line in lines)
    assert reloads == [1]
    # :prompt now shows the edited text.
    assert f"prompt answer ({new_id})" in s.output and "Be brief." in s.output


def test_commands_before_any_question_and_unknown_commands(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    s = drive(":sources\n:prompt\n:why\n:compare answer answer_strict\n:frobnicate\n:help\n",
              pipeline, settings, history_file)  # fmt: skip
    assert s.output.count("Ask a question first.") == 4
    assert "Unknown command :frobnicate. Type :help for the commands." in s.output
    for command in (":sources", ":prompt", ":why", ":reload", ":set k=8", ":compare A B",
                    ":reset", ":quit"):  # fmt: skip
        assert command in s.output
    assert pipeline.calls == []


def test_quit_stops_reading(pipeline: FakePipeline, settings: Settings, history_file: Path) -> None:
    s = drive("first\n:quit\nsecond\n", pipeline, settings, history_file)
    assert [c.question for c in pipeline.calls] == ["first"]
    assert s.output.rstrip().endswith("Bye.")


def test_history_persists_across_runs(
    pipeline: FakePipeline, settings: Settings, history_file: Path
) -> None:
    drive("What did Johnson say about Russia?\n:sources\n", pipeline, settings, history_file)
    assert history_file.is_file()
    stored = list(FileHistory(str(history_file)).load_history_strings())
    assert stored == [":sources", "What did Johnson say about Russia?"]  # newest first

    # A second run: arrow-up twice recalls the first run's question, Enter asks it again.
    second = FakePipeline()
    drive("\x1b[A\x1b[A\r", second, settings, history_file)
    assert [c.question for c in second.calls] == ["What did Johnson say about Russia?"]


def test_a_plain_text_stream_works_too(pipeline: FakePipeline, settings: Settings) -> None:
    out = io.StringIO()
    code = run_repl(
        pipeline, settings=settings, input=io.StringIO("q1\n\n:set k=3\nq2\n"), output=out
    )
    assert code == 0
    assert [(c.question, c.k) for c in pipeline.calls] == [("q1", None), ("q2", 3)]
    assert "Bye." in out.getvalue()
