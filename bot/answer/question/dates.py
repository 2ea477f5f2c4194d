"""Dates a question names that are no constraint: "now", parts of a day not placed in time
and stretches no number bounds ("today's films", "the night of the election", "in recent
years"), and how often rather than when ("each year"); and a day the NER took for a number."""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING

from bot.answer.question.words import _DATE_LABELS

if TYPE_CHECKING:
    from spacy.tokens import Span


# Dates that say "now" or a day counted from it: the asker's present ("today's films"), which a
# report of its own day writes otherwise ("on Tuesday"), if at all.
_DEICTIC = frozenset({"today", "tonight", "yesterday", "tomorrow", "now", "nowadays", "currently"})

# After "a year": a date counted back or on ("a year ago"), not a rate ("£4m a year").
_RELATIVE = frozenset({"ago", "earlier", "later", "before", "after", "on"})


def unplaced_time(ent: Span) -> bool:
    """A date that says "now" (``_DEICTIC``), a part of a day without saying which day ("the
    night", "his day") or a stretch of time no number bounds ("earlier years"): no passage
    about the day or the years need write it."""
    words = {t.lower_ for t in ent if t.pos_ not in {"DET", "PRON"}}
    if words <= _DEICTIC or (len(words) == 1 and words <= _TIMES_OF_DAY):
        return True
    # "compared with earlier years", "in recent years": a stretch of time no number bounds.
    last = ent[-1]
    vague = not any(ch.isdigit() for ch in ent.text) and not any(t.like_num for t in ent)
    return vague and last.tag_ == "NNS" and last.lemma_.lower() in _PERIODS


_TIMES_OF_DAY = frozenset({"day", "night", "morning", "afternoon", "evening"})
_PERIODS = frozenset({"day", "week", "month", "year", "decade", "season", "century"})


def frequency(ent: Span) -> bool:
    """A DATE the NER tags that says how often ("each year", "every two weeks", "a year"), not
    when ("a year ago", "each of the last three years" is not tagged so)."""
    if ent.label_ not in _DATE_LABELS:
        return False
    first = ent[0].lower_
    if first in {"each", "every", "per"}:
        return True
    after = ent.doc[ent.end].lower_ if ent.end < len(ent.doc) else ""
    return first in {"a", "an"} and len(ent) == 2 and after not in _RELATIVE


# Month names and their abbreviations, lower case.
MONTHS = frozenset(m.lower() for m in (*calendar.month_name, *calendar.month_abbr) if m)


def day_and_month(ent: Span) -> Span | None:
    """A day of the month the NER took for a bare number, with its month ("the 5 May general
    election", "on May 5"): the date, or None."""
    day = ent[0].text
    # isdecimal, not isdigit: "²" is a digit int() cannot read.
    if ent.label_ != "CARDINAL" or len(ent) != 1 or not day.isdecimal() or int(day) > 31:
        return None
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].lower_ in MONTHS:
        return doc[ent.start : ent.end + 1]
    if ent.start > 0 and doc[ent.start - 1].lower_ in MONTHS:
        return doc[ent.start - 1 : ent.end]
    return None
