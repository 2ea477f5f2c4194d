"""Dates a question names that are no constraint: "now" and parts of a day not placed in
time ("today's films", "the night of the election"), and how often rather than when ("each
year")."""

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
    """A date that says "now" (``_DEICTIC``) or a part of a day without saying which day ("the
    night", "his day"): no passage about the day need write it."""
    words = {t.lower_ for t in ent if t.pos_ not in {"DET", "PRON"}}
    return words <= _DEICTIC or (len(words) == 1 and words <= _TIMES_OF_DAY)


_TIMES_OF_DAY = frozenset({"day", "night", "morning", "afternoon", "evening"})


def frequency(ent: Span) -> bool:
    """A DATE the NER tags that says how often ("each year", "every two weeks", "a year"), not
    when ("a year ago", "each of the last three years" is not tagged so)."""
    if ent.label_ not in _DATE_LABELS:
        return False
    first = ent[0].lower_
    if first in {"each", "every", "per"} or (len(ent) == 1 and first in _HOW_OFTEN):
        return True
    after = ent.doc[ent.end].lower_ if ent.end < len(ent.doc) else ""
    return first in {"a", "an"} and len(ent) == 2 and after not in _RELATIVE


# "the annual general meeting", "a weekly show": how often, spaCy's DATE.
_HOW_OFTEN = frozenset({"annual", "annually", "daily", "weekly", "monthly", "yearly", "quarterly"})


_MONTHS = frozenset(m.lower() for m in calendar.month_name if m)


def day_and_month(ent: Span) -> Span | None:
    """A day of the month the NER took for a bare number, with its month ("the 5 May general
    election", "on May 5"): the date, or None."""
    if ent.label_ != "CARDINAL" or len(ent) != 1 or not ent[0].is_digit or int(ent[0].text) > 31:
        return None
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].lower_ in _MONTHS:
        return doc[ent.start : ent.end + 1]
    if ent.start > 0 and doc[ent.start - 1].lower_ in _MONTHS:
        return doc[ent.start - 1 : ent.end]
    return None
