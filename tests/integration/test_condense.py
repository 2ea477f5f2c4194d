"""Follow-up questions made standalone: the offline rewrite, and the LLM over real HTTP."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from bot.condense import (
    clean_model_question,
    condense_question,
    format_history,
    key_terms,
    looks_standalone,
    previous_standalone,
    rewrite_follow_up,
)
from bot.generators.llm import build_chat_model
from bot.prompts import load_prompt, parse_prompt
from bot.settings import Settings
from bot.types import NO_ANSWER_MESSAGE, Turn
from tests.fakes.openai_server import FakeOpenAIServer, Reply

JOHNSON = "What did Johnson say about Russia?"


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        # "what about X" replaces the topic.
        (JOHNSON, "and what about China?", "What did Johnson say about China?"),
        (JOHNSON, "What about Putin?", "What did Johnson say about Putin?"),
        (JOHNSON, "how about the sanctions", "What did Johnson say about the sanctions?"),
        (JOHNSON, "what about on Syria?", "What did Johnson say about Syria?"),
        (JOHNSON, "and about Iran?", "What did Johnson say about Iran?"),
        ("What did Johnson say?", "and about Russia?", "What did Johnson say about Russia?"),
        (
            "What did Johnson say to reporters about Russia?",
            "and China?",
            "What did Johnson say to reporters about China?",
        ),
        (
            "Which countries face sanctions over Syria?",
            "what about Iran?",
            "Which countries face sanctions over Iran?",
        ),
        (
            "What sanctions were discussed for Russian military officers?",
            "and what about Iran?",
            "What sanctions were discussed for Iran?",
        ),
        ("What did the G7 agree in Lucca?", "what about Rome?", "What did the G7 agree in Rome?"),
        # A bare name: a person becomes the new speaker, a place the new topic.
        (JOHNSON, "and Tillerson?", "What did Tillerson say about Russia?"),
        (JOHNSON, "Tillerson?", "What did Tillerson say about Russia?"),
        (JOHNSON, "and Boris Johnson?", "What did Boris Johnson say about Russia?"),
        (JOHNSON, "and the Foreign Secretary?", "What did the Foreign Secretary say about Russia?"),
        (JOHNSON, "And President Assad?", "What did President Assad say about Russia?"),
        (
            "What has the Foreign Secretary said about Assad?",
            "and the Russians?",
            "What has the Russians said about Assad?",
        ),
        (JOHNSON, "and China?", "What did Johnson say about China?"),
        # Places and people no list names: spaCy's entity recogniser tells them apart.
        (JOHNSON, "and Kabul?", "What did Johnson say about Kabul?"),
        (JOHNSON, "and Bavaria?", "What did Johnson say about Bavaria?"),
        (JOHNSON, "and Sarkozy?", "What did Sarkozy say about Russia?"),
        (JOHNSON, "and the Tories?", "What did the Tories say about Russia?"),
        (JOHNSON, "China too?", "What did Johnson say about China?"),
        (JOHNSON, "and the EU?", "What did Johnson say about the EU?"),
        (JOHNSON, "and the sanctions?", "What did Johnson say about the sanctions?"),
        (JOHNSON, "and what did Tillerson say?", "What did Tillerson say about Russia?"),
        # Pronouns resolve to the last named person (the speaker first).
        (JOHNSON, "what did he say about Syria?", "What did Johnson say about Syria?"),
        (JOHNSON, "and what did they say about Iran?", "What did Johnson say about Iran?"),
        (JOHNSON, "did he threaten sanctions?", "Did Johnson threaten sanctions?"),
        (JOHNSON, "what was his reason?", "What was Johnson's reason?"),
        (JOHNSON, "what did he say?", "What did Johnson say about Russia?"),
        (
            "Who is Boris Johnson?",
            "what did he say about Russia?",
            "What did Boris Johnson say about Russia?",
        ),
        (
            "What did Theresa May say about Brexit?",
            "when did she say it?",
            "When did Theresa May say that about Brexit?",
        ),
        ("What is the G7?", "where did it meet?", "Where did G7 meet?"),
        # Question words alone take the previous question's shape.
        (JOHNSON, "why?", "Why did Johnson say that about Russia?"),
        (JOHNSON, "And when?", "When did Johnson say that about Russia?"),
        (JOHNSON, "why is that?", "Why did Johnson say that about Russia?"),
        ("Is Russia facing sanctions?", "why?", "Why is Russia facing sanctions?"),
        ("Did Johnson warn Russia?", "when?", "When did Johnson warn Russia?"),
        ("Who said Russia has a choice?", "why?", "Who said Russia has a choice - why?"),
        # Standalone questions are left alone.
        (JOHNSON, "What did Tillerson say about Syria?", "What did Tillerson say about Syria?"),
        (
            JOHNSON,
            "On what date did Johnson arrive in Lucca?",
            "On what date did Johnson arrive in Lucca?",
        ),
        (
            JOHNSON,
            "is it true that Johnson cancelled a trip to Moscow?",
            "is it true that Johnson cancelled a trip to Moscow?",
        ),
        (
            JOHNSON,
            "Which ministers met in Italy last week?",
            "Which ministers met in Italy last week?",
        ),
        # Anything else keeps the previous question's key terms for retrieval.
        (JOHNSON, "tell me more", "Tell me more (Johnson, Russia)?"),
        (JOHNSON, "anything else?", "Anything else (Johnson, Russia)?"),
        (
            "Which ministers met in Lucca on Tuesday?",
            "details please",
            "Details please (Lucca, Tuesday, ministers, met)?",
        ),
    ],
)
def test_rewrite_follow_up(previous: str, follow_up: str, expected: str) -> None:
    assert rewrite_follow_up(follow_up, previous) == expected


def test_no_history_means_the_question_unchanged() -> None:
    assert condense_question("  and what about   China? ", []) == "and what about China?"
    assert condense_question("", [Turn(JOHNSON)]) == ""


def test_follow_ups_chain_through_the_whole_conversation() -> None:
    history = [Turn(JOHNSON, "Johnson said ... [1]."), Turn("and what about China?", "...")]
    assert previous_standalone(history) == "What did Johnson say about China?"
    assert condense_question("and Tillerson?", history) == "What did Tillerson say about China?"
    history.append(Turn("and Tillerson?"))
    assert condense_question("why?", history) == "Why did Tillerson say that about China?"


def test_a_new_topic_resets_the_chain() -> None:
    history = [Turn(JOHNSON), Turn("Which ministers met in Italy last week?")]
    assert condense_question("and in France?", history) == "Which ministers met in France?"


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("What did Tillerson say about Syria?", True),
        ("Who is the Foreign Secretary?", True),
        ("why?", False),
        ("and China?", False),
        ("and what did Tillerson say about it?", False),
        ("What about the sanctions on Russia?", False),
        ("What did he say about Syria?", False),
        ("Where did it happen?", False),
    ],
)
def test_looks_standalone(question: str, standalone: bool) -> None:
    assert looks_standalone(question) is standalone


def test_key_terms_put_names_first() -> None:
    assert key_terms("What did Boris Johnson say about Russia's choice?") == [
        "Boris Johnson",
        "Russia",
        "choice",
    ]


def test_format_history_keeps_the_last_turns_and_shortens_answers() -> None:
    turns = [Turn(f"question {i}", "answer " * 100) for i in range(6)]
    text = format_history(turns)
    assert "question 0" not in text and "question 1" not in text
    assert text.startswith("User: question 2\nAssistant: answer answer")
    assert all(len(line) <= 320 for line in text.splitlines())


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("What did Johnson say about China?", "What did Johnson say about China?"),
        (
            "Standalone question: What did Johnson say about China?\n",
            "What did Johnson say about China?",
        ),
        ('"What did Johnson say about China?"', "What did Johnson say about China?"),
        ("\n\n**Standalone question:** Who met?\nExplanation: ...", "Who met?"),
        ("", None),
        ("   \n ", None),
        (NO_ANSWER_MESSAGE, None),
        ("x" * 600, None),
    ],
)
def test_clean_model_question(reply: str, expected: str | None) -> None:
    assert clean_model_question(reply) == expected


# --- with a chat model, over HTTP ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("NEWSDESK_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name)


def chat_model(server: FakeOpenAIServer, timeout: float = 5.0) -> Any:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, generator="llm", llm_model="openai:some-model",
        llm_base_url=server.base_url, llm_timeout=timeout,
    )  # fmt: skip
    return build_chat_model(settings)


HISTORY = [Turn(JOHNSON, "Johnson said the Russians have a choice [1].")]


def test_the_model_rewrites_the_follow_up(openai_server: FakeOpenAIServer) -> None:
    openai_server.script("Standalone question: What did Boris Johnson say about China?")
    result = condense_question("and what about China?", HISTORY, chat_model(openai_server))
    assert result == "What did Boris Johnson say about China?"
    [sent] = openai_server.prompts()
    assert sent == load_prompt("condense").render(
        history=f"User: {JOHNSON}\nAssistant: Johnson said the Russians have a choice [1].",
        question="and what about China?",
    )


def test_no_history_calls_no_model(openai_server: FakeOpenAIServer) -> None:
    assert condense_question("and China?", [], chat_model(openai_server)) == "and China?"
    assert openai_server.requests == []


def test_a_custom_condense_prompt_is_used(openai_server: FakeOpenAIServer) -> None:
    openai_server.script("What did Johnson say about China?")
    prompt = parse_prompt(
        "mine", "---\nvariables: [history, question]\n---\nH={history} Q={question}"
    )
    condense_question("and China?", HISTORY, chat_model(openai_server), prompt)
    assert openai_server.prompts()[0].startswith("H=User: What did Johnson say")


@pytest.mark.parametrize(
    "reply",
    [Reply(status=500), Reply(""), Reply(NO_ANSWER_MESSAGE), Reply(status=401)],
    ids=["http-500", "empty", "no-answer", "http-401"],
)
def test_model_failures_fall_back_to_the_offline_rewrite(
    openai_server: FakeOpenAIServer, reply: Reply
) -> None:
    openai_server.script(reply)
    result = condense_question("and what about China?", HISTORY, chat_model(openai_server))
    assert result == "What did Johnson say about China?"
    assert len(openai_server.requests) == 1


def test_a_slow_model_falls_back_within_the_timeout(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply("What did Johnson say about China?", delay=5.0))
    model = chat_model(openai_server, timeout=1.0)
    started = time.perf_counter()
    result = condense_question("and Tillerson?", HISTORY, model)
    elapsed = time.perf_counter() - started
    assert result == "What did Tillerson say about Russia?"
    assert elapsed < 1.8, elapsed
