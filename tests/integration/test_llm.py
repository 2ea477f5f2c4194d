"""The ``llm`` generator driven over real HTTP against a fake OpenAI-compatible server.

LangChain's ``init_chat_model("openai:...")`` builds the real ``ChatOpenAI`` client, which talks
to ``tests/fakes/openai_server.py`` on 127.0.0.1: the request and reply are the real wire format.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.generators import GeneratorError, GeneratorTimeout, build_generator
from bot.generators.llm import (
    LLMGenerator,
    build_chat_model,
    build_llm_generator,
    invoke_chat,
    split_model,
    translate_error,
)
from bot.generators.local import build_local_generator
from bot.prompts import load_prompt
from bot.settings import Settings
from bot.types import NO_ANSWER_MESSAGE, number_sources
from retrieval.types import Hit
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.support import REPO

QUESTION = "What did Johnson say about Russia?"
HITS = [
    Hit(
        chunk_id="g7:0",
        article_id="g7",
        title="G7 meeting: Russia and Syria could face 'further sanctions', says Boris Johnson",
        text='The Foreign Secretary said the Russians "have a choice" to "stick like glue" to '
        "the Assad regime or work with the rest of the world.",
        score=0.032,
        source="ITV News",
        published_at="2017-04-10",
        url="https://www.itv.com/news/g7",
    ),
    Hit(
        chunk_id="tillerson:1",
        article_id="tillerson",
        title="Tillerson heads to Moscow",
        text="Rex Tillerson will carry a unified message to Moscow.",
        score=0.031,
        source="BBC",
    ),
]
SOURCES = number_sources(HITS)
GOOD = (
    'Boris Johnson said the Russians "have a choice" to stick with Assad or work with the rest '
    "of the world [1]. Rex Tillerson will carry a unified message to Moscow [2]."
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own keys and NEWSDESK_* settings must not leak into these tests.
    import os

    for name in list(os.environ):
        if name.startswith("NEWSDESK_") or name in {"OPENAI_API_KEY", "OPENAI_BASE_URL"}:
            monkeypatch.delenv(name)


def settings_for(server: FakeOpenAIServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "generator": "llm",
        "llm_model": "openai:some-model",
        "llm_base_url": server.base_url,
        "llm_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def generator_for(server: FakeOpenAIServer, **overrides: Any) -> LLMGenerator:
    return build_llm_generator(settings_for(server, **overrides))


def test_a_good_cited_answer_is_returned_as_is(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(f"  {GOOD}\n")
    text = generator_for(openai_server).generate(QUESTION, SOURCES, load_prompt("answer"))
    assert text == GOOD
    assert len(openai_server.requests) == 1


def test_the_request_carries_numbered_sources_and_the_valid_keys(
    openai_server: FakeOpenAIServer,
) -> None:
    openai_server.script(GOOD)
    prompt = load_prompt("answer")
    generator = generator_for(openai_server, llm_temperature=0.2, answer_max_words=90)
    generator.generate(QUESTION, SOURCES, prompt)

    body = openai_server.requests[0]
    assert body["model"] == "some-model"
    assert body["temperature"] == 0.2
    assert not body.get("stream")
    [message] = body["messages"]
    assert message["role"] == "user"
    sent = message["content"]
    # Exactly what the REPL's :prompt shows for the same inputs.
    assert sent == generator.render(QUESTION, SOURCES, prompt)
    assert (
        "[1] G7 meeting: Russia and Syria could face 'further sanctions', says Boris Johnson "
        '(ITV News, 2017-04-10)\nThe Foreign Secretary said the Russians "have a choice"'
    ) in sent
    assert "[2] Tillerson heads to Moscow (BBC)\nRex Tillerson will carry" in sent
    assert "The valid\n   keys are: [1], [2]." in sent
    assert NO_ANSWER_MESSAGE in sent
    assert "at most 90 words" in sent
    assert sent.rstrip().endswith(f"Question: {QUESTION}\n\nAnswer:")
    # A local server needs no key, but the OpenAI client insists on one: a placeholder is sent.
    assert openai_server.headers[0]["authorization"] == "Bearer not-needed"


def test_the_configured_key_is_sent(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(GOOD)
    generator_for(openai_server, llm_api_key="sk-test-123").generate(
        QUESTION, SOURCES, load_prompt("answer")
    )
    assert openai_server.headers[0]["authorization"] == "Bearer sk-test-123"


def test_a_reply_slower_than_the_timeout_raises_generator_timeout_in_time(
    openai_server: FakeOpenAIServer,
) -> None:
    openai_server.script(Reply(GOOD, delay=5.0))
    generator = generator_for(openai_server, llm_timeout=1.0)
    started = time.perf_counter()
    with pytest.raises(GeneratorTimeout, match=r"did not answer within 1 s"):
        generator.generate(QUESTION, SOURCES, load_prompt("answer"))
    elapsed = time.perf_counter() - started
    assert 0.9 <= elapsed < 1.8, elapsed
    # No retry: a retry would wait the whole timeout again.
    assert len(openai_server.requests) == 1


def test_an_http_500_raises_generator_error(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Reply(status=500, error_message="model crashed"))
    with pytest.raises(GeneratorError, match=r"HTTP 500.*model crashed") as info:
        generator_for(openai_server).generate(QUESTION, SOURCES, load_prompt("answer"))
    assert not isinstance(info.value, GeneratorTimeout)
    assert openai_server.base_url in str(info.value)
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "rejected the API key.*NEWSDESK_LLM_API_KEY"),
        (404, "HTTP 404: check NEWSDESK_LLM_MODEL"),
        (429, "rate-limiting"),
    ],
)
def test_http_errors_say_what_to_check(
    openai_server: FakeOpenAIServer, status: int, message: str
) -> None:
    openai_server.script(Reply(status=status))
    with pytest.raises(GeneratorError, match=message):
        generator_for(openai_server).generate(QUESTION, SOURCES, load_prompt("answer"))


def test_an_empty_reply_is_an_error(openai_server: FakeOpenAIServer) -> None:
    openai_server.script("   \n")
    with pytest.raises(GeneratorError, match="empty answer"):
        generator_for(openai_server).generate(QUESTION, SOURCES, load_prompt("answer"))


def test_an_unreachable_server_is_a_clear_error() -> None:
    with FakeOpenAIServer() as server:
        settings = settings_for(server, llm_timeout=2.0)
    # The server is gone: its port now refuses connections.
    generator = build_llm_generator(settings)
    started = time.perf_counter()
    with pytest.raises(GeneratorError, match=r"Could not reach the language model at http://127"):
        generator.generate(QUESTION, SOURCES, load_prompt("answer"))
    assert time.perf_counter() - started < 2.0


def test_the_registry_builds_the_llm_generator(openai_server: FakeOpenAIServer) -> None:
    generator = build_generator("llm", settings_for(openai_server), None)  # type: ignore[arg-type]
    assert isinstance(generator, LLMGenerator)
    assert generator.name == "llm"


def test_streamed_replies_from_the_fake_are_well_formed(openai_server: FakeOpenAIServer) -> None:
    # The fake also speaks server-sent events, for clients configured to stream.
    openai_server.script(GOOD)
    model = build_chat_model(settings_for(openai_server))
    text = "".join(str(chunk.content) for chunk in model.stream("hello"))
    assert text == GOOD
    assert openai_server.requests[0]["stream"] is True


def test_invoke_chat_enforces_the_deadline_even_if_the_client_does_not() -> None:
    class Stuck:
        def invoke(self, _text: str) -> None:
            time.sleep(3)

    started = time.perf_counter()
    with pytest.raises(GeneratorTimeout, match=r"within 0\.5 s"):
        invoke_chat(Stuck(), "hi", timeout=0.5)
    assert time.perf_counter() - started < 1.5


# --- configuration errors ------------------------------------------------------------------


def test_openai_without_a_key_or_base_url_says_which_variable_to_set() -> None:
    settings = Settings(_env_file=None, llm_model="openai:gpt-4o-mini")  # type: ignore[call-arg]
    with pytest.raises(GeneratorError, match="NEWSDESK_LLM_API_KEY or OPENAI_API_KEY"):
        build_llm_generator(settings)


def test_the_provider_env_key_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    settings = Settings(_env_file=None, llm_model="openai:gpt-4o-mini")  # type: ignore[call-arg]
    model = build_chat_model(settings)
    assert model.openai_api_key.get_secret_value() == "sk-from-env"
    assert model.max_retries == 0
    assert model.request_timeout == settings.llm.llm_timeout


def test_a_model_without_a_provider_is_explained() -> None:
    settings = Settings(_env_file=None, llm_model="llama3")  # type: ignore[call-arg]
    with pytest.raises(GeneratorError, match="provider:model"):
        build_llm_generator(settings)


def test_a_provider_whose_package_is_missing_names_the_extra() -> None:
    pytest.importorskip("langchain")
    try:
        import langchain_mistralai  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - only when that integration happens to be installed
        pytest.skip("langchain-mistralai is installed")
    settings = Settings(_env_file=None, llm_model="mistralai:mistral-small")  # type: ignore[call-arg]
    with pytest.raises(GeneratorError, match=r"not installed.*newsdesk\[llm\]"):
        build_llm_generator(settings)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("ollama:llama3:8b", ("ollama", "llama3:8b")),
        ("anthropic:claude-3-5-haiku-latest", ("anthropic", "claude-3-5-haiku-latest")),
        ("gpt-4o", ("openai", "gpt-4o")),
        ("claude-3-opus", ("anthropic", "claude-3-opus")),
        ("some-model", (None, "some-model")),
    ],
)
def test_split_model(spec: str, expected: tuple[str | None, str]) -> None:
    assert split_model(spec) == expected


def test_ollama_gets_its_timeout_through_the_http_client() -> None:
    from bot.generators.llm import chat_model_kwargs

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, llm_model="ollama:llama3", llm_base_url="http://127.0.0.1:11434",
        llm_timeout=7,
    )  # fmt: skip
    kwargs = chat_model_kwargs(settings)
    assert kwargs["client_kwargs"] == {"timeout": 7}
    assert kwargs["base_url"] == "http://127.0.0.1:11434"
    assert "api_key" not in kwargs and "max_retries" not in kwargs


def test_translate_error_recognises_timeouts_by_type() -> None:
    class ReadTimeout(Exception):
        pass

    assert isinstance(translate_error(ReadTimeout("x"), timeout=3), GeneratorTimeout)
    assert isinstance(translate_error(TimeoutError(), timeout=3), GeneratorTimeout)
    plain = translate_error(ValueError("bad"), timeout=3)
    assert type(plain) is GeneratorError and "ValueError: bad" in str(plain)


# --- the optional local generator ----------------------------------------------------------


def test_local_needs_a_model_path() -> None:
    with pytest.raises(GeneratorError, match="NEWSDESK_LOCAL_MODEL_PATH"):
        build_local_generator(Settings(_env_file=None))  # type: ignore[call-arg]
    missing = Settings(_env_file=None, local_model_path=Path("/nonexistent/model.gguf"))  # type: ignore[call-arg]
    with pytest.raises(GeneratorError, match="no such file"):
        build_local_generator(missing)


def test_local_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover
        pytest.skip("llama-cpp-python is installed")
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    settings = Settings(_env_file=None, local_model_path=gguf)  # type: ignore[call-arg]
    with pytest.raises(GeneratorError, match=r"newsdesk\[local\].*8 minutes"):
        build_local_generator(settings)


# --- nothing heavy at import time ----------------------------------------------------------


def test_importing_the_llm_modules_loads_no_client_library() -> None:
    code = (
        "import sys, json\n"
        "import bot.generators.llm, bot.condense, bot.terminal.repl, bot.prompts\n"
        "heavy = ['langchain', 'langchain_openai', 'openai', 'torch', 'sentence_transformers',"
        " 'llama_cpp', 'prompt_toolkit', 'httpx']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []
