"""The LLM path against a real model: llama.cpp's OpenAI-compatible server (llama-cpp-python)
serving Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF) on 127.0.0.1, over the seed questions.

Opt-in (``pytest -m llm``): it needs a llama-cpp-python build and a 0.5 GB model that the project
does not install (README, "Answering with a language model", says how to get both), and it takes
minutes (a seed prompt costs the 0.5B model 6-14 s on two cores). Without them it skips and says
what is missing.

The model is weak: it rarely writes ``[n]`` markers and often declines. What must hold anyway is
the promise of issue 8, point 6: the decision, not the model, says whether a question is answered
(no false abstains, unanswerable questions abstained without asking the model), and whatever the
model writes reaches the user only as supported, cited sentences; when too little of it survives,
the answer says why it fell back to the extractive generator.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.core import Answerer
from bot.settings import Settings
from bot.types import NO_ANSWER_MESSAGE, Answer, Source
from retrieval.embeddings import LocalEmbeddings
from retrieval.knowledge_base import KnowledgeBase
from retrieval.text import sentence_spans
from tests.support import LLAMA_PYTHON, LLM_MODEL, SEED_QUESTIONS, SEEDS

# Each test that needs the server is marked; the check of the checker below runs by default.
real = pytest.mark.llm

pytest.importorskip("langchain_openai")

# Generous: the first request also pays for loading the model; a prompt takes 6-14 s.
TIMEOUT_S = 120.0
START_TIMEOUT_S = 120.0
MARKER = re.compile(r"\[\d+(?:,\s*\d+)*\]")
NOT_SAID = "The articles don't say"


def _missing() -> str:
    """Why the real server cannot run here ("" when it can)."""
    if not LLAMA_PYTHON.exists():
        return (
            f"no llama-cpp-python interpreter at {LLAMA_PYTHON} "
            "(build one, or set NEWSDESK_TEST_LLAMA_PYTHON)"
        )
    if not LLM_MODEL.is_file():
        return f"no GGUF model at {LLM_MODEL} (join it, or set NEWSDESK_TEST_LLM_MODEL)"
    probe = subprocess.run(
        [str(LLAMA_PYTHON), "-c", "import llama_cpp.server"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if probe.returncode != 0:
        return (
            f"{LLAMA_PYTHON} cannot import llama_cpp.server "
            f"(install llama-cpp-python[server]): {probe.stderr.strip()[-300:]}"
        )
    if not SEED_QUESTIONS.exists():
        return f"no seed questions at {SEED_QUESTIONS}"
    return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LlamaServer:
    base_url: str
    model: str
    log: Path


def _wait_for_models(base_url: str, process: subprocess.Popen[bytes], log: Path) -> str:
    """The name of the model the server reports, once ``/v1/models`` answers."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as reply:
                models = json.load(reply)["data"]
            return str(models[0]["id"])
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {START_TIMEOUT_S:g} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    why = _missing()
    if why:
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("llama")
    port = _free_port()
    log = folder / "server.log"
    command = [str(LLAMA_PYTHON), "-m", "llama_cpp.server", "--model", str(LLM_MODEL)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        yield LlamaServer(base_url, _wait_for_models(base_url, process, log), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@dataclass(frozen=True)
class Asked:
    question: str
    answerable: bool
    answer: Answer


@pytest.fixture(scope="module")
def answers(
    llama_server: LlamaServer,
    tmp_path_factory: pytest.TempPathFactory,
    embeddings: LocalEmbeddings,
) -> list[Asked]:
    """Every seed question, answered once by the real core with the real model behind it."""
    store = tmp_path_factory.mktemp("llm_real_store")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        store_path=store,
        collection="seeds",
        generator="llm",
        llm_model=f"openai:{llama_server.model}",
        llm_base_url=llama_server.base_url,
        llm_timeout=TIMEOUT_S,
    )
    kb = KnowledgeBase(settings.retrieval, embeddings)
    report = kb.ingest(SEEDS)
    assert report.chunks_written > 0 and not report.problems, report
    answerer = Answerer(kb, embeddings, settings)
    out: list[Asked] = []
    for line in SEED_QUESTIONS.read_text().splitlines():
        if line.strip():
            q: dict[str, Any] = json.loads(line)
            answer = answerer.answer(q["question"])
            out.append(Asked(q["question"], bool(q.get("answerable", True)), answer))
    return out


def _show(asked: Asked) -> str:
    return json.dumps(asked.answer.to_json(), indent=1, default=str)[:4000]


def uncited_sentences(text: str) -> list[str]:
    """The sentences of an answer's text that no ``[n]`` marker follows, other than the
    sentence naming a part the articles do not answer. Markers are blanked before segmenting
    (as the draft parser does), so a marker never splits or joins sentences."""
    blanked = MARKER.sub(lambda m: " " * len(m.group()), text)
    out: list[str] = []
    for span in sentence_spans(blanked):
        sentence = text[span.start : span.end].strip()
        if not sentence.strip() or sentence.startswith(NOT_SAID):
            continue
        if MARKER.search(sentence):
            continue  # the segmenter kept the blanked marker inside the span
        if not MARKER.match(text[span.end :].lstrip()):
            out.append(sentence)
    return out


@real
@pytest.mark.timeout(1800)
def test_the_real_model_was_asked(llama_server: LlamaServer, answers: list[Asked]) -> None:
    """The model was really used: at least one answerable question produced a draft."""
    drafts = [a.answer.draft for a in answers if a.answerable]
    assert any(d.strip() for d in drafts), [_show(a) for a in answers]


@real
@pytest.mark.timeout(1800)
def test_no_false_abstains(answers: list[Asked]) -> None:
    missed = [a for a in answers if a.answerable and a.answer.status != "answered"]
    assert not missed, [_show(a) for a in missed]


@real
@pytest.mark.timeout(1800)
def test_unanswerable_questions_are_abstained(answers: list[Asked]) -> None:
    # As offline (test_core.test_seed_questions_answered_and_abstained): the decision answers
    # one of the three near misses (the communique's exact text); the model changes nothing.
    answered = [a for a in answers if not a.answerable and a.answer.status != "no_answer"]
    assert len(answered) <= 1, [_show(a) for a in answered]
    for a in answers:
        if a.answer.status == "no_answer":
            assert a.answer.text == NO_ANSWER_MESSAGE
            # Decided before any generator ran: the model was never asked.
            assert a.answer.draft == "", _show(a)


@real
@pytest.mark.timeout(1800)
def test_each_answer_is_the_models_or_says_why_not(answers: list[Asked]) -> None:
    for a in answers:
        if a.answer.status != "answered":
            continue
        if a.answer.generator == "llm":
            assert a.answer.fallback == "", _show(a)
            assert a.answer.draft.strip(), _show(a)
            assert a.answer.citations, _show(a)
        else:
            assert a.answer.generator == "extractive", _show(a)
            assert a.answer.fallback.strip(), _show(a)
            assert any(a.answer.fallback in d.reason for d in a.answer.dropped), _show(a)


@real
@pytest.mark.timeout(1800)
def test_no_answer_shows_an_uncited_sentence(answers: list[Asked]) -> None:
    for a in answers:
        if a.answer.status != "answered":
            continue
        assert MARKER.search(a.answer.text), _show(a)
        assert uncited_sentences(a.answer.text) == [], _show(a)
        numbers = {int(n) for n in re.findall(r"\d+", " ".join(MARKER.findall(a.answer.text)))}
        assert numbers == {c.number for c in a.answer.citations}, _show(a)


def test_uncited_sentences_are_found() -> None:
    """The check above can fail: a sentence without a marker is reported."""
    text = (
        'Johnson said Russia had "a choice" [1]. Brazil was not mentioned.\n\n'
        'The articles don\'t say: "what did Brazil say?"'
    )
    assert uncited_sentences(text) == ["Brazil was not mentioned."]
    assert uncited_sentences("One [1]. Two [1, 2].") == []


# What the real model wrote for "Who could face international sanctions, according to Boris
# Johnson?" (seed questions, 2026-12-02): subject and object swapped. The article says senior
# Russian military officers could face sanctions, Johnson warned; the check attributed the
# sentence to that passage after the fact and the user was shown it, cited [1].
SWAPPED = "Boris Johnson could face international sanctions, according to the sources."


def test_a_sentence_that_swaps_who_did_what_is_not_supported(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    from bot.citations import check_draft

    for draft in (SWAPPED, SWAPPED.removesuffix(".") + " [1]."):
        result = check_draft(draft, seed_sources, embeddings)
        assert [s.text for s in result.sentences if s.keys] == [], draft
