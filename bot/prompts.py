"""Prompt templates as files in ``prompts/``: loaded by name, variables declared and checked.

A prompt file is a small front-matter header followed by the template::

    ---
    description: what the prompt is for
    variables: [question, sources, valid_keys, no_answer]
    ---
    ...template text using {question}, {sources} ...

The template uses ``str.format`` fields; literal braces are written ``{{`` and ``}}``. The
declared variables must be exactly the fields the template uses (checked when the file is
loaded, so an edit that breaks a prompt fails at ``:reload``, not halfway through an answer).
The prompt id is the first 12 hex digits of the sha256 of the whole file: it travels with every
``Answer`` and every evaluation result, so a figure can be traced to the exact prompt text.

Files are read on every ``load_prompt`` call (they are tiny): an edited prompt is picked up by
the next answer without restarting anything.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.types import NO_ANSWER_MESSAGE

if TYPE_CHECKING:
    from bot.types import Source

PROMPT_SUFFIX = ".txt"
ANSWER_PROMPT = "answer"
CONDENSE_PROMPT = "condense"

# Every variable an answer prompt may use. An answer prompt must use ``question`` and ``sources``;
# the others are optional, so a variant may leave out, say, the word limit.
ANSWER_VARIABLES = frozenset({"question", "sources", "valid_keys", "no_answer", "max_words"})
ANSWER_REQUIRED = frozenset({"question", "sources"})
DEFAULT_MAX_WORDS = 120

_FRONT_MATTER = "---"


class PromptError(ValueError):
    """A prompt is missing, malformed, or rendered with the wrong variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str
    variables: frozenset[str]
    id: str

    def render(self, **values: Any) -> str:
        """Fill the template; every declared variable must be given, and nothing else."""
        given = set(values)
        missing = sorted(self.variables - given)
        extra = sorted(given - self.variables)
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if extra:
            problems.append("not declared: " + ", ".join(extra))
        if problems:
            raise PromptError(
                f"Prompt {self.name!r} ({self.id}) takes {_names(self.variables)}; "
                + "; ".join(problems)
            )
        return self.template.format(**values)


def default_prompts_dir() -> Path:
    """The ``prompts`` package folder (the single copy of every prompt)."""
    import prompts

    return Path(prompts.__file__).resolve().parent


def available_prompts(directory: Path | None = None) -> list[str]:
    folder = directory if directory is not None else default_prompts_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob(f"*{PROMPT_SUFFIX}") if p.is_file())


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Read and check ``<directory>/<name>.txt``; ``name`` is the file stem."""
    folder = directory if directory is not None else default_prompts_dir()
    stem = name.strip().removesuffix(PROMPT_SUFFIX)
    # Names are stems, never paths: ":set prompt=../x" must not read files outside the folder.
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        raise PromptError(f"Invalid prompt name {name!r}: give a file stem such as 'answer'")
    path = folder / f"{stem}{PROMPT_SUFFIX}"
    if not path.is_file():
        names = available_prompts(folder)
        listing = ", ".join(names) if names else "none"
        raise PromptError(f"No prompt named {stem!r} in {folder} (available: {listing})")
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"Cannot read prompt {path}: {exc}") from exc
    return parse_prompt(stem, text, prompt_id=hashlib.sha256(raw).hexdigest()[:12], origin=path)


def parse_prompt(
    name: str, text: str, *, prompt_id: str | None = None, origin: Path | str | None = None
) -> Prompt:
    """Build a ``Prompt`` from a file's text, checking declared against used variables."""
    where = str(origin) if origin is not None else name
    header, template = _split_front_matter(text, where)
    declared = header.get("variables")
    if isinstance(declared, str):
        declared = [v.strip() for v in declared.split(",") if v.strip()]
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise PromptError(f"{where}: the header must declare 'variables: [name, ...]'")
    variables = frozenset(declared)
    used = template_fields(template, where)
    if used != variables:
        problems = []
        if used - variables:
            problems.append("used but not declared: " + ", ".join(sorted(used - variables)))
        if variables - used:
            problems.append("declared but not used: " + ", ".join(sorted(variables - used)))
        raise PromptError(f"{where}: " + "; ".join(problems))
    if prompt_id is None:
        prompt_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Prompt(name=name, template=template, variables=variables, id=prompt_id)


