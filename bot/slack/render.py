"""Pure rendering: an :class:`~bot.types.Answer` becomes Slack messages (Block Kit + text fallback).

Nothing here talks to Slack; every function returns plain dicts that can be passed to
``chat.postMessage`` / a ``response_url`` as they are, which is what the unit tests check.

Order of operations matters for safety: untrusted text (model output, article titles, sources,
the user's question) is escaped first, and only then are the bot's own ``<url|label>`` links
inserted, so no ``<!channel>`` or forged link from an article can reach Slack intact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from bot.slack.text import escape, link, truncate
from bot.types import NO_ANSWER_MESSAGE, Answer, Citation
from retrieval.text import url_domain

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): 3,000 characters in a
# section's text, 50 blocks a message. Our own budgets stay well inside them so that a message
# never comes back as ``invalid_blocks`` / ``msg_too_long``.
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
MESSAGE_BLOCK_BUDGET = 40
MESSAGE_CHAR_BUDGET = 8000
FALLBACK_LIMIT = 3000
BUTTON_VALUE_LIMIT = 2000
TITLE_LIMIT = 150
QUESTION_LIMIT = 500

ACTION_HELPFUL = "newsdesk_feedback_helpful"
ACTION_NOT_HELPFUL = "newsdesk_feedback_not_helpful"
ACTION_SHARE = "newsdesk_share"
FEEDBACK_ACTIONS = {ACTION_HELPFUL: "helpful", ACTION_NOT_HELPFUL: "not_helpful"}

# Sections holding answer text carry this block_id prefix, so that a thread's earlier answers can
# be read back from ``conversations.replies`` as conversation history.
ANSWER_BLOCK_PREFIX = "nd_answer_"
# ``metadata.event_type`` of every message that carries (part of) an answer.
ANSWER_EVENT_TYPE = "newsdesk_answer"
# ``metadata.event_type`` of a notice posted in an answer's place (the answer failed).
NOTICE_EVENT_TYPE = "newsdesk_notice"

_MARKER = re.compile(r"\[(\d{1,4})\]")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


class SlackMessage(TypedDict):
    """Keyword arguments for ``chat.postMessage`` / a ``response_url`` post."""

    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ButtonValue:
    """What a button carries back on click: enough to record feedback or share after a restart."""

    answer_id: str
    question: str = ""
    prompt_id: str = ""

    def encode(self) -> str:
        question = self.question
        while True:
            # Ids are short (new_id(), a prompt hash); a longer one came from a forged click.
            data = {"a": self.answer_id[:64], "q": question, "p": self.prompt_id[:64]}
            # Measured as sent (the Web API client escapes non-ASCII as \uXXXX): a question in
            # Greek or Chinese is six bytes a character on the wire, and three buttons carry it.
            size = len(json.dumps(data))
            if size <= BUTTON_VALUE_LIMIT or not question:
                return json.dumps(data, ensure_ascii=False)
            cut = max((size - BUTTON_VALUE_LIMIT) // 6, 1) if question else 0
            question = question[: max(len(question) - cut - 8, 0)]

    @classmethod
    def decode(cls, value: str) -> ButtonValue:
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            return cls(answer_id="")
        if not isinstance(data, dict):
            return cls(answer_id="")
        return cls(
            answer_id=str(data.get("a") or "")[:64],
            question=str(data.get("q") or ""),
            prompt_id=str(data.get("p") or "")[:64],
        )


# --- answer text --------------------------------------------------------------------------------


def render_text(text: str, citations: Sequence[Citation]) -> str:
    """Escape ``text`` and turn each ``[n]`` of a known citation into a link to its article."""
    urls = {c.number: c.url for c in citations}

    def to_link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in urls:
            return match.group(0)
        return link(urls[number], match.group(0))

    return _MARKER.sub(to_link, escape(text))


def _sentences(text: str) -> list[str]:
    """``text`` cut after sentence ends and newlines, each piece keeping its trailing space."""
    parts = re.split(r"((?<=[.!?])\s+|\n+)", text)
    units = [
        parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)
    ]
    return [u for u in units if u]


def _atoms(text: str) -> list[str]:
    """Words, whitespace runs and ``[n]`` markers: the pieces a marker is never split across."""
    return re.findall(r"\[\d{1,4}\]|\s+|[^\s\[]+|\[", text)


def split_rendered(
    text: str, citations: Sequence[Citation], limit: int = SECTION_LIMIT
) -> list[str]:
    """Render ``text`` as mrkdwn pieces of at most ``limit`` characters each.

    Cuts at sentence ends where possible, then between words, and only inside a word that is
    itself too long. Each piece is rendered on its own, so a cut never falls inside a link or an
    escape sequence.
    """
    pieces: list[str] = []
    current = ""

    def add(rendered: str) -> None:
        nonlocal current
        if len(current) + len(rendered) > limit and current:
            pieces.append(current)
            current = ""
        current += rendered

    for sentence in _sentences(text):
        rendered = render_text(sentence, citations)
        if len(rendered) <= limit:
            add(rendered)
            continue
        for atom in _atoms(sentence):
            rendered = render_text(atom, citations)
            if len(rendered) <= limit:
                add(rendered)
                continue
            # One enormous word: escaping grows a character to at most 5 (``&amp;``).
            step = max(limit // 5, 1)
            for start in range(0, len(atom), step):
                add(render_text(atom[start : start + step], citations))
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


# --- blocks -------------------------------------------------------------------------------------


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _date(published_at: str) -> str:
    # ISO timestamps are shown as their date; anything else is shown as given (escaped).
    match = re.match(r"^\d{4}-\d{2}-\d{2}", published_at.strip())
    return match.group(0) if match else published_at.strip()


def source_line(citation: Citation) -> str:
    title = escape(truncate(" ".join(citation.title.split()) or "Untitled article", TITLE_LIMIT))
    parts = [f"*[{citation.number}]* {link(citation.url, title)}"]
    # The domain beside the title: a label such as "Click to verify your account" cannot hide
    # where the link goes.
    domain = url_domain(citation.url)
    if domain:
        parts[0] += f" ({escape(domain)})"
    meta = [
        escape(truncate(x, 80))
        for x in (citation.source.strip(), _date(citation.published_at))
        if x
    ]
    if meta:
        parts.append(" · ".join(meta))
    return " — ".join(parts)


def sources_blocks(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    """``*Sources*`` and one line per citation: title (linked), source, date."""
    if not citations:
        return []
    lines = ["*Sources*"] + [source_line(c) for c in sorted(citations, key=lambda c: c.number)]
    blocks: list[dict[str, Any]] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def feedback_actions(value: ButtonValue, *, share: bool) -> dict[str, Any]:
    encoded = value.encode()
    elements = []
    if share:
        elements.append(button("Share in channel", ACTION_SHARE, encoded, style="primary"))
    elements += [
        button(":thumbsup: Helpful", ACTION_HELPFUL, encoded),
        button(":thumbsdown: Not helpful", ACTION_NOT_HELPFUL, encoded),
    ]
    return {"type": "actions", "block_id": "nd_feedback", "elements": elements}


def _block_chars(block: dict[str, Any]) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def _fallback(blocks: Iterable[dict[str, Any]]) -> str:
    texts = [
        b["text"]["text"]
        for b in blocks
        if b.get("type") == "section" and isinstance(b.get("text"), dict)
    ]
    return truncate("\n".join(texts), FALLBACK_LIMIT)


def pack(blocks: Sequence[dict[str, Any]], *, fallback: str = "") -> list[SlackMessage]:
    """Group blocks into as few messages as Slack's limits allow, in order."""
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        chars = _block_chars(block)
        if groups[-1] and (
            len(groups[-1]) >= MESSAGE_BLOCK_BUDGET or size + chars > MESSAGE_CHAR_BUDGET
        ):
            groups.append([])
            size = 0
        groups[-1].append(block)
        size += chars
    return [
        SlackMessage(text=_fallback(group) or fallback or "Newsdesk answer", blocks=group)
        for group in groups
        if group
    ]


