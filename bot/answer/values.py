"""Values of an asked-for type in article sentences (:func:`value_spans`), for the evidence
stage.

No spaCy import here at run time (types only): importing this module is cheap.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from bot.answer.constraints import digits
from bot.answer.question.mentions import _SCORE, _money_bounds
from bot.answer.question.types import AnswerType
from bot.answer.question.words import _DATE_LABELS, REPORTING_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


# Labels value_spans returns, by answer type (spaCy entity labels, plus SCORE, REASON, QUOTE,
# REPORTING_VERB and SPEAKER, which spaCy does not have).
VALUE_LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.AMOUNT: frozenset({"MONEY"}),
    AnswerType.COUNT: frozenset({"CARDINAL", "QUANTITY"}),
    AnswerType.QUANTITY: frozenset({"CARDINAL", "QUANTITY", "PERCENT"}),
    AnswerType.DATE: frozenset({"DATE", "TIME"}),
    AnswerType.PERSON: frozenset({"PERSON"}),
    AnswerType.ORGANISATION: frozenset({"ORG"}),
    AnswerType.PLACE: frozenset({"GPE", "LOC", "FAC"}),
}


# An age or a length of time: "aged 84", "81 years", "55-year-old", "8 months" (numbers in
# words are read as digits first, as the constraints read them: bot.answer.constraints.digits).
_DURATION = re.compile(
    r"(?i)\baged\s+\d|\d[\d.,]*[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?)\b"
)


_AGE = re.compile(r"(?i)\byears?[\s-]old\b|^age\s+\d")


def _an_age(ent: Span) -> bool:
    """A DATE entity that is someone's age: "aged 70", "age 81", "the 55-year-old", "70 years
    old"."""
    before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return ent.label_ == "DATE" and (before in {"aged", "age"} or bool(_AGE.search(ent.text)))


# Money the NER missed: a currency sign and a number with an optional scale.
_MONEY = re.compile(
    r"[£$€¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:m|bn|k|mn|tn|million|billion|trillion)\b)?"
)


@cache
def currency_words() -> frozenset[str]:
    """The last word of every currency's English name, singular and plural, from Babel's CLDR
    data ("euro", "euros", "pounds", "yen", "rupees"): spaCy's small model tags "212 million
    euros" as a CARDINAL, not MONEY, so an amount written with a currency's name is found here.
    Only currencies that were legal tender somewhere since 1900 (CLDR's territory data): the
    funds and indexed units among ISO 4217's codes ("Mexican investment units", "Colombian real
    value units") would make "sold 2.8 million units" money.
    Loaded at the first amount question (Babel's locale data is not imported before)."""
    import datetime

    from babel.core import get_global
    from babel.numbers import get_currency_name, get_territory_currencies

    since = datetime.date(1900, 1, 1)
    today = datetime.date.today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=since, end_date=today))
    words: set[str] = set()
    for code in codes:
        for count in (1, 2):
            last = get_currency_name(code, count=count, locale="en").split()[-1].lower()
            if last.isalpha():
                words.add(last)
    return frozenset(words)


# Causal markers (lower case, as token sequences).
_REASON_MARKERS: tuple[tuple[str, ...], ...] = (
    ("because", "of"),
    ("because",),
    ("due", "to"),
    ("owing", "to"),
    ("thanks", "to"),
    ("as", "a", "result", "of"),
    ("as", "a", "result"),
    ("in", "protest"),
    ("in", "response", "to"),
    ("in", "order", "to"),
    ("following",),
    ("after",),
    ("amid",),
    ("since",),
    ("so", "that"),
)

# Verbs whose clause a cause inside is denied, not given.
_DENYING = frozenset({"deny", "dismiss", "reject", "refute"})

# Straight and curly double quotes, curly single quotes, and straight single quotes that open
# after a space and close before a space or punctuation (not apostrophes).
_QUOTE = re.compile(
    r"\"[^\"]{2,}\"|“[^”]{2,}”|‘[^’]{2,}’|(?<![\w'])'(?=\w)[^'\n]{2,}?(?<=[\w.,!?])'(?![\w])"
)