def template_fields(template: str, where: str = "template") -> frozenset[str]:
    """The ``{field}`` names a template uses; only plain names are allowed."""
    fields: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # an unmatched brace
        raise PromptError(f"{where}: {exc} (write literal braces as {{{{ and }}}})") from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        # Attribute/index access, positional fields and format specs would let a template reach
        # into objects or depend on argument order: keep templates to plain named slots.
        if not field.isidentifier() or spec or conversion:
            raise PromptError(
                f"{where}: field {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} is not a plain variable name"
            )
        fields.add(field)
    return frozenset(fields)


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != _FRONT_MATTER:
        raise PromptError(f"{where}: a prompt file starts with a '---' header declaring variables")
    for i in range(1, len(lines)):
        if lines[i].strip() == _FRONT_MATTER:
            try:
                header = yaml.safe_load("".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                raise PromptError(f"{where}: unreadable header: {exc}") from exc
            if not isinstance(header, dict):
                raise PromptError(f"{where}: the header must be 'key: value' lines")
            return header, "".join(lines[i + 1 :]).strip()
    raise PromptError(f"{where}: the '---' header is not closed")


# --- the answer prompt's inputs ----------------------------------------------------------------


_FENCE = re.compile(r"<\s*/?\s*source\b", re.IGNORECASE)


def _unfenced(text: str) -> str:
    """Article text cannot close (or open) the fence around it: ``</source>`` loses its tag."""
    return _FENCE.sub(lambda m: m.group(0).replace("<", "(", 1), text)


def format_source(source: Source) -> str:
    """The passage inside ``<source key="n">`` fences, headed ``[n] Title (Source, date)``.

    The fence is what lets the prompt say where untrusted article text begins and ends: anything
    inside it is a quotation, never an instruction to the model.
    """
    hit = source.hit
    about = ", ".join(part for part in (hit.source.strip(), hit.published_at.strip()) if part)
    heading = f"[{source.key}] {' '.join(hit.title.split()) or 'Untitled'}"
    if about:
        heading += f" ({about})"
    body = " ".join(hit.text.split())
    return f'<source key="{source.key}">\n{_unfenced(heading)}\n{_unfenced(body)}\n</source>'


def format_sources(sources: Sequence[Source]) -> str:
    """The sources as the prompt shows them: one block per key, blank line between."""
    return "\n\n".join(format_source(s) for s in sources)


def format_valid_keys(sources: Sequence[Source]) -> str:
    return ", ".join(f"[{s.key}]" for s in sources)


def answer_prompt_values(
    question: str, sources: Sequence[Source], *, max_words: int = DEFAULT_MAX_WORDS
) -> dict[str, Any]:
    return {
        "question": question.strip(),
        "sources": format_sources(sources),
        "valid_keys": format_valid_keys(sources),
        "no_answer": NO_ANSWER_MESSAGE,
        "max_words": max_words,
    }


def render_answer_prompt(
    prompt: Prompt,
    question: str,
    sources: Sequence[Source],
    *,
    max_words: int = DEFAULT_MAX_WORDS,
) -> str:
    """The exact text an LLM generator sends for this question and these sources.

    Shared by the LLM generator and the REPL's ``:prompt``, so what is shown is what is sent.
    """
    check_answer_prompt(prompt)
    values = answer_prompt_values(question, sources, max_words=max_words)
    return prompt.render(**{k: v for k, v in values.items() if k in prompt.variables})


def check_answer_prompt(prompt: Prompt) -> None:
    unknown = prompt.variables - ANSWER_VARIABLES
    missing = ANSWER_REQUIRED - prompt.variables
    if unknown or missing:
        detail = []
        if unknown:
            detail.append("unknown variables " + ", ".join(sorted(unknown)))
        if missing:
            detail.append("it must use " + ", ".join(sorted(missing)))
        raise PromptError(
            f"Prompt {prompt.name!r} cannot be used to answer: {'; '.join(detail)} "
            f"(an answer prompt may use {_names(ANSWER_VARIABLES)})"
        )


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "no variables"
