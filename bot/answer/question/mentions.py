"""What a question names: entities, proper-noun runs, numbers, dates, scores, a subject's
name, and its content terms (lemmas of non-stopword nouns, verbs, adjectives and proper nouns).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.question.coded_names import coded_names
from bot.answer.question.dates import day_and_month, frequency, unplaced_time
from bot.answer.question.listed import listed_names
from bot.answer.question.types import AnswerType, Mention
from bot.answer.question.words import (
    _CONTENT_POS,
    _DATE_LABELS,
    _FOCUS_NOUNS,
    _NUMBER_LABELS,
    NAME_LABELS,
    _is_wh,
    asked_kind,
    is_imperative,
    title_word,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


# A match score: "21-19", "2-1", "3 - 0" (en dash too); not a year range ("2004-05").
_SCORE = re.compile(r"(?<![\w.£$€-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w%-]|\.\d)")


def _content_terms(
    tokens: Iterable[Token], skip: AbstractSet[int] = frozenset()
) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tok in tokens:
        if tok.i in skip or tok.is_stop or tok.is_punct or tok.pos_ not in _CONTENT_POS:
            continue
        # A participle used as a preposition ("according to", "compared with", "following")
        # and a word placing the asked thing in time ("the latest figures") say no topic.
        if (tok.dep_ == "prep" and tok.tag_ in {"VBN", "VBG"}) or tok.lower_ in _NOW_WORDS:
            continue
        if tok.ent_type_ in _NUMBER_LABELS or tok.like_num:  # numbers are constraints of their own
            continue
        if _is_wh(tok):
            continue
        lemma = tok.lemma_.lower().strip()
        if lemma and any(ch.isalnum() for ch in lemma):
            seen.setdefault(lemma, None)
    return tuple(seen)


# Relative to the asker's present, like ``dates._DEICTIC`` (spaCy's stop words have "last" and
# "next").
_NOW_WORDS = frozenset({"latest", "recent", "recently", "current"})
# The words of "how many / how much / how long" that spaCy's NER may take into an entity.
_HOW_WORDS = frozenset({"many", "much", "long", "few", "little"})


def _counted_noun(ent: Span, members: AbstractSet[int]) -> Token | None:
    """The common noun an ordinal counts, when it follows within two words ("second leg",
    "third-round", "eighth studio album"); None for an ordinal alone ("finished second") or
    before a name ("the 15th British Comedy Awards", whose ordinal a report may leave out)."""
    head = ent.root.head
    if len(ent) != 1 or head.pos_ != "NOUN" or head.i not in members:
        return None
    if ent.text.lower() in {"first", "1st"}:
        # "the first people convicted": news writes "the first convictions", "the first star to
        # be evicted"; "first" says "earliest ever" more often than which of a series, and its
        # noun is the question's own paraphrase (our training questions: three answered parts
        # lost when its noun was required).
        return None
    return head if 0 <= head.i - ent.end <= 2 else None


def _mentions(
    doc: Doc, idx: Sequence[int], asked: Token | None = None
) -> tuple[list[Mention], list[Mention], list[Mention]]:
    """Entities, numbers and dates in the segment (NER first, then what it missed). ``asked``:
    the noun the part asks about: no name given when tagged a proper noun but a kind of thing
    asked for ("Which Tory MP ...?"), unlike "how many Cesars"."""
    members = set(idx)
    if asked is not None and asked.pos_ == "PROPN" and asked_kind(asked.lemma_.lower()):
        members.discard(asked.i)
    entities: list[Mention] = []
    numbers: list[Mention] = []
    dates: list[Mention] = []
    if not members:  # a frame part of a bare preposition ("of and of") names nothing
        return entities, numbers, dates
    covered: set[int] = set()
    by_token: dict[int, int] = {}  # token -> index in entities, for names the runs extend
    named_number = _number_words_of_names(doc, members)
    cased = any(t.text[:1].isupper() for t in doc if not t.is_sent_start)
    for ent in doc.ents:
        if not any(t.i in members for t in ent):
            continue
        if any(_is_wh(t) for t in ent) or (
            len(ent) == 1 and (ent.start in named_number or ent[0].pos_ == "PRON")
        ):
            # "Whom did Tim Henman beat ...?", "in which month": the NER may take the asking
            # words for a person or a date.
            continue
        first = ent[0]
        if ent.text.lower() == "first" and first.dep_ == "advmod" and first.head.i > first.i:
            # "Who first proposed the idea?": when it began, not one of a series ("withdrawn
            # first" after its verb is: before the rest).
            continue
        if ent.start > 0 and doc[ent.start - 1].lower_ == "how" and ent[0].lower_ in _HOW_WORDS:
            # "how many hours", "how much money": the NER's TIME or MONEY is what is asked for.
            continue
        if frequency(ent):
            # "each year", "every month", "a year": how often, not when; passages write
            # "annually" or "£4m a year" as often.
            covered.update(range(ent.start, ent.end))
            continue
        if len(ent) == 1 and (
            (ent.label_ == "CARDINAL" and _answer_count(ent[0])) or _answer_kind(ent)
        ):
            covered.add(ent.start)
            continue
        if _describes_a_named_person(ent):
            covered.update(range(ent.start, ent.end))
            continue
        if (ent.label_ in _DATE_LABELS and unplaced_time(ent)) or (
            cased
            and ent.label_ not in _DATE_LABELS | _NUMBER_LABELS
            and not any(ch.isupper() or ch.isdigit() for ch in ent.text)
        ):
            # "today's films", "on the night of the election", "during his day of questions";
            # "a customer's bill jumps", which the NER takes for a person in
            # a question that capitalises its names (not in one typed all in lower case).
            covered.update(range(ent.start, ent.end))
            continue
        covered.update(range(ent.start, ent.end))
        label = ent.label_  # a slice of the entity (below) is a Span without its label
        year = _leading_year(ent)
        if year is not None:
            # "the 2005 London Marathon": passages say "the London Marathon" and, maybe, the year
            # elsewhere; the year is a date to find on its own.
            dates.append(Mention(year.text, "DATE", year.idx, year.idx + len(year), "ner"))
            ent = ent.doc[year.i + 1 : ent.end]
        counted = _counted_noun(ent, members) if label == "ORDINAL" else None
        if counted is not None:
            # "the second leg": the ordinal with the noun it counts (bot.answer.constraints).
            start, end = ent.start_char, counted.idx + len(counted)
            numbers.append(Mention(doc.text[start:end], label, start, end, "ner"))
            continue
        day = day_and_month(ent)
        if day is not None:
            covered.update(range(day.start, day.end))
            dates.append(Mention(day.text, "DATE", day.start_char, day.end_char, "ner"))
            continue
        for piece in listed_names(ent):
            start, end = _entity_bounds(piece)
            mention = Mention(doc.text[start:end], label, start, end, "ner")
            if label in _NUMBER_LABELS:
                numbers.append(mention)
            elif label in _DATE_LABELS:
                dates.append(mention)
            else:
                # Not through a possessive's clitic: in "Roger Federer's Dubai Open" the proper
                # nouns after "'s" are a name of their own.
                kept = (t.i for t in piece if t.tag_ != "POS")
                by_token.update(dict.fromkeys(kept, len(entities)))
                entities.append(mention)
    # Runs of proper nouns the NER missed ("Winn-Dixie", "Skis Rossignol"); "of"/"&" may join
    # two runs ("Isle of Wight") when both sides are proper nouns.
    i_list = sorted(members)
    k = 0
    while k < len(i_list):
        i = i_list[k]
        tok = doc[i]
        # An all-lowercase word the tagger calls a proper noun ("ministry", "cinemas", the "m" of
        # "60m") is not a name; "iTunes" and "eBay" are.
        name_word = (
            tok.pos_ == "PROPN"
            or i in named_number
            or _capitalised_noun(tok)
            or _capitalised_adjective(tok, members, covered)
        )
        # A title before a name ("Labour MP Frank Field") is the kind of person, not a name.
        title = asked_kind(tok.lower_) and by_token.get(i + 1) is not None
        if not name_word or tok.is_lower or i in covered or _is_wh(tok) or title:
            k += 1
            continue
        j = i
        while True:
            nxt = j + 1
            if (
                nxt in members
                and nxt not in covered
                and (
                    doc[nxt].pos_ == "PROPN"
                    or nxt in named_number
                    or _capitalised_noun(doc[nxt])
                    or title_word(doc[nxt])
                )
                and not doc[nxt].is_lower
            ):
                j = nxt
                continue
            if (
                nxt in members
                and doc[nxt].lower_ in {"of", "&", "-"}
                and nxt + 1 in members
                and nxt + 1 not in covered
                and doc[nxt + 1].pos_ == "PROPN"
            ):
                j = nxt + 1
                continue
            break
        span = doc[i : j + 1]
        # A proper noun touching a name the NER found is part of it: "Sir" + "Ian Blair" keeps
        # the entity's label (a title), "Stade de" + "France" (GPE) is a name of its own.
        touching = by_token.get(j + 1, by_token.get(i - 1))
        if touching is not None:
            old = entities[touching]
            lo, hi = min(old.start, span.start_char), max(old.end, span.end_char)
            label = old.label if j + 1 in by_token and len(span) == 1 else "PROPN"
            entities[touching] = Mention(doc.text[lo:hi], label, lo, hi, "propn")
        else:
            entities.append(Mention(span.text, "PROPN", span.start_char, span.end_char, "propn"))
        covered.update(range(i, j + 1))
        while k < len(i_list) and i_list[k] <= j:
            k += 1
    # A web address ("napster.no", "bbc.co.uk") names a site; the tagger often calls it a
    # number, and the NER skips it.
    for i in i_list:
        tok = doc[i]
        if i not in covered and tok.like_url:
            entities.append(Mention(tok.text, "URL", tok.idx, tok.idx + len(tok), "url"))
            covered.add(i)
    # Numbers the NER missed ("4.75").
    for i in i_list:
        tok = doc[i]
        if (
            i not in covered
            and tok.like_num
            and tok.pos_ == "NUM"
            and not _answer_count(tok)
            and i not in named_number
        ):
            numbers.append(Mention(tok.text, "CARDINAL", tok.idx, tok.idx + len(tok), "number"))
    # A score in the question ("Who did Arsenal beat 4-1?"): one number, not two cardinals.
    lo, hi = doc[min(members)].idx, doc[max(members)].idx + len(doc[max(members)])
    for match in _SCORE.finditer(doc.text, lo, hi):
        s, e = match.span()
        numbers = [m for m in numbers if not (s <= m.start and m.end <= e)]
        numbers.append(Mention(match.group(), "SCORE", s, e, "score"))
    entities, numbers, dates = coded_names(doc.text, lo, hi, entities, numbers, dates)
    entities = [replace(m, qualifier=True) if _qualifies(doc, m, entities) else m for m in entities]
    entities.sort(key=lambda m: m.start)
    numbers.sort(key=lambda m: m.start)
    return entities, numbers, dates


def _qualifies(doc: Doc, mention: Mention, names: Sequence[Mention] = ()) -> bool:
    """Whether the name is the possessor of a phrase that names something else: "John
    Underwood's Live-Shot website", "Standard Life's Richard Moffat" (:class:`Mention`), or
    whom a named person works for, before their title: "CBI chief Sir Digby Jones", "Bank of
    England deputy governor Rachel Lomax" (a story names the employer once, and quotes the
    person by name later)."""
    inside = [t for t in doc if mention.start <= t.idx < mention.end]
    root = next((t for t in inside if not mention.start <= t.head.idx < mention.end), None)
    title = root.head if root is not None else None
    if (
        root is not None
        and title is not None
        and root.dep_ in {"compound", "nmod"}
        and (title.pos_ == "NOUN" or asked_kind(title.lower_))
        and title.dep_ == "compound"
        and title.head.ent_type_ == "PERSON"
    ):
        return True
    last = next((t for t in doc if t.idx < mention.end <= t.idx + len(t)), None)
    if last is None or last.dep_ != "poss":
        return False
    head = last.head
    if head.pos_ == "PROPN":  # "Standard Life's Richard Moffat"
        return True
    if head.lemma_.lower() in _FOCUS_NOUNS[AnswerType.PERSON]:
        return True  # "South Korea's central bank governor": whom the person works for
    # "the Conservatives' Club2School policy": another of the question's names (``names``)
    # between the possessor and the possessed noun, however the tagger took it.
    if any(last.idx + len(last) < m.start and m.end <= head.idx for m in names):
        return True
    # "John Underwood's Live-Shot website": a name compounded with the possessed noun itself
    # (not one further down: "Garciaparra's deal with the Chicago Cubs" is his deal).
    return any(
        t.pos_ == "PROPN" and t.dep_ == "compound" and t.i > last.i
        for t in (*head.lefts, *(c for left in head.lefts for c in left.lefts))
    )


def _capitalised_noun(tok: Token) -> bool:
    """A capitalised noun inside a sentence that the tagger took for a common one: a name
    ("Who did Wolves appoint ...?", "Oasis singer Liam Gallagher", "at Parkhead"). Not a
    sentence's first word, nor an abbreviation's plural ("MPs", "PCs": the common noun)."""
    text = tok.text
    if tok.tag_ not in {"NN", "NNS"} or not text[:1].isupper() or tok.is_sent_start:
        return False
    if tok.i > 0 and tok.doc[tok.i - 1].text in {'"', "'", ":", "(", "-", "..."}:
        return False
    return not (len(text) > 1 and text.endswith("s") and text[:-1].isupper())


def _capitalised_adjective(tok: Token, members: set[int], covered: set[int]) -> bool:
    """A capitalised adjective inside a sentence, before a proper noun of no entity: the first
    word of a name ("the Old Firm game"; the NER finds "Old Trafford" itself)."""
    nxt = tok.i + 1
    return (
        tok.tag_ == "JJ"
        and tok.text[:1].isupper()
        and not tok.is_sent_start
        and nxt in members
        and nxt not in covered
        and tok.doc[nxt].pos_ == "PROPN"
    )


def _number_words_of_names(doc: Doc, members: set[int]) -> set[int]:
    """Capitalised number words within a question that belong to a proper name beside them:
    "Six" of "the Six Nations", "Million" of "Million Dollar Baby", "Two" of "League Two", "One"
    of "Formula One". The NER calls them cardinals, or misses them and the tagger calls them
    numbers; the name is what passages write, not a count to find. Mid-sentence, English
    capitalises a number word only in a name; a question's first word is capitalised anyway."""
    out: set[int] = set()
    for tok in doc:
        if tok.i not in members or tok.is_sent_start:
            continue
        if not (tok.like_num and tok.is_alpha and tok.is_title):
            continue
        beside = [doc[j] for j in (tok.i - 1, tok.i + 1) if j in members]
        if any(t.pos_ == "PROPN" and not t.is_lower for t in beside):
            out.add(tok.i)
    return out


