"""The optional ``local`` generator: a GGUF model run in-process by llama.cpp (``[local]`` extra).

llama.cpp is imported only when the generator is built, so nothing else pays for it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.generators import GeneratorError, GeneratorTimeout
from bot.generators.llm import brief, timeout_message
from bot.prompts import Prompt, render_answer_prompt
from bot.types import Source

if TYPE_CHECKING:
    from bot.encoder import Encoder
    from bot.settings import Settings

_LOCAL_INSTALL_HINT = (
    "pip install 'newsdesk[local]' (compiles llama.cpp, about 8 minutes on 2 cores; use "
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" and --no-cache-dir, see the README)'
)


class LocalGenerator:
    """A GGUF model run in-process by llama-cpp-python.

    Weak on a CPU (slow on a full prompt, unreliable citations); offered for
    completeness. The timeout is checked between generated tokens: the model's reading of the
    prompt itself cannot be interrupted.
    """

    name = "local"

    def __init__(self, model_path: Path, *, timeout: float, temperature: float, max_words: int):
        self.model_path = model_path
        self.timeout = timeout
        self.temperature = temperature
        self.max_words = max_words
        self._llama: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._llama is None:
                import llama_cpp

                self._llama = llama_cpp.Llama(
                    model_path=str(self.model_path),
                    n_ctx=4096,
                    n_threads=os.cpu_count() or 1,
                    verbose=False,
                )
            return self._llama

    def generate(self, question: str, sources: Sequence[Source], prompt: Prompt) -> str:
        text = render_answer_prompt(prompt, question, sources, max_words=self.max_words)
        started = time.perf_counter()
        try:
            stream = self._model().create_chat_completion(
                messages=[{"role": "user", "content": text}],
                temperature=self.temperature,
                max_tokens=self.max_words * 3,
                stream=True,
            )
            pieces: list[str] = []
            for chunk in stream:
                if time.perf_counter() - started > self.timeout:
                    raise GeneratorTimeout(timeout_message(self.timeout))
                delta = chunk["choices"][0].get("delta", {})
                pieces.append(delta.get("content") or "")
        except GeneratorError:
            raise
        except Exception as exc:
            raise GeneratorError(f"The local model failed: {brief(exc)}") from exc
        reply = "".join(pieces).strip()
        if not reply:
            raise GeneratorError("The local model returned an empty answer")
        return reply


def build_local_generator(settings: Settings, embeddings: Encoder | None = None) -> LocalGenerator:
    """Registered as the ``local`` generator; needs the ``[local]`` extra and a GGUF file."""
    path = settings.llm.local_model_path
    if path is None:
        raise GeneratorError(
            "The local generator needs NEWSDESK_LOCAL_MODEL_PATH: the path of a GGUF model file"
        )
    path = path.expanduser()
    if not path.is_file():
        raise GeneratorError(f"NEWSDESK_LOCAL_MODEL_PATH={path}: no such file")
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise GeneratorError(
            f"The local generator needs llama-cpp-python: {_LOCAL_INSTALL_HINT}"
        ) from exc
    return LocalGenerator(
        path,
        timeout=settings.llm.llm_timeout,
        temperature=settings.llm.llm_temperature,
        max_words=settings.answer.answer_max_words,
    )