def render_answer(
    answer: Answer,
    *,
    answer_id: str = "",
    share: bool = False,
    show_question: bool = False,
    shared_by: str = "",
    feedback: bool = True,
    edited: bool = False,
) -> list[SlackMessage]:
    """Messages for ``answer``: its text with linked ``[n]``, the sources, and the buttons.

    ``share`` adds a "Share in channel" button (private ``/ask`` answers); ``show_question``
    repeats the question above the answer (where the question is not already visible);
    ``shared_by`` names the user who shared it publicly; ``edited`` marks an answer to an edited
    question. ``answer.notes`` are shown under the answer.
    """
    if answer.status == "error":
        return [render_notice(answer.error or "Sorry, I couldn't answer that just now.")]
    blocks: list[dict[str, Any]] = []
    if show_question and answer.question.strip():
        question = escape(truncate(" ".join(answer.question.split()), QUESTION_LIMIT))
        blocks.append(section(f"*Question:* {question}"))
    if edited:
        blocks.append(context("Answer to the edited question"))
    text = strip_markup_residue(answer.text) or NO_ANSWER_MESSAGE
    for i, piece in enumerate(split_rendered(text, answer.citations)):
        blocks.append(section(piece, block_id=f"{ANSWER_BLOCK_PREFIX}{i}"))
    for note in answer.notes[:3]:
        blocks.append(context(f":information_source: {escape(truncate(note, 500))}"))
    blocks += sources_blocks(answer.citations)
    if shared_by and _USER_ID.match(shared_by):
        blocks.append(context(f"Shared by <@{shared_by}>"))
    if feedback or share:
        value = ButtonValue(answer_id, answer.question, answer.prompt_id)
        if feedback:
            blocks.append(feedback_actions(value, share=share))
        else:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "nd_share",
                    "elements": [
                        button("Share in channel", ACTION_SHARE, value.encode(), "primary")
                    ],
                }
            )
    return pack(blocks, fallback=truncate(escape(text), FALLBACK_LIMIT))