def _answer_count(tok: Token) -> bool:
    """ "which two housemates", "Name two players": how many answers are asked for, not a
    number to look for."""
    return tok.dep_ == "nummod" and (_on_asked_noun(tok) or _imperative_object(tok.head))


def _imperative_object(noun: Token) -> bool:
    """``noun`` is what an imperative asks for ("Name two players", "List three reasons"), or
    a noun joined to it ("one finalist ... and one contestant")."""
    while noun.dep_ == "conj" and noun.head.i != noun.i:
        noun = noun.head
    return noun.dep_ == "dobj" and is_imperative(noun.head)


def _on_asked_noun(tok: Token) -> bool:
    """``tok`` modifies the noun a wh-word asks about ("which two housemates", "which Italian
    club"). The parse makes the wh-word the modifier's neighbour, or its noun's determiner, or
    neither."""
    after_wh = tok.i > 0 and _is_wh(tok.doc[tok.i - 1])
    return after_wh or any(_is_wh(c) for c in tok.head.children)


def _leading_year(ent: Span) -> Token | None:
    """The year a name entity starts with ("the 2005 Six Nations" -> "2005"), if any."""
    if ent.label_ in _NUMBER_LABELS or ent.label_ in _DATE_LABELS:
        return None
    toks = [t for t in ent if t.lower_ != "the"]
    first = toks[0] if toks else None
    if first is None or len(toks) < 2 or not (first.is_digit and len(first.text) == 4):
        return None
    return first if 1900 <= int(first.text) <= 2099 else None


