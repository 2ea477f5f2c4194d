"""Names written with digits: "U2", "3G", "A380", "ITV1", "IPv6", "Club2School".

spaCy's small pipeline handles them badly in questions: the tagger may call "U2" a verb and the
NER skip it, and the tokenizer cuts "3G" into a number and a unit ("3" + "G"), which leaves a
one-letter "name" and a count to look for. A passage writes the name whole, and a whole-word
match on the text finds it there (:func:`bot.answer.constraints.present`), so the question's
name is taken from its characters, not its tokens.
"""

from __future__ import annotations

import re

from bot.answer.question.types import Mention

# A word holding a capital letter and a digit, in either order; not money or a measure ("£5.5M"
# follows a currency sign; "60m", "5,000m" and "8x10in" have no capital).
_CODED = re.compile(
    r"(?<![\w£$€.,-])(?=[A-Za-z0-9-]*[A-Z])(?=[A-Za-z0-9-]*\d)"
    r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-]|[.,]\d)"
)
# "A320s", "A300s": a plural of the name, which a passage may write singular.
_PLURAL = re.compile(r"(?<=\d)s$")


def coded_names(
    text: str, start: int, end: int, *kinds: list[Mention]
) -> tuple[list[Mention], ...]:
    """``kinds`` (entities, numbers, dates: mentions found in ``text[start:end]``) with every
    coded name there made a mention: a name inside an entity ("American MP3", "Epson R800") or
    a longer number or date ("Q3 2004") stays as it is; other mentions that overlap it ("G" and
    "3" of "3G", a number "1Xtra") go, and the name joins the first list (the entities) as a
    proper-noun run."""
    out = [list(ms) for ms in kinds]
    for match in _CODED.finditer(text, start, end):
        s, e = match.span()
        if any(m.start <= s and e <= m.end for m in out[0]) or any(
            m.start <= s and e <= m.end and m.end - m.start > e - s for ms in out[1:] for m in ms
        ):
            continue
        out = [[m for m in ms if m.end <= s or m.start >= e] for ms in out]
        name = _PLURAL.sub("", match.group())
        out[0].append(Mention(name, "PROPN", s, s + len(name), "coded"))
    return tuple(out)
