"""Question analysis: what a question asks for, what it names, and into which parts it splits.

The first stage of the answer engine. :func:`analyse` reads one question with spaCy (the caller
passes the pipeline, see :mod:`bot.answer.nlp`) and returns a frozen :class:`QuestionAnalysis`:

* **parts**: a compound question is split on its dependency parse and tags, at a coordinated
  clause that has its own wh-word ("..., and what was Brown expected to do?", "Who won A and who
  won B?") or at a repeated preposition ("say about truancy and about discrimination"). Each part
  is analysed on its own; a part without a subject of its own (or with only a pronoun) inherits
  the first part's subject, and a repeated-preposition part inherits the whole frame (answer
  type, verb, speaker) with its own prepositional object.
* per part, **what is asked for** (:class:`AnswerType`), from the wh-word, the noun it asks about
  ("which club", "what price") and the verb ("what did P say", "what caused");
* per part, **constraints**: named entities with spaCy's labels, proper-noun runs the NER missed,
  numbers and dates, the relation asked about (verb lemma, subject, object terms; for statements
  the speaker and the topic terms) and the content terms (lemmas of non-stopword nouns, verbs,
  adjectives and proper nouns; spaCy's ``is_stop``).

:func:`value_spans` finds, in an article sentence, the places that could answer a given type.

No spaCy import happens here at run time (types only): importing this module is cheap.

The word lists below name the classes of English words a question uses to ask for a kind of
answer ("which *club*", "*how much*", "what did P *say*"); they are written from English, not
fitted on evaluation questions, and each list is kept once, here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line."""
    return frozenset(text.split())


class AnswerType(StrEnum):
    """The kind of value a question (part) asks for."""

    AMOUNT = "amount"  # money: "how much did A pay", "what price"
    COUNT = "count"  # "how many"
    QUANTITY = "quantity"  # percentages, rates, levels, sizes, speeds: "what percentage"
    DATE = "date"  # dates and times: "when", "what year"
    PERSON = "person"  # "who", "which player"
    ORGANISATION = "organisation"  # "which company/club/party"
    PLACE = "place"  # "where", "which country"
    REASON = "reason"  # "why", "what caused"
    STATEMENT = "statement"  # "what did P say about T", "how did P respond"
    SCORE = "score"  # a match result: "what was the score", "by what score"
    DESCRIPTION = "description"  # anything else: "what happened", "what is X"


# --- word classes ------------------------------------------------------------------------------

# Reporting verbs (lemmas): "what did P say", and in article sentences "P said ...".
REPORTING_VERBS = _words("""
    say tell warn claim insist argue add describe call state announce admit deny explain suggest
    believe think reveal report confirm stress urge predict acknowledge accuse comment note
    remark declare maintain contend complain concede conclude write promise pledge vow threaten
    ask reply respond react answer tweet boast joke quip recall praise criticise criticize
    dismiss defend blame allege assert indicate signal
    """)

# "How did P respond/react ..." asks for what P said.
_RESPONSE_VERBS = _words(
    "respond react reply answer describe explain justify defend greet view see"
)

# The noun a wh-determiner asks about ("which club", "what price"), by the answer it wants.
_FOCUS_NOUNS: dict[AnswerType, frozenset[str]] = {
    AnswerType.AMOUNT: _words("""
        price cost fee salary wage pay sum amount fine value bid offer budget payout
        compensation bonus damages prize award tax bill debt loan fund funding investment revenue
        turnover profit loss sale sales income spending deal fortune worth money cash ransom rent
        charge tariff subsidy grant settlement valuation
        """),
    AnswerType.COUNT: _words("number count total tally attendance crowd"),
    AnswerType.QUANTITY: _words("""
        percentage proportion share rate level speed distance weight height length depth size
        population figure temperature age margin growth increase decrease rise fall drop capacity
        ratio majority turnout duration
        """),
    AnswerType.DATE: _words(
        "date year day month time week season decade century hour period deadline"
    ),
    AnswerType.PERSON: _words("""
        person man woman player minister manager coach boss chief executive chairman chairwoman
        president director actor actress singer star artist musician writer author politician mp
        leader candidate official spokesman spokeswoman spokesperson secretary chancellor
        footballer striker midfielder defender goalkeeper captain winger batsman bowler athlete
        judge lawyer officer presenter host designer founder owner head champion rival
        successor predecessor winner runner-up finalist contestant nominee member rapper
        comedian celebrity boxer driver rider golfer cyclist sprinter runner referee umpire
        governor mayor senator king queen prince princess pope chef doctor scientist economist
        analyst campaigner suspect victim journalist editor producer filmmaker composer
        """),
    AnswerType.ORGANISATION: _words("""
        company firm club party team side bank group organisation organization business
        corporation union authority agency body regulator retailer broadcaster network newspaper
        paper magazine publisher airline carrier supermarket chain studio label band charity
        operator manufacturer maker insurer lender brand outlet channel station website
        government ministry department council committee court university school hospital
        supplier creditor investor buyer bidder sponsor partner
        """),
    AnswerType.PLACE: _words("""
        country city town village region state nation place venue stadium ground location area
        county province island continent capital site port airport street district
        neighbourhood building arena circuit course
        """),
    AnswerType.REASON: _words("reason cause motive explanation grounds purpose"),
    AnswerType.SCORE: _words("score scoreline"),
}

# Nouns naming an organisation that, in sport, is usually written as a place ("Ireland beat
# Argentina"): the answer may be either.
_TEAM_NOUNS = _words("team side nation country")

# "what was the result", "by what margin": a score when the question is about a match.
_MATCH_RESULT_NOUNS = _words("result margin")
_MATCH_WORDS = _words("""
    match game final semi-final quarter-final tie fixture derby clash encounter replay friendly
    league cup championship tournament international test beat defeat draw thrash rout score
    goal try innings set rugby football soccer cricket tennis hockey basketball baseball
    """)