def value_spans(doc_or_span: Doc | Span, answer_type: AnswerType) -> list[tuple[int, int, str]]:
    """Where, in a sentence, a value of ``answer_type`` could be: ``(start, end, label)``.

    Offsets are into ``doc_or_span.text`` (for a Span, relative to its start). Labels are spaCy
    entity labels (MONEY, CARDINAL, QUANTITY, PERCENT, DATE, TIME, PERSON, ORG, GPE, LOC, FAC),
    or SCORE, REASON (a causal marker with the phrase it governs), QUOTE, REPORTING_VERB and
    SPEAKER (the reporting verb's subject). An empty list: the sentence holds no such value.
    A DESCRIPTION has no typed value; every sentence may hold one, so the list is empty.
    """
    base = getattr(doc_or_span, "start_char", 0)
    text = doc_or_span.text
    tokens = list(doc_or_span)
    if not tokens:
        return []
    found: list[tuple[int, int, str]] = []
    if answer_type is AnswerType.SCORE:
        found = [(m.start(), m.end(), "SCORE") for m in _SCORE.finditer(text)]
    elif answer_type is AnswerType.REASON:
        found = _reason_spans(tokens, base)
    elif answer_type is AnswerType.STATEMENT:
        found = [(m.start(), m.end(), "QUOTE") for m in _QUOTE.finditer(text)]
        found += _reporting_spans(tokens, base)
    elif answer_type in VALUE_LABELS:
        labels = VALUE_LABELS[answer_type]
        scores = [(m.start(), m.end()) for m in _SCORE.finditer(text)]
        for ent in doc_or_span.ents:
            if ent.label_ not in labels:
                continue
            start, end = ent.start_char, ent.end_char
            if ent.label_ == "MONEY":
                start, end = _money_bounds(ent)
            start, end = start - base, end - base
            # "21-19" is a score, not a count.
            if ent.label_ == "CARDINAL" and any(s <= start and end <= e for s, e in scores):
                continue
            # spaCy labels an age a date ("aged 70", "the 55-year-old"): it says how old, not when.
            if answer_type is AnswerType.DATE and _an_age(ent):
                continue
            found.append((start, end, ent.label_))
        if answer_type is AnswerType.AMOUNT:
            # A number followed by a currency's name ("212 million euros") is money the NER
            # took for a bare number; not when the word modifies a noun after it ("10 gold
            # medals": "gold" is Zimbabwe's currency's name too).
            for ent in doc_or_span.ents:
                after = ent.end - doc_or_span[0].i
                if (
                    ent.label_ == "CARDINAL"
                    and after < len(tokens)
                    and tokens[after].lower_ in currency_words()
                    and tokens[after].dep_ not in {"compound", "amod", "nmod"}
                ):
                    found.append(
                        (
                            ent.start_char - base,
                            tokens[after].idx + len(tokens[after]) - base,
                            "MONEY",
                        )
                    )
            for m in _MONEY.finditer(text):
                if not any(s < m.end() and m.start() < e for s, e, _ in found):
                    found.append((m.start(), m.end(), "MONEY"))
        if answer_type is AnswerType.QUANTITY:
            # An age or a duration, which spaCy labels a date ("aged 84", "81 years", "a
            # 55-year-old", "eight months"); not a date ("2004", "last May").
            for ent in doc_or_span.ents:
                if ent.label_ == "DATE" and (
                    _an_age(ent) or _DURATION.search(digits(ent.text.lower()))
                ):
                    found.append((ent.start_char - base, ent.end_char - base, "QUANTITY"))
        if answer_type in {AnswerType.COUNT, AnswerType.QUANTITY}:
            # Numbers the NER left out, unless inside another entity or a score.
            taken = [(s.start_char - base, s.end_char - base) for s in doc_or_span.ents]
            for tok in tokens:
                s = tok.idx - base
                e = s + len(tok)
                if tok.pos_ != "NUM" or not tok.like_num:
                    continue
                if any(a <= s < b for a, b in taken) or any(a <= s < b for a, b in scores):
                    continue
                found.append((s, e, "CARDINAL"))
    return sorted(set(found))


