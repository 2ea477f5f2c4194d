"""The draft parser: a generator's text -> sentences with the source keys each cites.

Markers may stand anywhere and in many shapes (``[1]``, ``[1, 2]``, ``[1-3]``, ``[Source 2]``);
brackets meant as citations that name no key (``[]``, ``[x]``) are reported as malformed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.types import NO_ANSWER_MESSAGE
from retrieval.text import Span, normalise, sentence_spans

_MARKER = re.compile(r"\[\s*([^\[\]\n]{0,40}?)\s*\]")
_KEY_LIST = re.compile(
    r"^(?:(?:sources?|src|refs?|references?|docs?|documents?|passages?)\s*[:#]?\s*)?"
    r"\d{1,3}(?:\s*(?:[,;&]|and|-|–)\s*\d{1,3})*$",
    re.IGNORECASE,
)
_SOURCES_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?:\*\*)?(?:sources|references|citations)(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*[^\[\]\n]{0,40}?\s*\])+\s*")
_LIST_PREFIX = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass(frozen=True, slots=True)
class DraftSentence:
    """A sentence of a draft: its text without markers, the keys it cites (in order, once each)."""

    text: str
    keys: tuple[int, ...]
    malformed: tuple[str, ...] = ()
    paragraph_end: bool = False


def _marker_keys(content: str) -> tuple[int, ...] | None:
    """Keys named by a marker's content; ``None`` when it is not a citation at all."""
    if not _KEY_LIST.match(content):
        return None
    body = re.sub(r"^[^\d]*", "", content)
    keys: list[int] = []
    for part in re.split(r"\s*(?:[,;&]|and)\s*", body):
        if not part:
            continue
        if re.fullmatch(r"\d+\s*[-–]\s*\d+", part):
            lo, hi = (int(x) for x in re.split(r"\s*[-–]\s*", part))
            if 0 < hi - lo <= 20:
                keys.extend(range(lo, hi + 1))
                continue
            keys.append(lo)
            keys.append(hi)
            continue
        keys.append(int(part))
    return tuple(keys)


def _is_malformed(content: str) -> bool:
    """A bracket that was meant as a citation but names no key: ``[]``, ``[x]``, ``[?]``, ``[1a]``.

    Longer bracketed text ("[the deal]") is an editorial insertion in a quote and stays.
    """
    stripped = content.strip()
    if not stripped or re.fullmatch(r"[\W_]+", stripped):
        return True
    if re.fullmatch(r"[A-Za-z]{1,2}|n|k|key|ref|source|citation|cite", stripped, re.IGNORECASE):
        return True
    return bool(re.search(r"\d", stripped)) and len(stripped) <= 12


def _parse_piece(piece: str) -> tuple[str, list[int], list[str]]:
    keys: list[int] = []
    malformed: list[str] = []

    def repl(m: re.Match[str]) -> str:
        found = _marker_keys(m.group(1))
        if found is not None:
            keys.extend(found)
            return " "
        if _is_malformed(m.group(1)):
            malformed.append(m.group(0))
            return " "
        return m.group(0)

    text = _MARKER.sub(repl, piece)
    # Tidy the gaps the markers leave: "choice [1]." -> "choice."; collapse runs of spaces.
    text = re.sub(r"\s+([.,;:!?…])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return text, keys, malformed


def parse_draft(draft: str) -> list[DraftSentence]:
    """Split a draft into sentences with the keys each cites.

    Markers may stand anywhere: mid-sentence ("X [1] and Y [2]."), before the full stop, after it
    ("... choice. [1]"), grouped ("[1, 2]", "[1][2]", "[1-3]", "[Source 2]"). A marker standing
    alone after a sentence belongs to that sentence. Keys are kept in order of appearance, once.
    """
    sentences: list[DraftSentence] = []
    for span in _draft_spans(draft):
        raw = draft[span.start : span.end]
        raw = _LIST_PREFIX.sub("", raw)
        lead = _LEADING_MARKERS.match(raw)
        if sentences and lead and not sentences[-1].paragraph_end and not _only_markers(raw):
            # "... choice. [1] That choice is ..." : the marker closes the previous sentence.
            _, lead_keys, lead_bad = _parse_piece(lead.group(0))
            prev = sentences[-1]
            sentences[-1] = DraftSentence(
                prev.text,
                tuple(dict.fromkeys((*prev.keys, *lead_keys))),
                prev.malformed + tuple(lead_bad),
                prev.paragraph_end,
            )
            raw = raw[lead.end() :]
        text, keys, malformed = _parse_piece(raw)
        if sentences and keys and _only_markers(raw):
            prev = sentences[-1]
            sentences[-1] = DraftSentence(
                prev.text,
                tuple(dict.fromkeys((*prev.keys, *keys))),
                prev.malformed + tuple(malformed),
                span.paragraph_end or prev.paragraph_end,
            )
            continue
        if not text or re.fullmatch(r"[\W_]*", text):
            if malformed and sentences:
                prev = sentences[-1]
                sentences[-1] = DraftSentence(
                    prev.text, prev.keys, prev.malformed + tuple(malformed), prev.paragraph_end
                )
            continue
        sentences.append(
            DraftSentence(text, tuple(dict.fromkeys(keys)), tuple(malformed), span.paragraph_end)
        )
    return sentences


def _draft_spans(draft: str) -> list[Span]:
    """The draft's sentences, found with its markers blanked out (a segmenter reads "[2][3]."
    as anything but a sentence end); a sentence keeps the markers that follow it up to the next
    one on its line ("... choice. [1] That ..." gives "... choice. [1]")."""
    masked = _MARKER.sub(lambda m: " " * len(m.group(0)), draft)
    spans = sentence_spans(masked)
    out: list[Span] = []
    for i, span in enumerate(spans):
        end = span.end
        if not span.paragraph_end:
            limit = spans[i + 1].start if i + 1 < len(spans) else len(draft)
            end = len(draft[:limit].rstrip())
        elif i + 1 == len(spans):
            end = len(draft.rstrip())
        else:
            line_end = draft.find("\n", span.end)
            end = len(draft[: line_end if line_end != -1 else len(draft)].rstrip())
        out.append(Span(span.start, max(end, span.end), span.paragraph_end))
    return out


def _only_markers(raw: str) -> bool:
    return not _MARKER.sub("", raw).strip(" \t.,;:")


def is_no_answer(text: str) -> bool:
    def squash(s: str) -> str:
        return re.sub(r"[^a-z]+", " ", normalise(s).lower()).strip()

    return squash(text) == squash(NO_ANSWER_MESSAGE)