# "what caused/led to/prompted X": the answer is a reason.
_CAUSE_VERBS = _words("cause lead prompt trigger spark drive provoke force persuade push motivate")

# "how much did A pay", "what did the deal cost": money.
_MONEY_VERBS = _words("pay cost charge spend earn fetch owe")

# "how much did prices rise": a size of change (often a percentage), not money.
_CHANGE_VERBS = _words("""
    rise fall increase decrease grow drop climb decline jump slump shrink gain slip surge soar
    plunge tumble rally expand contract improve worsen
    """)

# "how long": a duration (spaCy: DATE) with these verbs or after "for"; else a length.
_DURATION_VERBS = _words("take last serve remain stay wait spend run reign hold keep")

# Prepositions that introduce a statement's topic ("say about T", "respond to T").
_TOPIC_PREPS = _words("about on over regarding concerning to of towards toward into with against")

_WH_WORDS = _words("what which who whom whose when where why how")
_COORDINATORS = frozenset({"and", "or", "but", "plus"})
_THIRD_PERSON_PRONOUNS = _words("he she it they him her them his hers its their theirs")

_NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
_DATE_LABELS = frozenset({"DATE", "TIME"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass"})

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


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """Something the question names: an entity, a proper-noun run, a number or a date.

    ``start``/``end`` are character offsets into the question; ``label`` is spaCy's entity label,
    or ``PROPN`` for a run of proper nouns the NER missed, or ``CARDINAL`` for a bare number it
    missed. ``source`` says which (``ner``, ``propn``, ``number``). ``inherited`` marks a mention
    that a later part took over from the first part (its offsets are the first part's).
    """

    text: str
    label: str
    start: int
    end: int
    source: str = "ner"
    inherited: bool = False


@dataclass(frozen=True)
class Relation:
    """What the question asks about.

    ``predicate``: lemma of the main verb ("pay", "say", "win"); ``None`` for a copula ("What was
    the price of X?"). ``subject``: the subject's text when it is not the wh-word. For other than
    statements, ``object_terms`` are the content lemmas of the verb's complements (objects and
    prepositional phrases: "pay for B" -> ["b"]). For statements, ``speaker`` is who spoke and
    ``topic_terms`` the content lemmas of what about ("say about Russia" -> ["russia"]).
    """

    predicate: str | None = None
    subject: str | None = None
    object_terms: tuple[str, ...] = ()
    speaker: str | None = None
    topic_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionPart:
    """One answerable part of a question, with what it asks for and what it names."""

    text: str
    start: int
    end: int
    answer_type: AnswerType
    # Other types an answer may have ("who" can be a company; "which team" can be a country).
    also_accept: tuple[AnswerType, ...] = ()
    wh: str | None = None  # the asking words: "how much", "which club", "why"
    focus: str | None = None  # lemma of the noun asked about: "club", "price", "job" (how many)
    entities: tuple[Mention, ...] = ()
    numbers: tuple[Mention, ...] = ()
    dates: tuple[Mention, ...] = ()
    relation: Relation = field(default_factory=Relation)
    terms: tuple[str, ...] = ()
    # What this part took from the first part: "subject", "speaker", "frame".
    inherited: tuple[str, ...] = ()

    @property
    def accepted_types(self) -> tuple[AnswerType, ...]:
        return (self.answer_type, *self.also_accept)


@dataclass(frozen=True)
class QuestionAnalysis:
    question: str
    parts: tuple[QuestionPart, ...]

    @property
    def answer_type(self) -> AnswerType:
        """The first part's answer type."""
        return self.parts[0].answer_type

    @property
    def is_compound(self) -> bool:
        return len(self.parts) > 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as their string values) for evaluation records."""
        data = asdict(self)
        for part in data["parts"]:
            part["answer_type"] = str(part["answer_type"])
            part["also_accept"] = [str(t) for t in part["also_accept"]]
        return _lists(data)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


# --- analysis ----------------------------------------------------------------------------------


def analyse(question: str, nlp: Language) -> QuestionAnalysis:
    """Analyse one question with the given spaCy pipeline (pure: no state is kept)."""
    text = question.strip()
    if not text:
        return QuestionAnalysis(question, (QuestionPart("", 0, 0, AnswerType.DESCRIPTION),))
    offset = question.index(text[0])
    doc = nlp(text)
    verbs = _verb_lexicon(nlp)
    segments = _split(doc)
    parts: list[QuestionPart] = []
    for kind, tokens in segments:
        if kind == "frame" and parts:
            parts.append(_frame_part(doc, tokens, parts[0], segments[0][1]))
        else:
            part = _clause_part(doc, tokens, verbs)
            if parts:
                part = _inherit_subject(part, parts[0], doc, tokens)
            parts.append(part)
    if offset:
        parts = [_shift(p, offset) for p in parts]
    return QuestionAnalysis(question, tuple(parts))


def _shift(part: QuestionPart, offset: int) -> QuestionPart:
    def move(ms: tuple[Mention, ...]) -> tuple[Mention, ...]:
        return tuple(replace(m, start=m.start + offset, end=m.end + offset) for m in ms)

    return replace(
        part,
        start=part.start + offset,
        end=part.end + offset,
        entities=move(part.entities),
        numbers=move(part.numbers),
        dates=move(part.dates),
    )


# Splitting. A segment is ("clause" | "frame", token indices in order).
Segment = tuple[str, list[int]]


def _is_wh(tok: Token) -> bool:
    """A question word (not "that", which the tagger also tags WDT)."""
    return tok.lower_ in _WH_WORDS


def _split(doc: Doc) -> list[Segment]:
    """Token index ranges of the question's parts, each tagged clause or frame."""
    starts: list[tuple[int, str]] = [(0, "clause")]
    first_wh = next((t.i for t in doc if _is_wh(t)), None)
    for tok in doc:
        i = tok.i
        if i == 0:
            continue
        # A coordinated clause with its own wh-word: "..., and what was ...", "and who won",
        # "and for how long ...", "who won A, who won B and which film won C".
        if _is_wh(tok) and first_wh is not None and i > first_wh:
            j = i
            while j > 0 and doc[j - 1].pos_ == "ADP":
                j -= 1
            prev = j - 1
            # "..., and why ...", "and when?": after a coordinator. After a bare comma only a
            # clause with a finite verb ("who won A, who won B"): "What did X say, when asked
            # about Y?" stays one part.
            if prev >= 0 and (
                doc[prev].lower_ in _COORDINATORS
                or (doc[prev].text == "," and _finite_clause_follows(doc, i))
            ):
                starts.append((j, "clause"))
                continue
        # A repeated preposition: "say about truancy and about discrimination".
        if tok.pos_ == "ADP" and doc[i - 1].lower_ in _COORDINATORS:
            begin = starts[-1][0]
            if any(doc[k].lower_ == tok.lower_ and doc[k].pos_ == "ADP" for k in range(begin, i)):
                starts.append((i, "frame"))
    segments: list[Segment] = []
    for n, (start, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(doc)
        idx = list(range(start, end))
        # Without the coordinator and commas that join this part to its neighbours.
        while idx and (doc[idx[0]].text in _JOINING_PUNCT or doc[idx[0]].lower_ in _COORDINATORS):
            idx.pop(0)
        while idx and (doc[idx[-1]].text in _JOINING_PUNCT or doc[idx[-1]].lower_ in _COORDINATORS):
            idx.pop()
        if idx:
            segments.append((kind, idx))
    return segments or [("clause", [t.i for t in doc])]


# Punctuation that ends a question or joins its parts ("4.75%" keeps its sign, quotes stay).
_JOINING_PUNCT = frozenset({"?", ".", "!", ",", ";", ":", "-", "–", "—", "..."})


def _finite_clause_follows(doc: Doc, i: int) -> bool:
    """A finite verb between token ``i`` and the next comma, coordinator or end."""
    for tok in doc[i + 1 :]:
        if tok.text == "," or tok.lower_ in _COORDINATORS:
            return False
        if tok.tag_ in {"VBD", "VBZ", "VBP", "MD"}:
            return True
    return False


@dataclass
class _Wh:
    token: Token | None = None
    phrase: str | None = None
    focus: Token | None = None  # the noun asked about
    after: Token | None = None  # the word after "how"


def _find_wh(doc: Doc, idx: Sequence[int]) -> _Wh:
    members = set(idx)
    for i in idx:
        tok = doc[i]
        if not _is_wh(tok):
            continue
        wh = _Wh(token=tok, phrase=tok.lower_)
        nxt = doc[i + 1] if i + 1 < len(doc) and i + 1 in members else None
        if tok.lower_ == "how":
            wh.after = nxt
            if nxt is not None and nxt.pos_ in {"ADJ", "ADV"}:
                wh.phrase = f"how {nxt.lower_}"
                # "how many jobs", "how many posthumous Grammy Awards": the counted noun is
                # the last of the adjectives and nouns that follow.
                noun = None
                k = i + 2
                while k in members and doc[k].pos_ in {"ADJ", "NOUN", "PROPN"}:
                    if doc[k].pos_ in {"NOUN", "PROPN"}:
                        noun = doc[k]
                    k += 1
                if noun is not None and nxt.lower_ in {"many", "much", "few", "little"}:
                    wh.focus = noun
        elif tok.lower_ in {"what", "which", "whose"}:
            noun = _determined_noun(doc, tok, members)
            if noun is not None:
                wh.focus = noun
                wh.phrase = doc[tok.i : noun.i + 1].text.lower()
        return wh
    # "Name the three bands that ...", "List the ...": the imperative's object is asked for.
    first = doc[idx[0]]
    if first.lemma_.lower() in _IMPERATIVES and first.tag_ == "VB":
        obj = next((c for c in first.children if c.dep_ == "dobj" and c.i in members), None)
        if obj is not None:
            return _Wh(phrase=first.lower_, focus=obj)
    return _Wh()


_IMPERATIVES = _words("name list identify give")


def _determined_noun(doc: Doc, wh: Token, members: set[int]) -> Token | None:
    """The noun a wh-determiner asks about: "which club", "what percentage", "which of the ..."."""
    if wh.dep_ == "det" and wh.head.pos_ in {"NOUN", "PROPN"} and wh.head.i > wh.i:
        return wh.head
    nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) and wh.i + 1 in members else None
    if nxt is not None and nxt.is_alpha and nxt.pos_ not in {"AUX", "VERB", "PRON", "ADP", "DET"}:
        # "What fine did ...": a word between the wh-word and an auxiliary is a noun, whatever
        # the tagger says ("fine" as an adverb); so is the det arc's head next to it.
        after = doc[nxt.i + 1] if nxt.i + 1 < len(doc) else None
        if (wh.dep_ == "det" and wh.head.i == nxt.i) or (after is not None and after.pos_ == "AUX"):
            return nxt
    # The tagger sometimes leaves "what price" without the det arc: take the next noun run's head.
    k = wh.i + 1
    while k < len(doc) and k in members and doc[k].pos_ in {"ADJ", "NOUN", "PROPN"}:
        k += 1
    if k > wh.i + 1 and doc[k - 1].pos_ == "NOUN":
        return doc[k - 1]
    for child in wh.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ == "NOUN":
                return pobj
    return None


def _clause_head(doc: Doc, idx: Sequence[int]) -> Token:
    """The token of the segment whose head lies outside it (the clause's root), verbs first."""
    members = set(idx)
    tops = [doc[i] for i in idx if doc[i].head.i not in members or doc[i].head.i == i]
    if not tops:
        return doc[idx[0]]

    def weight(t: Token) -> tuple[int, int]:
        size = sum(1 for d in t.subtree if d.i in members)
        return (1 if t.pos_ in {"VERB", "AUX"} else 0, size)

    head = max(tops, key=weight)
    if head.lower_ == "according":
        # "According to the BBC, who will ...": the attribution is not the clause's verb.
        comma = next((i for i in idx if i > head.i and doc[i].text == ","), None)
        if comma is not None:
            source = set(range(head.i, comma))
        else:
            source = {d.i for c in head.children if c.lower_ == "to" for d in c.subtree}
        verbs = [doc[i] for i in idx if doc[i].pos_ in {"VERB", "AUX"} and i not in source]
        if verbs:
            return min(verbs, key=lambda t: len(list(t.ancestors)))
    return head


def _content_terms(
    tokens: Iterable[Token], skip: AbstractSet[int] = frozenset()
) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tok in tokens:
        if tok.i in skip or tok.is_stop or tok.is_punct or tok.pos_ not in _CONTENT_POS:
            continue
        if tok.ent_type_ in _NUMBER_LABELS or tok.like_num:  # numbers are constraints of their own
            continue
        if _is_wh(tok):
            continue
        lemma = tok.lemma_.lower().strip()
        if lemma and any(ch.isalnum() for ch in lemma):
            seen.setdefault(lemma, None)
    return tuple(seen)


def _mentions(doc: Doc, idx: Sequence[int]) -> tuple[list[Mention], list[Mention], list[Mention]]:
    """Entities, numbers and dates in the segment (NER first, then what it missed)."""
    members = set(idx)
    entities: list[Mention] = []
    numbers: list[Mention] = []
    dates: list[Mention] = []
    covered: set[int] = set()
    by_token: dict[int, int] = {}  # token -> index in entities, for names the runs extend
    for ent in doc.ents:
        if not any(t.i in members for t in ent):
            continue
        start, end = _entity_bounds(ent)
        mention = Mention(doc.text[start:end], ent.label_, start, end, "ner")
        covered.update(range(ent.start, ent.end))
        if ent.label_ in _NUMBER_LABELS:
            numbers.append(mention)
        elif ent.label_ in _DATE_LABELS:
            dates.append(mention)
        else:
            by_token.update(dict.fromkeys(range(ent.start, ent.end), len(entities)))
            entities.append(mention)
    # Runs of proper nouns the NER missed ("Winn-Dixie", "Skis Rossignol"); "of"/"&" may join
    # two runs ("Isle of Wight") when both sides are proper nouns.
    i_list = sorted(members)
    k = 0
    while k < len(i_list):
        i = i_list[k]
        tok = doc[i]
        if tok.pos_ != "PROPN" or i in covered or _is_wh(tok):
            k += 1
            continue
        j = i
        while True:
            nxt = j + 1
            if nxt in members and nxt not in covered and doc[nxt].pos_ == "PROPN":
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
    # Numbers the NER missed ("4.75").
    for i in i_list:
        tok = doc[i]
        if i not in covered and tok.like_num and tok.pos_ == "NUM":
            numbers.append(Mention(tok.text, "CARDINAL", tok.idx, tok.idx + len(tok), "number"))
    # A score in the question ("Who did Arsenal beat 4-1?"): one number, not two cardinals.
    lo, hi = doc[min(members)].idx, doc[max(members)].idx + len(doc[max(members)])
    for match in _SCORE.finditer(doc.text, lo, hi):
        s, e = match.span()
        numbers = [m for m in numbers if not (s <= m.start and m.end <= e)]
        numbers.append(Mention(match.group(), "SCORE", s, e, "score"))
    entities.sort(key=lambda m: m.start)
    numbers.sort(key=lambda m: m.start)
    return entities, numbers, dates


def _entity_bounds(ent: Span) -> tuple[int, int]:
    """An entity's characters, without a leading "the" or a trailing "'s" ("the European Central
    Bank", "Manchester United's"), and with a MONEY entity's currency sign and scale."""
    if ent.label_ == "MONEY":
        return _money_bounds(ent)
    first, last = ent.start, ent.end - 1
    if ent.doc[first].lower_ == "the" and last > first:
        first += 1
    if ent.doc[last].tag_ == "POS" and last > first:
        last -= 1
    return ent.doc[first].idx, ent.doc[last].idx + len(ent.doc[last])


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


def _classify(
    doc: Doc, idx: Sequence[int], wh: _Wh, verb: Token
) -> tuple[AnswerType, tuple[AnswerType, ...], Token | None]:
    """The answer type, other acceptable types and the noun asked about."""
    members = set(idx)
    tok = wh.token
    lemmas = {doc[i].lemma_.lower() for i in idx}
    verb_lemma = verb.lemma_.lower()
    focus = wh.focus
    focus_lemma = focus.lemma_.lower() if focus is not None else None
    if tok is None:
        if focus_lemma is not None:  # "Name the bands ..."
            typed = _type_of_noun(focus_lemma, lemmas)
            if typed is not None:
                return typed[0], typed[1], focus
        return AnswerType.DESCRIPTION, (), focus
    word = tok.lower_
    if word == "how":
        after = wh.after.lower_ if wh.after is not None else ""
        if after in {"much", "little"}:
            nxt = (
                doc[wh.after.i + 1] if wh.after is not None and wh.after.i + 1 < len(doc) else None
            )
            if nxt is not None and nxt.tag_ in {"JJR", "RBR", "JJ", "RB"} and nxt.i in members:
                return AnswerType.QUANTITY, (), focus
            if verb_lemma in _CHANGE_VERBS:
                return AnswerType.QUANTITY, (), focus
            if focus_lemma is not None and focus_lemma not in _FOCUS_NOUNS[AnswerType.AMOUNT]:
                if focus_lemma in _FOCUS_NOUNS[AnswerType.DATE]:
                    return AnswerType.DATE, (AnswerType.QUANTITY,), focus
                return AnswerType.QUANTITY, (AnswerType.AMOUNT,), focus
            return AnswerType.AMOUNT, (), focus
        if after in {"many", "few"}:
            return AnswerType.COUNT, (), focus
        if after == "long":
            before = doc[tok.i - 1].lower_ if tok.i > 0 else ""
            if (
                before == "for"
                or verb_lemma in _DURATION_VERBS
                or "been" in {doc[i].lower_ for i in idx}
            ):
                return AnswerType.DATE, (AnswerType.QUANTITY,), focus
            return AnswerType.QUANTITY, (AnswerType.DATE,), focus
        if after == "often":
            return AnswerType.COUNT, (AnswerType.QUANTITY,), focus
        if wh.after is not None and wh.after.pos_ in {"ADJ", "ADV"}:
            return AnswerType.QUANTITY, (), focus
        if verb_lemma in _RESPONSE_VERBS or verb_lemma in REPORTING_VERBS:
            return AnswerType.STATEMENT, (), focus
        return AnswerType.DESCRIPTION, (), focus
    if word == "when":
        return AnswerType.DATE, (), focus
    if word == "where":
        return AnswerType.PLACE, (), focus
    if word == "why":
        return AnswerType.REASON, (), focus
    if word in {"who", "whom"}:
        return AnswerType.PERSON, _who_alternatives(doc, tok, members), focus
    # what / which / whose
    if focus_lemma is not None:
        typed = _type_of_noun(focus_lemma, lemmas)
        if typed is not None:
            answer, also = typed
            if word == "whose" and answer is AnswerType.DESCRIPTION:
                return AnswerType.PERSON, (AnswerType.ORGANISATION,), focus
            return answer, also, focus
        if wh.focus is not None and word != "whose":
            # "Which Sony laptop did the magazine call ...": a laptop, whatever the verb.
            return AnswerType.DESCRIPTION, (), focus
    if word == "whose":
        return AnswerType.PERSON, (AnswerType.ORGANISATION,), focus
    # "What was the price of X?", "What is the population of Y?": the copula's other argument.
    if verb_lemma == "be":
        other = _copula_argument(verb, tok, members)
        if other is not None:
            typed = _type_of_noun(other.lemma_.lower(), lemmas)
            if typed is not None:
                return typed[0], typed[1], other
            return AnswerType.DESCRIPTION, (), other
        if any(doc[i].lower_ == "worth" for i in idx):
            return AnswerType.AMOUNT, (), focus
        return AnswerType.DESCRIPTION, (), focus
    if tok.dep_ in _SUBJECT_DEPS and verb_lemma in _CAUSE_VERBS:
        return AnswerType.REASON, (), focus
    if verb_lemma in REPORTING_VERBS:
        return AnswerType.STATEMENT, (), focus
    # "What did the deal cost?" asks for money; "What did he pay £50m for?" (money given, "what"
    # the object of "for") asks for the thing.
    if (
        verb_lemma in _MONEY_VERBS
        and tok.dep_ in {"dobj", "attr", "dative"}
        and not any(doc[i].ent_type_ == "MONEY" for i in idx)
    ):
        return AnswerType.AMOUNT, (), focus
    if "worth" in {doc[i].lower_ for i in idx}:
        return AnswerType.AMOUNT, (), focus
    return AnswerType.DESCRIPTION, (), focus


def _type_of_noun(noun: str, lemmas: set[str]) -> tuple[AnswerType, tuple[AnswerType, ...]] | None:
    if noun in _MATCH_RESULT_NOUNS:
        if lemmas & _MATCH_WORDS:
            return AnswerType.SCORE, ()
        return (AnswerType.QUANTITY, ()) if noun == "margin" else (AnswerType.DESCRIPTION, ())
    for answer, nouns in _FOCUS_NOUNS.items():
        if noun in nouns:
            if answer is AnswerType.ORGANISATION and noun in _TEAM_NOUNS:
                return answer, (AnswerType.PLACE,)
            if answer is AnswerType.PLACE and noun in _TEAM_NOUNS and lemmas & _MATCH_WORDS:
                return AnswerType.PLACE, (AnswerType.ORGANISATION,)
            if answer is AnswerType.DATE and noun == "time" and lemmas & {"run", "finish", "clock"}:
                return AnswerType.QUANTITY, (AnswerType.DATE,)
            return answer, ()
    return None


def _copula_argument(verb: Token, wh: Token, members: set[int]) -> Token | None:
    for child in verb.children:
        if (
            child.i in members
            and child.i != wh.i
            and child.dep_ in {"nsubj", "attr"}
            and child.pos_ in {"NOUN", "PROPN"}
        ):
            return child
    return None


def _who_alternatives(doc: Doc, wh: Token, members: set[int]) -> tuple[AnswerType, ...]:
    """ "who" usually asks for a person, but a company can be the answer ("who bought X").

    Only when the question calls the answer a person ("who is the new manager") is a company
    ruled out.
    """
    verb = wh.head
    for child in verb.children:
        if (
            child.i in members
            and child.dep_ in {"attr", "nsubj"}
            and child.i != wh.i
            and child.lemma_.lower() in _FOCUS_NOUNS[AnswerType.PERSON]
        ):
            return ()
    return (AnswerType.ORGANISATION,)


def _clause_part(doc: Doc, idx: list[int], verbs: AbstractSet[str]) -> QuestionPart:
    members = set(idx)
    wh = _find_wh(doc, idx)
    head = _clause_head(doc, idx)
    inverted = _inverted_clause(doc, idx, verbs)
    verb, subject_ids = inverted or _verb_and_subject(doc, head, members)
    answer, also, focus = _classify(doc, idx, wh, verb)
    # The asking words: "how much", "which club", and the noun a copula asks about ("What was
    # the price of X?"): not the subject, not content. "how many jobs": the noun is content.
    wh_tokens: set[int] = set()
    if wh.token is not None:
        wh_tokens.add(wh.token.i)
        if wh.after is not None:
            wh_tokens.add(wh.after.i)
    asked_by_how = wh.token is not None and wh.token.lower_ == "how"
    if (
        focus is not None
        and not asked_by_how
        and (answer is not AnswerType.DESCRIPTION or wh.focus is not None)
    ):
        wh_tokens.add(focus.i)
        wh_tokens.update(c.i for c in focus.children if c.dep_ == "det")
    if subject_ids & wh_tokens or any(_is_wh(doc[i]) for i in subject_ids):
        subject_ids = set()
    if verb.lemma_ == "be" and wh.token is not None and wh.token.dep_ in {"attr", "nsubj"}:
        # "Who is the new chief executive of X?", "What is the Kyoto protocol?": the other
        # argument is what is asked about, not a subject.
        subject_ids = set()
    if focus is not None and focus.i in subject_ids:
        subject_ids = set()
    subject_name = _name_of(doc, subject_ids) if subject_ids else None
    has_verb = (
        inverted is not None
        or verb.pos_ in {"VERB", "AUX"}
        or verb.i != head.i
        or _mistagged_verb(verb)
    )
    predicate = None if verb.lemma_ == "be" or not has_verb else verb.lemma_.lower()
    # Complements: the clause minus its subject and the asking words.
    skip = wh_tokens | subject_ids
    complement = [doc[i] for i in idx if i not in skip and i != verb.i]
    object_terms = _content_terms(t for t in complement if t.pos_ != "AUX")
    speaker = None
    topic_terms: tuple[str, ...] = ()
    if answer is AnswerType.STATEMENT:
        speaker = subject_name
        topic_terms = _topic_terms(doc, verb, members, skip) or object_terms
    entities, numbers, dates = _mentions(doc, idx)
    seg = doc[idx[0] : idx[-1] + 1]
    return QuestionPart(
        text=seg.text,
        start=seg.start_char,
        end=seg.end_char,
        answer_type=answer,
        also_accept=also,
        wh=wh.phrase,
        focus=focus.lemma_.lower() if focus is not None else None,
        entities=tuple(entities),
        numbers=tuple(numbers),
        dates=tuple(dates),
        relation=Relation(
            predicate=predicate,
            subject=subject_name,
            object_terms=() if answer is AnswerType.STATEMENT else object_terms,
            speaker=speaker,
            topic_terms=topic_terms,
        ),
        terms=_with(
            None if verb.is_stop else predicate, _content_terms((doc[i] for i in idx), wh_tokens)
        ),
    )


def _with(term: str | None, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms and the verb, which a mis-tagged verb ("close" as an adverb) would lose."""
    if term is None or term in terms or term in _LIGHT_VERBS:
        return terms
    return (*terms, term)


_LIGHT_VERBS = _words("be do have")


def _mistagged_verb(tok: Token) -> bool:
    """ "How many jobs will Rolls-Royce cut", "How long will the strike last": the tagger made the
    verb a noun or adverb, but it keeps its auxiliary."""
    return tok.pos_ in {"NOUN", "ADJ", "ADV"} and any(
        c.dep_ == "aux" and c.i < tok.i for c in tok.children
    )


def _verb_lexicon(nlp: Language) -> AbstractSet[str]:
    """English base-form verbs, from the pipeline's own lemmatizer tables (empty without it)."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
        return frozenset(table["verb"])
    except (KeyError, AttributeError):
        return frozenset()


# Auxiliaries that invert with the subject and take a base verb ("did X pay", "will X cut"), and
# "have", which takes a past participle ("has X said").
_BASE_AUX = _words("do will would can could shall should may might must")
_BOUNDARY_POS = frozenset({"ADP", "DET", "PUNCT", "PRON", "NUM", "PART", "AUX", "SCONJ", "CCONJ"})


def _inverted_clause(
    doc: Doc, idx: Sequence[int], verbs: AbstractSet[str]
) -> tuple[Token, set[int]] | None:
    """Verb and subject of a question with subject-auxiliary inversion, read from word order.

    "WH ... did/will/can SUBJECT VERB ...", "WH ... has SUBJECT said ...". The small model's parse
    of such questions is often wrong ("Why did [Winn-Dixie file]", "What year did the Millennium
    Dome close": "close" as an adverb, "How did motoring groups respond": root "motoring"), but
    its tags of the base verb are better, and the word order is fixed: the verb is the first
    base-form verb after the subject. When the tagger has no base verb there, the verb is the
    first word of the subject run that English has as a verb (the lemmatizer's verb table) and
    that ends the run ("the Millennium Dome close ?", "Condoleezza Rice visit ,").
    """
    positions = list(idx)
    wh_at = next((k for k, i in enumerate(positions) if _is_wh(doc[i])), None)
    if wh_at is None:
        return None
    aux_at = next(
        (
            k
            for k in range(wh_at + 1, len(positions))
            if doc[positions[k]].tag_ in {"VBD", "VBZ", "VBP", "MD"}
        ),
        None,
    )
    if aux_at is None:
        return None
    aux = doc[positions[aux_at]]
    lemma = aux.lemma_.lower()
    if lemma in _BASE_AUX:
        wanted = {"VB", "VBP"}  # the tagger confuses the two (same form)
    elif lemma == "have":
        wanted = {"VBN", "VBD"}  # "has X said": the same form, often tagged as a past tense
    else:
        return None
    after = [doc[i] for i in positions[aux_at + 1 :]]
    if len(after) < 2:
        return None
    region: list[Token] = []
    for tok in after:
        if region and tok.tag_ in wanted and tok.pos_ in {"VERB", "AUX"}:
            if tok.lemma_ in {"be", "have", "get"}:
                # "will the summit be held", "has it been sold": the participle is the verb.
                participle = next((t for t in after if t.i > tok.i and t.tag_ == "VBN"), None)
                if participle is not None:
                    return participle, {t.i for t in region}
            return tok, {t.i for t in region}
        if tok.tag_ == "MD" or (tok.pos_ == "AUX" and region):
            break
        region.append(tok)
    # No verb tagged: the first word of the run that English has as a verb and that follows a
    # name ("Thierry Henry score") or ends a noun phrase ("the auction house set for").
    for k, tok in enumerate(region[1:], start=1):
        if tok.pos_ == "PROPN" or tok.lower_ not in verbs:
            continue
        nxt = after[k + 1] if k + 1 < len(after) else None
        after_name = region[k - 1].pos_ == "PROPN"
        ends_phrase = nxt is None or nxt.pos_ in _BOUNDARY_POS or nxt.tag_ == "MD"
        if nxt is not None and nxt.lower_ == "of":  # "the price of oil": a noun
            ends_phrase = False
        if after_name or ends_phrase:
            return tok, {t.i for t in region[:k]}
    return None


def _verb_and_subject(doc: Doc, head: Token, members: set[int]) -> tuple[Token, set[int]]:
    """The clause's verb and the token ids of its subject, repairing known tagging errors.

    After "did/will/does", the small model often reads a name and the verb as one noun phrase:
    "Why did [Winn-Dixie file] for bankruptcy" (nsubj "file" of "did"), "How many jobs will
    [Rolls-Royce cut]" (root "cut" as a noun), "How much did [shares in BT rise]". The noun is
    then taken as the verb and the rest of the phrase as the subject. A clause whose root is not
    a verb at all ("For what reason did ...": root "For") takes its shallowest verb.
    """
    if _mistagged_verb(head) and _propn_compounds(head, members):
        return head, _propn_compounds(head, members)
    if head.lemma_.lower() in _BASE_AUX and not any(
        c.pos_ == "VERB" and c.i in members for c in head.children
    ):
        for child in head.children:
            if child.dep_ not in _SUBJECT_DEPS or child.i not in members or _is_wh(child):
                continue
            names = _propn_compounds(child, members)
            if child.pos_ == "NOUN" and names:
                return child, names
            last = child.right_edge
            if last.i != child.i and last.i in members and last.pos_ in {"NOUN", "ADJ", "ADV"}:
                return last, {d.i for d in child.subtree if d.i in members and d.i != last.i}
    verb = head
    if head.pos_ not in {"VERB", "AUX"} and not _mistagged_verb(head):
        verbs = [doc[i] for i in sorted(members) if doc[i].pos_ == "VERB"]
        if verbs:
            verb = min(verbs, key=lambda t: len(list(t.ancestors)))
    for cand in (verb, verb.head if verb.dep_ in {"xcomp", "ccomp"} else None):
        if cand is None or cand.i not in members:
            continue
        for child in cand.children:
            if child.dep_ not in _SUBJECT_DEPS or child.i not in members:
                continue
            if any(_is_wh(d) for d in child.subtree):  # "what reason" is the asking phrase
                continue
            names = _propn_compounds(child, members) if child.pos_ == "NOUN" else set()
            # "Who did [Sepp Blatter hope] would be named ...": the names are the subject.
            if names and child.i > 0 and doc[child.i - 1].pos_ == "PROPN" and cand.i > child.i + 1:
                return verb, names
            return verb, {d.i for d in child.subtree if d.i in members}
    return verb, set()


def _propn_compounds(tok: Token, members: set[int]) -> set[int]:
    ids: set[int] = set()
    for child in tok.children:
        if child.dep_ == "compound" and child.i < tok.i and child.i in members:
            sub = {d.i for d in child.subtree if d.i in members}
            if any(tok.doc[i].pos_ == "PROPN" for i in sub):
                ids |= sub
    if ids:
        lo, hi = min(ids), max(ids)
        ids |= {i for i in range(lo, hi + 1) if i in members}
    return ids


def _name_of(doc: Doc, ids: set[int]) -> str:
    """A subject's name: its last proper name outside a prepositional phrase, else its words.

    "Microsoft's Bill Gates" -> "Bill Gates", "union leader Jonathan Baume" -> "Jonathan Baume",
    "the film Casino Royale" -> "Casino Royale" (the NER found only "Casino"); "the match between
    Leeds and Millwall" and "shares in BT" have no name of their own and keep their words.
    """
    span = doc[min(ids) : max(ids) + 1]
    preps = {t.i for t in span if t.dep_ == "prep" and t.i in ids}

    def in_prep_phrase(tok: Token) -> bool:
        return any(a.i in preps for a in tok.ancestors) or tok.i in preps

    names: list[tuple[int, int]] = []  # token ranges
    for ent in span.ents:
        if ent.label_ in _NAME_LABELS and not in_prep_phrase(ent[0]):
            names.append((ent.start, ent.end))
    for tok in span:
        if tok.pos_ == "PROPN" and not tok.ent_type_ and not in_prep_phrase(tok):
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


_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)


def _topic_terms(doc: Doc, verb: Token, members: set[int], skip: set[int]) -> tuple[str, ...]:
    """Content lemmas of the prepositional phrases that say what a statement was about."""
    ids: list[int] = []
    for tok in (doc[i] for i in sorted(members)):
        if tok.pos_ != "ADP" or tok.lower_ not in _TOPIC_PREPS or tok.i in skip:
            continue
        # Only phrases governed by the verb or by its object ("claims of a rift").
        if tok.head.i == verb.i or tok.head.head.i == verb.i or tok.head.i in members:
            ids.extend(d.i for d in tok.subtree if d.i in members)
    # "What did Mallon call the No campaign?": the object is the topic; but in "tell the BBC"
    # the object is the listener.
    if not ids and verb.lemma_ != "tell":
        for child in verb.children:
            if (
                child.dep_ in {"dobj", "oprd", "dative"}
                and child.i in members
                and child.i not in skip
            ):
                ids.extend(d.i for d in child.subtree if d.i in members)
    return _content_terms(doc[i] for i in sorted(set(ids)) if i not in skip)


def _inherit_subject(
    part: QuestionPart, first: QuestionPart, doc: Doc, idx: list[int]
) -> QuestionPart:
    """What a later part takes from the first part.

    * No verb of its own ("..., and when?"): the first part's relation, names and terms.
    * No subject, a pronoun ("who is its biggest creditor", "what did he say"), or no names of
      its own ("why was the win historic"): the first part's subject (and, for a statement, its
      speaker); the subject's names are added to the part's entities, marked inherited.
    """
    if not any(doc[i].pos_ in {"VERB", "AUX"} or _mistagged_verb(doc[i]) for i in idx):

        def carried(ms: tuple[Mention, ...]) -> tuple[Mention, ...]:
            return tuple(replace(m, inherited=True) for m in ms)

        relation = first.relation
        if part.answer_type is not AnswerType.STATEMENT:
            relation = replace(relation, speaker=None, topic_terms=())
            if first.answer_type is AnswerType.STATEMENT:
                relation = replace(relation, object_terms=first.relation.topic_terms)
        return replace(
            part,
            entities=carried(first.entities) + part.entities,
            numbers=carried(first.numbers) + part.numbers,
            dates=carried(first.dates) + part.dates,
            relation=relation,
            terms=first.terms + tuple(t for t in part.terms if t not in first.terms),
            inherited=("frame", "subject") if first.relation.subject else ("frame",),
        )
    referent = _referent(first)
    if referent is None:
        return part
    own = part.relation.subject
    subject_is_pronoun = own is not None and own.lower() in _THIRD_PERSON_PRONOUNS
    # "which album was named ...": the asking phrase is the subject.
    wh_subject = any(
        doc[i].dep_ in _SUBJECT_DEPS and any(_is_wh(d) for d in doc[i].subtree) for i in idx
    )
    named_subject = (
        own is not None
        and not subject_is_pronoun
        and any(m.start >= 0 and m.text in own for m in part.entities)
    )
    pronoun = any(doc[i].lower_ in _THIRD_PERSON_PRONOUNS and doc[i].pos_ == "PRON" for i in idx)
    takes_subject = subject_is_pronoun or (own is None and not wh_subject)
    # A pronoun elsewhere refers back to the first part, unless the part names its own subject
    # ("which bank does Yukos accuse over the sale of its unit": "its" is Yukos).
    if not takes_subject and not (pronoun and not named_subject):
        return part
    subject_mentions = tuple(
        replace(m, inherited=True) for m in first.entities if not m.inherited and m.text in referent
    )
    entities = part.entities + tuple(m for m in subject_mentions if m not in part.entities)
    relation = part.relation
    inherited = ["subject"]
    if takes_subject:
        relation = replace(relation, subject=referent)
        if part.answer_type is AnswerType.STATEMENT:
            relation = replace(relation, speaker=referent)
            inherited.append("speaker")
    return replace(part, entities=entities, relation=relation, inherited=tuple(inherited))


def _referent(first: QuestionPart) -> str | None:
    """What a later part's "he"/"it" refers to: the first part's subject, or its only name
    ("Who was Sir Anthony Meyer, and what was he known for?")."""
    if first.relation.subject is not None:
        return first.relation.subject
    names = [m for m in first.entities if m.label in {"PERSON", "ORG", "PROPN"} and not m.inherited]
    return names[0].text if len(names) == 1 else None


def _frame_part(
    doc: Doc, idx: list[int], first: QuestionPart, first_idx: list[int]
) -> QuestionPart:
    """ "... and about discrimination": the first part's question, another prepositional object."""
    prep = doc[idx[0]]
    first_members = set(first_idx)
    replaced: set[int] = set()
    for i in first_idx:
        tok = doc[i]
        if tok.pos_ == "ADP" and tok.lower_ == prep.lower_:
            replaced = {d.i for d in tok.subtree if d.i in first_members}
    replaced_terms = set(_content_terms(doc[i] for i in sorted(replaced)))
    new_terms = _content_terms(doc[i] for i in idx)
    entities, numbers, dates = _mentions(doc, idx)
    old_entities, old_numbers, old_dates = _mentions(
        doc, [i for i in first_idx if i not in replaced]
    )

    def keep(ms: list[Mention]) -> tuple[Mention, ...]:
        return tuple(replace(m, inherited=True) for m in ms)

    relation = first.relation
    if first.answer_type is AnswerType.STATEMENT:
        relation = replace(relation, topic_terms=new_terms)
    else:
        kept = tuple(t for t in relation.object_terms if t not in replaced_terms)
        relation = replace(
            relation, object_terms=kept + tuple(t for t in new_terms if t not in kept)
        )
    kept_terms = tuple(t for t in first.terms if t not in replaced_terms)
    seg = doc[idx[0] : idx[-1] + 1]
    return replace(
        first,
        text=seg.text,
        start=seg.start_char,
        end=seg.end_char,
        entities=keep(old_entities) + tuple(entities),
        numbers=keep(old_numbers) + tuple(numbers),
        dates=keep(old_dates) + tuple(dates),
        relation=relation,
        terms=kept_terms + tuple(t for t in new_terms if t not in kept_terms),
        inherited=("frame", "subject") if first.relation.subject else ("frame",),
    )


# --- values in article sentences ---------------------------------------------------------------

# A match score: "21-19", "2-1", "3 - 0" (en dash too); not a year range ("2004-05").
_SCORE = re.compile(r"(?<![\w.£$€-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w%-]|\.\d)")

# Money the NER missed: a currency sign and a number with an optional scale.
_MONEY = re.compile(
    r"[£$€¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:m|bn|k|mn|tn|million|billion|trillion)\b)?"
)

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
            found.append((start, end, ent.label_))
        if answer_type is AnswerType.AMOUNT:
            for m in _MONEY.finditer(text):
                if not any(s < m.end() and m.start() < e for s, e, _ in found):
                    found.append((m.start(), m.end(), "MONEY"))
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