def _answer_kind(ent: Span) -> bool:
    """ "which Italian club", "what quarterly profit": the nationality or the period says what
    kind of answer is asked for (Juventus is one), not a word the evidence must contain."""
    tok = ent[0]
    return (
        (ent.label_ == "NORP" or (ent.label_ == "DATE" and tok.pos_ == "ADJ"))
        and tok.dep_ == "amod"
        and tok.head.pos_ == "NOUN"
        and _on_asked_noun(tok)
    )


def _describes_a_named_person(ent: Span) -> bool:
    """ "Japanese businessman Yoshiaki Tsutsumi", "15-year-old Donald Young", "Florida state
    archivist Jody Norman": a nationality, an age, or a place on the person's role describes a
    named person; passages name the person, and need not repeat it ("Mr Tsutsumi", "Young, 15,",
    "Ms Norman"). A place right beside the name, with no role between, may be part of it."""
    if ent.label_ not in {"NORP", "DATE", "GPE"}:
        return False
    tok = ent.root
    role = False
    # Up the noun phrase: "Japanese" -> "businessman" -> "Tsutsumi".
    while tok.dep_ in {"amod", "compound", "npadvmod", "nmod"} and tok.head.i != tok.i:
        tok = tok.head
        # The person as the noun's head, or beside it ("archivist" <- appos "Jody Norman").
        if tok.ent_type_ == "PERSON" or any(
            c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in tok.children
        ):
            return ent.label_ != "GPE" or role or tok.pos_ == "NOUN"
        role = role or tok.pos_ == "NOUN"
    return False


