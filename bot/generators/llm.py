"""The ``llm`` generator (a LangChain chat model) and the chat-model helpers it shares with the
condensing of follow-ups and with the optional ``local`` generator (``bot.generators.local``).

Both generators render the answer prompt with the sources under numbered keys and the list of
valid keys, and return the model's raw text: checking its citations is the core's job, not theirs.

LangChain and llama.cpp are imported inside the functions that need them, so choosing the
extractive default (or just importing the CLI) never pays for them.

The configured timeout is a promise to the user, so it is enforced twice: the HTTP client gets
it (with no retries, which would multiply it), and the call runs in a worker thread that is
abandoned if it has not returned shortly after the deadline (a server trickling a streamed
reply would otherwise keep resetting the client's read timeout).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.generators import GeneratorError, GeneratorTimeout
from bot.prompts import Prompt, render_answer_prompt
from bot.types import Source

if TYPE_CHECKING:
    from bot.encoder import Encoder
    from bot.settings import Settings

log = logging.getLogger(__name__)

# Grace after the deadline before the worker thread is given up on: the client's own timeout
# normally fires first and gives the cleaner error.
_DEADLINE_GRACE_S = 0.5

# The environment variable each provider's client reads its key from, for the error message
# that tells a user what to set.
_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
# A local OpenAI-compatible server (llama.cpp, vLLM, LM Studio) needs no key, but the OpenAI
# client refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"
_PROVIDER_RE = re.compile(r"^([a-z][a-z0-9_-]*):(.+)$")
_MAX_ERROR_CHARS = 300


def split_model(spec: str) -> tuple[str | None, str]:
    """``"openai:gpt-4o-mini"`` -> ``("openai", "gpt-4o-mini")``; infer the provider if absent.

    Only used to pick constructor arguments; ``init_chat_model`` gets the spec as written.
    """
    spec = spec.strip()
    match = _PROVIDER_RE.match(spec)
    if match:
        return match.group(1).replace("-", "_"), match.group(2)
    lower = spec.lower()
    if lower.startswith(("gpt-", "o1", "o3", "o4", "chatgpt")):
        return "openai", spec
    if lower.startswith("claude"):
        return "anthropic", spec
    return None, spec


def chat_model_kwargs(settings: Settings) -> dict[str, Any]:
    """Constructor arguments for the configured provider (besides the model name)."""
    provider, _model = split_model(settings.llm.llm_model)
    kwargs: dict[str, Any] = {"temperature": settings.llm.llm_temperature}
    base_url = settings.llm.llm_base_url
    if provider == "ollama":
        # ChatOllama has no timeout/max_retries fields; its httpx client takes the timeout.
        kwargs["client_kwargs"] = {"timeout": settings.llm.llm_timeout}
        kwargs["num_predict"] = settings.llm.llm_max_tokens
        if base_url:
            kwargs["base_url"] = base_url
        return kwargs
    kwargs["timeout"] = settings.llm.llm_timeout
    if provider == "openai" and base_url:
        # langchain-openai sends max_tokens as OpenAI's newer "max_completion_tokens", which
        # OpenAI-compatible servers (llama.cpp, vLLM) may not read; they all read "max_tokens".
        kwargs["extra_body"] = {"max_tokens": settings.llm.llm_max_tokens}
    else:
        kwargs["max_tokens"] = settings.llm.llm_max_tokens
    # No retries: each retry would wait the full timeout again, breaking the promised deadline.
    kwargs["max_retries"] = 0
    if base_url:
        kwargs["base_url"] = base_url
    key = settings.llm.provider_key(provider)
    if key:
        kwargs["api_key"] = key
    elif provider in _KEY_ENV:
        if base_url and provider == "openai":
            kwargs["api_key"] = _PLACEHOLDER_KEY
        else:
            raise GeneratorError(
                f"The llm generator ({settings.llm.llm_model}) needs an API key: set "
                f"NEWSDESK_LLM_API_KEY or {_KEY_ENV[provider]}"
                + (
                    ", or point NEWSDESK_LLM_BASE_URL at an OpenAI-compatible server"
                    if provider == "openai"
                    else ""
                )
            )
    return kwargs


def build_chat_model(settings: Settings) -> Any:
    """A LangChain chat model from the settings (also used to condense follow-up questions)."""
    kwargs = chat_model_kwargs(settings)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise GeneratorError(
            "The llm generator needs LangChain: pip install 'newsdesk[llm]'"
        ) from exc
    try:
        return init_chat_model(settings.llm.llm_model, **kwargs)
    except ImportError as exc:
        raise GeneratorError(
            f"NEWSDESK_LLM_MODEL={settings.llm.llm_model!r} needs a package that is not installed: "
            f"{exc} (extras: newsdesk[llm], newsdesk[ollama], newsdesk[anthropic])"
        ) from exc
    except Exception as exc:
        raise GeneratorError(
            f"Cannot set up the chat model NEWSDESK_LLM_MODEL={settings.llm.llm_model!r}: "
            f"{brief(exc)} (write it as provider:model, e.g. openai:gpt-4o-mini, ollama:llama3)"
        ) from exc


def invoke_chat(chat_model: Any, text: str, *, timeout: float, where: str = "") -> str:
    """Send one user message; return the reply text. Raises ``GeneratorError``/``Timeout``."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["message"] = chat_model.invoke(text)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=call, name="llm-call", daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(timeout + _DEADLINE_GRACE_S)
    if worker.is_alive():
        log.warning("LLM call abandoned after %.1f s", time.perf_counter() - started)
        raise GeneratorTimeout(timeout_message(timeout))
    if "error" in outcome:
        raise translate_error(outcome["error"], timeout=timeout, where=where) from outcome["error"]
    return message_text(outcome.get("message"))