# Markdown headings ("# Title", "## Background") and YAML front matter ("---", "title: ...") that
# articles in .md files carry: they are layout, not sentences, and Slack shows them literally.
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?=\S)")
_FRONT_MATTER_KEYS = (
    "title|date|published|published_at|author|authors|source|url|tags|categories|layout|slug|"
    "description|summary|id|lang|language|draft|image"
)
_FRONT_MATTER = re.compile(rf"^\s*(?:-{{3,}}|(?:{_FRONT_MATTER_KEYS})\s*:.*)\s*$", re.I)


def strip_markup_residue(text: str) -> str:
    """``text`` without Markdown heading marks and front-matter lines (at its start, or whole
    lines of it), keeping the heading's words when a sentence follows them on the same line."""
    kept = []
    for line in text.strip().splitlines():
        if _FRONT_MATTER.match(line):
            continue
        if _HEADING.match(line):
            line = _HEADING.sub("", line)
            # A heading alone is a title, not part of the answer; one with a claim stays.
            if not (_MARKER.search(line) or line.rstrip().endswith((".", "!", "?"))):
                continue
        kept.append(line)
    return "\n".join(kept).strip()


def render_notice(text: str, *, emoji: str = ":warning:", mrkdwn: bool = False) -> SlackMessage:
    """A short message in the bot's own words. ``text`` is escaped (it may quote user input)
    unless ``mrkdwn`` says it is the bot's own markup, built from escaped parts."""
    text = truncate(text, SECTION_LIMIT - 50)
    body = f"{emoji} {text if mrkdwn else escape(text)}".strip()
    return SlackMessage(text=body, blocks=[section(body)])


def render_usage(command: str = "/ask") -> SlackMessage:
    body = (
        f"*Usage:* `{escape(command)} QUESTION`, for example "
        f"`{escape(command)} What did Johnson say about Russia?`\n"
        "I answer from the newsroom's articles, with numbered sources. The answer is shown only "
        "to you, with a button to share it in the channel. You can also mention me in a channel "
        "or send me a direct message."
    )
    return SlackMessage(text=body, blocks=[section(body)])