def _reason_spans(tokens: list[Token], base: int) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    lowers = [t.lower_ for t in tokens]
    i = 0
    while i < len(tokens):
        for marker in _REASON_MARKERS:
            n = len(marker)
            if tuple(lowers[i : i + n]) != marker:
                continue
            words = tokens[i : i + n]
            last = max(t.right_edge.i for t in words)
            for t in words:
                if t.dep_ == "mark":  # "because it ...": the whole clause it introduces
                    last = max(last, t.head.right_edge.i)
            end_tok = tokens[0].doc[last]
            if end_tok.i < tokens[-1].i + 1 and end_tok.is_punct and last > words[-1].i:
                end_tok = tokens[0].doc[last - 1]
            governed = tokens[0].doc[words[-1].i + 1 : end_tok.i + 1]
            # "after 2003", "since March": a time, not a cause.
            if (
                n == 1
                and marker[0] in {"after", "since", "following"}
                and governed.text
                and all(t.ent_type_ in _DATE_LABELS or t.is_punct for t in governed)
            ):
                break
            if any(a.lemma_.lower() in _DENYING for a in words[0].ancestors):
                # "Arnesen has denied that Santini resigned because of a clash": not the cause.
                i += n - 1
                break
            start = words[0].idx - base
            end = end_tok.idx + len(end_tok) - base
            found.append((start, end, "REASON"))
            i += n - 1
            break
        i += 1
    return found


def _reporting_spans(tokens: list[Token], base: int) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for tok in tokens:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in REPORTING_VERBS:
            continue
        found.append((tok.idx - base, tok.idx + len(tok) - base, "REPORTING_VERB"))
        for child in tok.children:
            if (
                child.dep_ in {"nsubj", "nsubjpass"}
                and child.i >= tokens[0].i
                and child.i <= tokens[-1].i
            ):
                ids = [d.i for d in child.subtree]
                doc = tok.doc
                lo = max(min(ids), tokens[0].i)
                hi = min(max(ids), tokens[-1].i)
                start = doc[lo].idx - base
                end = doc[hi].idx + len(doc[hi]) - base
                found.append((start, end, "SPEAKER"))
    return found


# "How much per share ...", "What price per share ...": an amount asked per unit. Time units
# are left out: "a year" is written "annual", "yearly", "in 2004" as often as per year; so is
# "per cent", a share, not a unit.
_PER_UNIT = re.compile(r"\bper\s+([a-z]+)\b", re.IGNORECASE)
_NOT_UNITS = frozenset(
    {"year", "annum", "month", "week", "day", "hour", "minute", "second", "season", "night", "cent"}
)
# How many tokens after a value its unit may come ("$76 for each Guidant share").
UNIT_REACH = 5


def per_unit(question: str) -> str | None:
    """The unit an amount is asked per ("share" for "What price per share did it pay?"), or
    None."""
    m = _PER_UNIT.search(question)
    if m is None:
        return None
    unit = m.group(1).lower()
    unit = unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit
    return None if unit in _NOT_UNITS else unit


def with_unit(doc: Doc | Span, end: int, unit: str) -> bool:
    """Whether the value ending at character ``end`` of ``doc`` is written per unit after it:
    the unit ("31p a share", "fines for each broadcaster") or "each" ("$500,000 (£266,582)
    could be imposed each time"), a conversion in brackets skipped. A total beside it ("a
    $3.25bn offer") is another figure."""
    base = getattr(doc, "start_char", 0)
    after: list[Token] = []
    depth = 0
    for tok in doc:
        if tok.idx - base < end:
            continue
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            after.append(tok)
        if len(after) >= UNIT_REACH:
            break
    return any(t.lemma_.lower().startswith(unit) or t.lower_ in _EACH for t in after)


_EACH = frozenset({"each", "apiece", "every"})