def _entity_bounds(ent: Span) -> tuple[int, int]:
    """An entity's characters, without a leading article or a trailing "'s" ("the European
    Central Bank", "an Epson R800", "Manchester United's"), and with a MONEY entity's currency
    sign and scale."""
    if ent.label_ == "MONEY":
        return _money_bounds(ent)
    first, last = ent.start, ent.end - 1
    article = ent.doc[first].lower_
    named = ent.label_ not in _DATE_LABELS | _NUMBER_LABELS  # "a year ago" keeps its "a"
    if (article == "the" or (named and article in {"a", "an"})) and last > first:
        first += 1
    # A number's or a date's hedge or preposition is no part of what a passage must write:
    # "growth of just 0.1%" is reported as "0.1%", "more than 1,000" as "over 1,000", and
    # "say about weekend nights" asks about the "weekend nights".
    while not named and last > first and _hedge(ent.doc[first]):
        first += 1
    if ent.doc[last].tag_ == "POS" and last > first:
        last -= 1
    return ent.doc[first].idx, ent.doc[last].idx + len(ent.doc[last])


def _hedge(tok: Token) -> bool:
    """A word before a number or a date that hedges or places it ("just", "nearly", "about",
    "over", "more than"), not one that says which ("last season", "early 2005")."""
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    comparative = nxt is not None and nxt.lower_ == "than"
    return tok.pos_ in {"ADV", "ADP"} or tok.dep_ == "quantmod" or comparative


