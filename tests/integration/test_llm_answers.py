"""The LLM path end to end: Answerer -> real LangChain OpenAI client -> HTTP -> fake server.

The fake server (tests/fakes/openai_server.py) speaks the chat-completions wire format on
127.0.0.1; its replies are built from the prompt it receives, so they cite the keys under which
the real retrieval (a Chroma store in a temporary folder, the real embedding model) offered the
seed article's passages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.core import Answerer
from bot.settings import Settings
from bot.types import NO_ANSWER_MESSAGE
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from tests.fakes import openai_server as fake_openai
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.support import SEEDS

openai_server = fake_openai.openai_server

pytest.importorskip("langchain_openai")

QUESTION = "What did Johnson say about Russia?"
TIMEOUT_S = 1.0
# The worker thread is abandoned 0.5 s after the deadline (bot.generators.llm); the rest of the
# answer (retrieval, the extractive fallback, the check) must fit in what is left of this.
MARGIN_S = 2.5


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("NEWSDESK_") or name in {"OPENAI_API_KEY", "OPENAI_BASE_URL"}:
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def seed_kb(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> KnowledgeBase:
    tmp = tmp_path_factory.mktemp("llm")
    settings = Settings(_env_file=None, store_path=tmp / "store", collection="llmtest")  # type: ignore[call-arg]
    kb = KnowledgeBase(settings.retrieval, embeddings)
    kb.ingest(SEEDS)
    return kb


def answerer_for(kb: KnowledgeBase, server: FakeOpenAIServer) -> Answerer:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        store_path=kb.config.store_path,
        collection=kb.config.collection,
        generator="llm",
        llm_model="openai:test",
        llm_base_url=server.base_url,
        llm_timeout=TIMEOUT_S,
    )
    return Answerer(kb, kb.embeddings, settings)


def key_of(prompt: str, phrase: str) -> int:
    """The key under which the prompt shows the passage containing ``phrase``."""
    blocks = re.split(r"\n(?=\[\d+\] )", prompt)
    for block in blocks:
        m = re.match(r"\[(\d+)\] ", block)
        if m and phrase in block:
            return int(m.group(1))
    raise AssertionError(f"no source in the prompt contains {phrase!r}")


def reply_with(make: Callable[[str], str]) -> Callable[[dict[str, Any]], Reply]:
    def responder(body: dict[str, Any]) -> Reply:
        content = body["messages"][-1]["content"]
        text = content if isinstance(content, str) else " ".join(p["text"] for p in content)
        return Reply(make(text))

    return responder


GOOD_FIRST = (
    "Boris Johnson warned that senior Russian military officers could face international sanctions"
)
GOOD_SECOND = (
    'He said Russia was "toxifying the reputation of Russia" through its support for Assad'
)


def good_answer(prompt: str) -> str:
    a = key_of(prompt, "could face international sanctions")
    b = key_of(prompt, "toxifying the reputation of Russia")
    return f"{GOOD_FIRST} [{a}]. {GOOD_SECOND} [{b}]."


def test_a_good_cited_answer_is_kept(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    openai_server.responder = reply_with(good_answer)
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered", answer
    assert answer.generator == "llm"
    assert answer.dropped == ()
    assert GOOD_FIRST in answer.text and "toxifying the reputation of Russia" in answer.text
    # One article: both sentences cite source [1] after renumbering by first use.
    assert answer.text.count("[1]") == 2
    assert [c.number for c in answer.citations] == [1]
    assert "international sanctions" in answer.citations[0].quote
    # The request really carried the prompt: sources under keys, the valid keys, the question.
    prompt = openai_server.prompts()[0]
    assert QUESTION in prompt and NO_ANSWER_MESSAGE in prompt
    assert re.search(r"\[1\]", prompt)


def test_a_key_that_does_not_exist_is_dropped(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    def reply(prompt: str) -> str:
        a = key_of(prompt, "could face international sanctions")
        return f"{GOOD_FIRST} [{a}][42]. {GOOD_SECOND} [{key_of(prompt, 'toxifying')}]."

    openai_server.responder = reply_with(reply)
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "llm"
    assert "[42]" not in answer.text
    assert GOOD_FIRST in answer.text
    assert [(d.text, d.reason) for d in answer.dropped] == [
        ("[42]", "cites source [42], which was not among the sources")
    ]


def test_an_uncited_invented_sentence_is_dropped(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    invented = "Johnson said Brazil has a choice to stick like glue to the Assad regime."

    def reply(prompt: str) -> str:
        return f"{good_answer(prompt)} {invented}"

    openai_server.responder = reply_with(reply)
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "llm"
    assert "Brazil" not in answer.text
    assert GOOD_FIRST in answer.text
    assert [(d.text, d.reason) for d in answer.dropped] == [
        (invented, "no citation, and no source supports it on its own")
    ]


def test_a_cited_invented_sentence_is_dropped_too(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    def reply(prompt: str) -> str:
        k = key_of(prompt, "stick like glue")
        return f"{good_answer(prompt)} Johnson said Brazil has a choice to stick like glue [{k}]."

    openai_server.responder = reply_with(reply)
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert "Brazil" not in answer.text
    assert any("'brazil'" in d.reason for d in answer.dropped)


def test_a_reply_that_times_out_falls_back_within_the_timeout(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    openai_server.script(Reply("too late [1].", delay=TIMEOUT_S + 4))
    ans = answerer_for(seed_kb, openai_server)
    ans.answer("What did Johnson say about Lavrov?", generator="extractive")  # warm caches
    started = time.perf_counter()
    answer = ans.answer(QUESTION)
    elapsed = time.perf_counter() - started
    assert elapsed < TIMEOUT_S + MARGIN_S, elapsed
    assert len(openai_server.requests) == 1
    # The user still gets a cited answer, from the extractive generator, and is told why.
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    assert answer.citations
    assert "toxifying the reputation of Russia" in answer.text
    reasons = [d.reason for d in answer.dropped]
    assert any(
        "llm generator failed" in r and f"did not answer within {TIMEOUT_S:g} s" in r
        for r in reasons
    ), reasons


def test_a_server_error_falls_back_with_the_reason(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    openai_server.script(Reply(status=500))
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    assert any("HTTP 500" in d.reason for d in answer.dropped), answer.dropped


def test_no_request_when_retrieval_says_no_answer(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    openai_server.responder = reply_with(lambda prompt: "Johnson said Brazil has a choice [1].")
    answer = answerer_for(seed_kb, openai_server).answer("What did Johnson say about Brazil?")
    assert answer.status == "no_answer"
    assert answer.text == NO_ANSWER_MESSAGE
    assert openai_server.requests == []


def test_a_models_no_answer_does_not_overrule_the_decision(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    # Issue 8: small models write the no-answer sentence for questions the articles answer.
    # The decision found the answer, so the offline answer is given, and the JSON says why.
    openai_server.script(NO_ANSWER_MESSAGE)
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "extractive"
    assert "toxifying the reputation of Russia" in answer.text  # the offline answer's
    data = answer.to_json()
    assert "answered that the articles do not say" in data["fallback"]
    assert data["draft"] == NO_ANSWER_MESSAGE


def test_a_models_no_answer_beside_supported_claims_is_not_shown(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    # Small models append the no-answer sentence to a supported claim. An answered answer that
    # also says the articles don't contain the answer contradicts itself: the claim is kept, the
    # no-answer sentence is dropped (and recorded), and every sentence shown is cited.
    openai_server.responder = reply_with(
        lambda prompt: (
            f"{GOOD_FIRST} [{key_of(prompt, 'could face international sanctions')}]. "
            f"{NO_ANSWER_MESSAGE}"
        )
    )
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "llm" and answer.fallback == ""
    assert GOOD_FIRST in answer.text
    assert NO_ANSWER_MESSAGE not in answer.text
    assert any(d.text == NO_ANSWER_MESSAGE for d in answer.dropped), answer.dropped


def test_a_reply_without_markers_keeps_the_sentences_its_sources_support(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    # The 0.5B model writes no [n] at all: its supported sentences are attributed, not lost.
    openai_server.script(f"{GOOD_FIRST}. {GOOD_SECOND}.")
    answer = answerer_for(seed_kb, openai_server).answer(QUESTION)
    assert answer.status == "answered"
    assert answer.generator == "llm"
    assert answer.fallback == ""
    assert answer.attributed == 2
    assert GOOD_FIRST in answer.text and GOOD_SECOND in answer.text
    assert answer.citations
    # Every request asks for at most NEWSDESK_LLM_MAX_TOKENS tokens (400 by default).
    assert openai_server.requests[-1]["max_tokens"] == 400


def test_a_follow_up_is_condensed_by_the_model(
    seed_kb: KnowledgeBase, openai_server: FakeOpenAIServer
) -> None:
    from bot.types import Turn

    # First request: the condense prompt; second: the answer prompt.
    openai_server.script("What did Johnson say about Assad?")
    openai_server.responder = reply_with(good_answer)
    answer = answerer_for(seed_kb, openai_server).answer(
        "and about Assad?", [Turn(QUESTION, "...")]
    )
    assert answer.standalone_question == "What did Johnson say about Assad?"
    assert len(openai_server.requests) == 2
    assert answer.status == "answered"