def message_text(message: Any) -> str:
    """The text of a chat model's reply (``content`` may be a string or a list of parts)."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") == "text":
                parts.append(str(part.get("text", "")))
        return "".join(parts)
    return "" if content is None else str(content)


def translate_error(exc: BaseException, *, timeout: float, where: str = "") -> GeneratorError:
    """Map a client library's exception to a message a user can act on."""
    if isinstance(exc, GeneratorError):
        return exc
    names = [cls.__name__ for cls in type(exc).__mro__]
    at = f" at {where}" if where else ""
    if isinstance(exc, TimeoutError) or any("Timeout" in name for name in names):
        return GeneratorTimeout(timeout_message(timeout))
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        if status in (401, 403):
            return GeneratorError(
                f"The language model{at} rejected the API key (HTTP {status}): "
                "check NEWSDESK_LLM_API_KEY"
            )
        if status == 404:
            return GeneratorError(
                f"The language model{at} answered HTTP 404: check NEWSDESK_LLM_MODEL and "
                f"NEWSDESK_LLM_BASE_URL ({brief(exc)})"
            )
        if status == 429:
            return GeneratorError(f"The language model{at} is rate-limiting us (HTTP 429)")
        return GeneratorError(f"The language model{at} failed with HTTP {status}: {brief(exc)}")
    if isinstance(exc, ConnectionError) or any("Connect" in name for name in names):
        return GeneratorError(f"Could not reach the language model{at}: {brief(exc)}")
    return GeneratorError(f"The language model call failed: {type(exc).__name__}: {brief(exc)}")


def timeout_message(timeout: float) -> str:
    return f"The language model did not answer within {timeout:g} s"


def brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"


class LLMGenerator:
    """Writes the draft answer with a chat model; the core checks its citations afterwards."""

    name = "llm"

    def __init__(
        self,
        chat_model: Any,
        *,
        timeout: float,
        max_words: int = 120,
        where: str = "",
    ) -> None:
        self.chat_model = chat_model
        self.timeout = timeout
        self.max_words = max_words
        self.where = where

    def render(self, question: str, sources: Sequence[Source], prompt: Prompt) -> str:
        return render_answer_prompt(prompt, question, sources, max_words=self.max_words)

    def generate(self, question: str, sources: Sequence[Source], prompt: Prompt) -> str:
        text = self.render(question, sources, prompt)
        reply = invoke_chat(self.chat_model, text, timeout=self.timeout, where=self.where)
        reply = reply.strip()
        if not reply:
            raise GeneratorError("The language model returned an empty answer")
        return reply


def build_llm_generator(settings: Settings, embeddings: Encoder | None = None) -> LLMGenerator:
    """Registered as the ``llm`` generator (``bot.generators``)."""
    return LLMGenerator(
        build_chat_model(settings),
        timeout=settings.llm.llm_timeout,
        max_words=settings.answer.answer_max_words,
        where=settings.llm.llm_base_url or settings.llm.llm_model,
    )
