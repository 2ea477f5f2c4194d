"""The answering core's value types: what every front end (CLI, REPL, Slack) renders.

Frozen dataclasses; ``Answer.to_json()`` is the one JSON shape used by ``newsdesk ask --json``,
the answer evaluation and anything else that shows an answer. ``Answer.to_dict()`` and
``Answer.from_dict()`` are its lossless round trip (every field, hits included), for caches
shared between processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from bot.question import valid_text
from retrieval.text import http_url, url_domain
from retrieval.types import Hit

if TYPE_CHECKING:
    from bot.answer.judge import Judgement

Status = Literal["answered", "no_answer", "error"]

# The single message used whenever the articles do not contain the answer. Also passed to the LLM
# prompt so that a model which abstains uses exactly these words (and code can recognise them).
NO_ANSWER_MESSAGE = "The articles I have don't contain the answer to that question."

# Shown under an answer that the extractive generator composed instead of the configured language
# model's (it failed, timed out, declined, or its draft did not survive the check; the reason is
# the answer's ``fallback``). Not "could not be used": a model that replied "[1]" worked.
FALLBACK_NOTE = (
    "Composed from the articles' own sentences: the language model's answer was not used this time."
)


def not_said(part: str) -> str:
    """The sentence that names a part of a question the articles do not answer."""
    part = " ".join(part.split()).rstrip(" ,;:-")
    if part and not part.endswith("?"):
        part += "?"
    return f'The articles don\'t say: "{part}"'


@dataclass(frozen=True, slots=True)
class Source:
    """A retrieved passage offered to a generator under the key ``[key]`` (1-based)."""

    key: int
    hit: Hit


def number_sources(hits: Iterable[Hit]) -> list[Source]:
    """The hits as sources keyed 1, 2, ... in retrieval order (the keys a draft cites)."""
    return [Source(key, hit) for key, hit in enumerate(hits, start=1)]


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier exchange in a conversation (a Slack thread, a REPL session)."""

    question: str
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    """Source ``[n]`` of an answer: the article, and the passage that supports the claim."""

    number: int
    article_id: str
    title: str
    source: str = ""
    url: str = ""
    published_at: str = ""
    quote: str = ""
    chunk_id: str = ""
    # Character span of ``quote`` within the article body; (-1, -1) when the quote is the
    # article's title (a headline giving a figure its report leaves out).
    start: int = 0
    end: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.number,
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "url": http_url(self.url),
            # Show it beside the title wherever the source is shown (see the README).
            "domain": url_domain(self.url),
            "published_at": self.published_at,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class Dropped:
    """Something the citation check removed from a generator's draft, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    status: Status
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    prompt_id: str = ""
    generator: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    # The question actually searched for (a follow-up rewritten to stand alone).
    standalone_question: str = ""
    dropped: tuple[Dropped, ...] = ()
    # For status == "error": a short, user-presentable reason.
    error: str = ""
    # Short notes for the person asking, shown under the answer (e.g. that it was composed from
    # the articles' sentences instead of the language model's answer).
    notes: tuple[str, ...] = ()
    # The decision per question part (bot.answer.judge.Judgement), when the core got that far.
    judgement: Judgement | None = None
    # Why the configured generator was not used for the answer ("" when it was).
    fallback: str = ""
    # A language model's reply as it came, before the citation check (kept short).
    draft: str = ""
    # Sentences the draft gave no marker that the check attributed to a supporting source.
    attributed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
            "prompt_id": self.prompt_id,
            "generator": self.generator,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "dropped": [{"text": d.text, "reason": d.reason} for d in self.dropped],
            "error": self.error,
            "notes": list(self.notes),
            "decision": self.judgement.to_json() if self.judgement is not None else None,
            "fallback": self.fallback,
            "draft": self.draft,
            "attributed": self.attributed,
        }

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON-able values; ``Answer.from_dict`` gives the answer back.
        The decision's working (``judgement``: analysis and evidence) is left out: what was
        decided is in ``text``, ``status`` and ``dropped``."""
        return asdict(replace(self, judgement=None))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer ``to_dict`` described (``TypeError``, ``KeyError``, ``ValueError`` on
        another shape)."""
        status = data["status"]
        if status not in ("answered", "no_answer", "error"):
            raise ValueError(f"not an answer status: {status!r}")
        return cls(
            question=str(data["question"]),
            text=str(data["text"]),
            status=status,
            citations=tuple(Citation(**c) for c in data.get("citations", ())),
            hits=tuple(Hit(**h) for h in data.get("hits", ())),
            prompt_id=str(data.get("prompt_id", "")),
            generator=str(data.get("generator", "")),
            timings_ms={str(k): float(v) for k, v in dict(data.get("timings_ms", {})).items()},
            standalone_question=str(data.get("standalone_question", "")),
            dropped=tuple(Dropped(**d) for d in data.get("dropped", ())),
            error=str(data.get("error", "")),
            notes=tuple(str(n) for n in data.get("notes", ())),
            fallback=str(data.get("fallback", "")),
            draft=str(data.get("draft", "")),
            attributed=int(data.get("attributed", 0)),
        )


def refusal(question: object, message: str, generator: str) -> Answer:
    """The error answer for a question refused before anything is loaded (empty, too long, an
    unknown generator): what ``newsdesk ask`` prints and the server's ``/ask`` returns."""
    return Answer(valid_text(question), message, "error", error=message, generator=generator)