def _money_bounds(span: Span) -> tuple[int, int]:
    """A MONEY entity with its currency sign and scale ("£", "12", "m" -> "£12m")."""
    doc = span.doc
    start, end = span.start, span.end
    if start > 0 and (doc[start - 1].tag_ == "$" or doc[start - 1].text in _CURRENCY_SIGNS):
        start -= 1
    while (
        end < len(doc)
        and doc[end].lower_ in _SCALE_WORDS
        and doc[end].idx == doc[end - 1].idx + len(doc[end - 1])
    ):
        end += 1
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


_CURRENCY_SIGNS = frozenset("£$€¥")
_SCALE_WORDS = frozenset({"m", "bn", "k", "mn", "tn", "trn", "million", "billion"})


def _name_of(doc: Doc, ids: set[int]) -> str:
    """A subject's name: its last proper name outside a prepositional phrase or a clause on it,
    else its words.

    "Microsoft's Bill Gates" -> "Bill Gates", "union leader Jonathan Baume" -> "Jonathan Baume",
    "the film Casino Royale" -> "Casino Royale" (the NER found only "Casino"); "the match between
    Leeds and Millwall" and "shares in BT" have no name of their own and keep their words.
    """
    span = doc[min(ids) : max(ids) + 1]
    # A name in a phrase or clause that modifies the subject is not its name: "the match between
    # Leeds and Millwall", "the Georgia woman suing Hewlett Packard".
    modifiers = {t.i for t in span if t.dep_ in {"prep", "acl", "relcl"} and t.i in ids}

    def in_modifier(tok: Token) -> bool:
        return any(a.i in modifiers for a in tok.ancestors) or tok.i in modifiers

    names: list[tuple[int, int]] = []  # token ranges
    for ent in span.ents:
        if ent.label_ in NAME_LABELS and not in_modifier(ent[0]):
            names.append((ent.start, ent.end))
    for tok in span:
        if tok.pos_ == "PROPN" and not tok.ent_type_ and not in_modifier(tok):
            names.append((tok.i, tok.i + 1))
    if names:
        start, end = max(names)
        # Grow over touching proper nouns ("Casino" + "Royale", "Sir" + "Ian Blair").
        while start - 1 >= span.start and (
            doc[start - 1].pos_ == "PROPN"
            or (doc[start - 1].tag_ == "HYPH" and start - 2 >= span.start)
        ):
            start -= 1
        while end < span.end and (
            doc[end].pos_ == "PROPN" or (doc[end].tag_ == "HYPH" and end + 1 < span.end)
        ):
            end += 1
        lo, hi = _entity_bounds(doc[start:end])
        return doc.text[lo:hi]
    words = [t for t in span if t.dep_ not in {"det", "poss", "case"} and not t.is_punct]
    return " ".join(t.text for t in words) if words else span.text
