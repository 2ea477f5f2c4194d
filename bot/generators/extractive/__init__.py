"""The offline default generator: an answer composed of the retrieved passages' own sentences.

No language model beyond the embedder. The passages are cut into sentences, each sentence is
scored against the question, and a few of the best are kept, each cited with its source key:

* **similarity**: cosine of the sentence and question embeddings (one batch for all sentences;
  the vectors are cached and reused by the citation check);
* **keyword coverage**: the share of the question's content words (stemmed, weighted by how rare
  they are among the retrieved sentences) that the sentence contains; once a sentence is chosen the
  words it covers count less, so a two-part question gets a sentence for each part;
* **attribution**, for "what did X say (about Y)" questions: quotes and reported speech by X
  ("X said", "X told reporters", "he added", "the Foreign Secretary warned", quoted text), where
  "he" / "the Foreign Secretary" / "Mr Johnson" are resolved to the most recently named speaker
  of the article.

Near-duplicate sentences (the same story stored twice, overlapping chunks) are removed, the best
sentence of each of the top articles gets a chance (multi-article questions), and the chosen
sentences are given in reading order: by article, then by position in the article.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.encoder import CachedEncoder, Encoder, cached_encoder
from retrieval.text import STOPWORDS, content_terms, normalise, sentence_spans, term_in, word_set

if TYPE_CHECKING:
    from bot.prompts import Prompt
    from bot.settings import Settings
    from bot.types import Source

# --- scoring weights -----------------------------------------------------------------------------
# Tuned by hand and small grid searches on the BBC dev questions and the seed questions, scoring
# the extractive answer's must-mention coverage and citation support on each question's k=6
# hybrid hits (dev script /tmp/ans/tune.py). End point: single 0.84, multi 0.71, seed 1.00
# coverage; support 0.99 / 0.91. The neighbour context mattered most (W_CONTEXT 0 -> 0.7 took
# single coverage from 0.52 to 0.74); a shortlist of 12 embedded sentences scores as well as
# embedding all ~35 of six passages, at a third of the cost.
W_SIMILARITY = 1.0
W_KEYWORDS = 1.0
W_ATTRIBUTION = 0.35
# The sentence supplies what the question asks for: a new name for "who", a figure for "how much".
W_TYPE = 0.3
# Share of the best neighbouring sentence's relevance (answers often follow the lead sentence).
W_CONTEXT = 0.7
# Retrieval rank of the passage: a small prior (the fused ranking saw the whole article).
W_RANK = 0.1
# Once a question word is covered by a chosen sentence, it counts this much for the next ones.
COVERED_WEIGHT = 0.25
# Sentences must score at least this share of the best one's score to be considered at all.
MIN_RELATIVE_SCORE = 0.6
# A top article not yet represented gets its best sentence in if it scores this share of the best.
DIVERSE_MIN_SHARE = 0.75
# How many sentences (the best by the cheap first pass) are embedded and rescored.
SHORTLIST = 12
# The same for each part of a compound question (the whole question's shortlist is reused).
PART_SHORTLIST = 6
# How much an article's coverage of the question's words counts when choosing the main article.
W_ARTICLE_COVERAGE = 2.0
# At most this many articles are quoted in one answer.
DIVERSE_ARTICLES = 3
# Another article is quoted only if it holds this share (by weight) of question words that the
# articles already admitted lack: a two-part question about two stories.
NEW_TERMS_SHARE = 0.5
MAX_SENTENCES = 5
# For "what did X say about Y": Y mentioned only in the narrative around the speech counts this
# much.
OUTSIDE_SPEECH_WEIGHT = 0.5

# --- attribution ---------------------------------------------------------------------------------

_VERBS = (
    "said says say told tells added adds warned warns claimed claims argued argues insisted "
    "insists explained explains stated states admitted admits believes believed noted notes "
    "suggested suggests urged urges described describes accused accuses denied denies confirmed "
    "confirms announced announces defended defends stressed stresses predicted predicts promised "
    "promises revealed reveals maintained maintains conceded concedes acknowledged acknowledges "
    "commented comments continued continues replied replies responded responds hoped hopes wrote "
    "writes thinks thought blamed blames reckons feels felt called calls branded brands "
    "dismissed dismisses criticised criticises praised praises agreed agrees vowed vows "
    "pledged pledges"
)
REPORTING_VERBS = frozenset(_VERBS.split())
_PARTICIPLES = word_set(
    "saying adding warning claiming arguing insisting explaining branding calling describing "
    "accusing telling urging admitting"
)
# The verbs that introduce the words themselves (others, like "defended", only hint at speech).
_SPEECH_VERBS = word_set(
    "said says told tells added adds warned warns insisted insists claimed claims argued argues "
    "explained explains stated states saying adding warning claiming arguing insisting explaining "
    "according to"
) | {"according to"}
_VERB_RE = re.compile(
    r"\b(" + "|".join(sorted(REPORTING_VERBS | _PARTICIPLES, key=len, reverse=True)) + r")\b"
    r"|\baccording to\b",
    re.IGNORECASE,
)
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Prof|Professor|President|Chancellor)\.?"
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_NAME_RE = re.compile(
    rf"\b(?:{_TITLES}\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?"
    rf"|{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[A-Z]\.|de|van|von|al-\w+|bin))*)"
)
_PRONOUN_RE = re.compile(r"\b(he|she|it|they)\b", re.IGNORECASE)
_ROLE_NOUNS = (
    "defender striker midfielder keeper goalkeeper forward winger player star actor actress "
    "singer rapper musician director producer chancellor minister secretary president premier "
    "leader spokesman spokeswoman spokesperson boss manager coach chief executive chairman "
    "chairwoman head firm company group bank club side team band mayor officer analyst "
    "economist official court judge government party union campaigner veteran teenager "
    "youngster champion winner captain founder owner author writer comedian presenter host "
    "governor senator mp candidate commissioner regulator watchdog report study survey"
)
_ROLE_RE = re.compile(
    r"\bthe\s+(?:[\w\-]+\s+){0,2}?(?:\d+-year-old|(?:" + "|".join(_ROLE_NOUNS.split()) + r")s?)\b",
    re.IGNORECASE,
)
_REPORTING_NEXT = re.compile(
    r"\s+(?:has\s+|had\s+|also\s+)?(?:"
    + "|".join(sorted(REPORTING_VERBS, key=len, reverse=True))
    + r")\b"
)
# "is said to have been impressed": passive, nobody is speaking.
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|been|be|being)\s+$", re.IGNORECASE)
# Capitalised words that are not people: sentence openers, months, days, and the like.
_NOT_NAMES = word_set(
    "the a an in on at as but and or so it its this that these those his her their there then "
    "when while after before if yet also however meanwhile monday tuesday wednesday thursday "
    "friday saturday sunday january february march april may june july august september october "
    "november december speaking asked writing talking he she they we i you"
)
_QUESTION_ATTRIBUTION = re.compile(
    r"\b(?:did|does|do|has|have|had|will|would|was|is)\s+(?P<who>.+?)\s+"
    r"(?P<verb>say|said|tell|think|claim|call|warn|argue|reveal|admit|describe|mean|respond|"
    r"react|announce|predict|promise|suggest|believe|insist|deny|blame|accuse|hope|want|"
    r"expect|urge|criticise|praise|agree|plan|propose)\b",
    re.IGNORECASE,
)
_ACCORDING_TO = re.compile(r"\baccording to\s+(?P<who>[^,?]+)", re.IGNORECASE)
_QUOTE_CHARS = '"“”'
# Words of titles and roles: "US President Donald Trump" teaches that "the President" is Trump.
ROLE_WORDS = word_set(
    "president secretary minister chancellor premier leader chairman chairwoman chair chief "
    "executive boss manager coach captain spokesman spokeswoman spokesperson governor mayor "
    "director head general attorney foreign home prime deputy shadow us uk vice senior "
    "commissioner ambassador officer founder judge striker midfielder defender keeper king queen "
    "prince princess pope"
)


@dataclass(frozen=True, slots=True)
class Person:
    """A named speaker: the tokens of the name, lower-cased; the surname is the last one."""

    tokens: tuple[str, ...]

    @property
    def surname(self) -> str:
        return self.tokens[-1]

    def matches(self, other: Person) -> bool:
        return self.surname in other.tokens or other.surname in self.tokens


def _person(name: str) -> Person | None:
    words = [w.strip(".'’").lower() for w in name.split()]
    words = [w.removesuffix("'s") for w in words if w]
    titles = {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "professor"}
    words = [w for w in words if w not in titles]
    if not words or (words[0] in _NOT_NAMES and len(words) == 1):
        return None
    return Person(tuple(words))


def question_people(question: str) -> list[Person]:
    """The people (or bodies) whose words an attribution question asks about."""
    who = None
    m = _QUESTION_ATTRIBUTION.search(question)
    if m:
        who = m.group("who")
    else:
        m2 = _ACCORDING_TO.search(question)
        if m2:
            who = m2.group("who")
    if not who:
        return []
    # "Microsoft's Mike Nash" -> "Mike Nash"; "Middlesbrough mayor Ray Mallon" -> "Ray Mallon".
    people = []
    for part in re.split(r"\s+(?:and|&)\s+|,\s*", who):
        runs = re.findall(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*", part.split("'s ")[-1])
        runs = [r for r in runs if r.split()[0].lower() not in _NOT_NAMES or len(r.split()) > 1]
        if runs:
            person = _person(runs[-1])
            if person:
                people.append(person)
    return people


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for m in re.finditer(r"[\"“]([^\"“”]*)[\"”]", text):
        regions.append((m.start(), m.end()))
    return regions


def _mentions(sentence: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, text) of names, pronouns and role nouns outside quotes."""
    quoted = _quoted_regions(sentence)

    def outside(a: int) -> bool:
        return not any(x <= a < y for x, y in quoted)

    found: list[tuple[int, int, str, str]] = []
    for m in _NAME_RE.finditer(sentence):
        first = m.group(0).split()[0].lower()
        if first in _NOT_NAMES and len(m.group(0).split()) == 1:
            continue
        if m.group(0).lower() in REPORTING_VERBS:
            continue
        if not outside(m.start()):
            continue
        start, words = m.start(), m.group(0).split()
        if start == 0 and len(words) == 1 and not _REPORTING_NEXT.match(sentence, m.end()):
            # "Early talks have ...": a capitalised first word is not a name on its own,
            # unless a reporting verb follows ("Dunne said").
            continue
        led_by_the = False
        # "But Mr Johnson", "The Foreign Secretary": leading function words are not the name.
        while words and words[0].lower() in _NOT_NAMES:
            led_by_the = led_by_the or words[0].lower() == "the"
            start = sentence.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        if not words:
            continue
        # "the Foreign Secretary", "the President": a role, resolved like a pronoun.
        led_by_the = led_by_the or bool(
            re.search(r"\bthe\s+$", sentence[max(0, start - 5) : start], re.IGNORECASE)
        )
        all_roles = all(w.lower() in ROLE_WORDS for w in words)
        kind = "role" if led_by_the or all_roles else "name"
        found.append((start, m.end(), kind, " ".join(words)))
    for m in _PRONOUN_RE.finditer(sentence):
        if outside(m.start()):
            found.append((m.start(), m.end(), "pronoun", m.group(0)))
    for m in _ROLE_RE.finditer(sentence):
        if outside(m.start()) and not any(a <= m.start() < b for a, b, _, _ in found):
            found.append((m.start(), m.end(), "role", m.group(0)))
    found.sort()
    return found


def _speaker_mention(sentence: str) -> tuple[str, str] | None:
    """(kind, text) of who a sentence reports as speaking, or None."""
    verbs = [
        m
        for m in _VERB_RE.finditer(sentence)
        if not _in_quote(sentence, m.start())
        and not _PASSIVE_BEFORE.search(sentence[max(0, m.start() - 8) : m.start()])
    ]
    if not verbs:
        return None
    mentions = _mentions(sentence)
    if not mentions:
        return None
    for v in verbs:
        word = v.group(0).lower()
        if word in _PARTICIPLES:
            # ", saying ..." belongs to the sentence's subject: its first mention.
            before = [m for m in mentions if m[1] <= v.start()]
            if before:
                return before[0][2], before[0][3]
            continue
        if word == "according to":
            after = [m for m in mentions if m[0] >= v.end() and m[0] - v.end() <= 3]
            if after:
                return after[0][2], after[0][3]
            continue
        # Subject right before the verb ("Mr Johnson added", "Boris Johnson has warned",
        # "the Foreign Secretary said"), allowing an auxiliary or adverb in between.
        gap = r"\s*(?:,[^,]{1,70},)?\s*(?:(?:has|had|have|also|then|later|previously|again|was|is|"
        gap += r"once|had\s+previously|further)\s+)*$"
        for _start, end, kind, text in reversed(mentions):
            if end <= v.start() and re.match(gap, sentence[end : v.start()]):
                return kind, text
        # Inverted after a quote: '"...," said Mr Brown.' / 'said the chancellor'.
        for start, _end, kind, text in mentions:
            if start >= v.end() and re.fullmatch(r"\s*", sentence[v.end() : start]):
                return kind, text
        # Otherwise the sentence's subject, its first mention ("He was threatened by Kevin
        # Keegan but has since responded ..." is about "he", not Keegan).
        before = [m for m in mentions if m[1] <= v.start()]
        if before:
            return before[0][2], before[0][3]
    return None


def _speech_text(sentence: str) -> str:
    """The part of a sentence that reports speech: quotes, and the clause the verb introduces.

    '..., saying that it was important X' -> after the verb; 'Senior officers could face
    sanctions, Boris Johnson has warned.' -> before it (the verb ends the sentence).
    """
    parts = [sentence[a:b] for a, b in _quoted_regions(sentence)]
    verbs = [m for m in _VERB_RE.finditer(sentence) if not _in_quote(sentence, m.start())]
    if verbs:
        core = [m for m in verbs if m.group(0).lower() in _SPEECH_VERBS]
        v = (core or verbs)[0]
        if v.end() >= 0.7 * len(sentence.rstrip(" .")):
            parts.append(sentence[: v.start()])
        else:
            parts.append(sentence[v.end() :])
    elif not parts:
        return sentence
    return " ".join(parts)


def _in_quote(text: str, pos: int) -> bool:
    return any(a <= pos < b for a, b in _quoted_regions(text))


def _has_quote(text: str) -> bool:
    return any(c in text for c in _QUOTE_CHARS)


# --- candidates ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """A sentence of a retrieved passage."""

    text: str
    key: int  # source key of the passage it was taken from
    article_id: str
    article_rank: int  # order of the article's first hit
    position: int  # offset in the article body (Hit.start + offset in the chunk)
    hit_rank: int
    speaker: Person | None = None
    quoted: bool = False
    reported: bool = False
    terms: frozenset[str] = frozenset()
    # Content words of what is reported as said (quotes, the clause after "said"): for "what did
    # X say about Y", Y must be in the speech, not in the narrative around it.
    speech_terms: frozenset[str] = frozenset()


def _looks_complete_start(text: str) -> bool:
    ch = text[0]
    return ch.isupper() or ch.isdigit() or ch in "\"“‘'(£$€"


def _looks_complete_end(text: str) -> bool:
    return text.rstrip()[-1] in ".!?\"”’')…:"


_CANDIDATE_CACHE: OrderedDict[tuple[tuple[int, str, int], ...], list[Candidate]] = OrderedDict()
_CANDIDATE_LOCK = threading.Lock()


def _cached_candidates(sources: Sequence[Source]) -> list[Candidate]:
    """``candidates_from``, remembered for the last few source lists (one answer scores the same
    passages several times: abstention, selection, each part of a compound question)."""
    key = tuple((s.key, s.hit.chunk_id, len(s.hit.text)) for s in sources)
    with _CANDIDATE_LOCK:
        found = _CANDIDATE_CACHE.get(key)
        if found is not None:
            _CANDIDATE_CACHE.move_to_end(key)
            return found
    made = candidates_from(sources)
    with _CANDIDATE_LOCK:
        _CANDIDATE_CACHE[key] = made
        while len(_CANDIDATE_CACHE) > 16:
            _CANDIDATE_CACHE.popitem(last=False)
    return made


def candidates_from(sources: Sequence[Source]) -> list[Candidate]:
    """Every whole sentence of the passages once, in article order, with speakers resolved."""
    by_article: dict[str, list[tuple[int, int, str, int, int]]] = {}
    article_rank: dict[str, int] = {}
    titles: dict[str, str] = {}
    for rank, src in enumerate(sources):
        hit = src.hit
        article_rank.setdefault(hit.article_id, len(article_rank))
        titles.setdefault(hit.article_id, hit.title)
        spans = sentence_spans(hit.text)
        for i, span in enumerate(spans):
            text = hit.text[span.start : span.end]
            # A chunk may begin or end mid-sentence; such fragments are skipped (the overlapping
            # neighbour chunk, when retrieved, holds the whole sentence).
            if i == 0 and hit.start > 0 and not _looks_complete_start(text):
                continue
            if i == len(spans) - 1 and not span.paragraph_end and not _looks_complete_end(text):
                continue
            if i == len(spans) - 1 and not _looks_complete_end(text) and len(text) > 200:
                continue
            pos = hit.start + span.start
            by_article.setdefault(hit.article_id, []).append(
                (pos, pos + len(text), text, src.key, rank)
            )

    out: list[Candidate] = []
    for article_id, rows in by_article.items():
        rows.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[4]))
        kept: list[tuple[int, int, str, int, int]] = []
        for row in rows:
            # Overlapping chunks repeat sentences: keep one copy (from the best-ranked passage),
            # and drop any piece contained in a sentence already kept.
            same = [k for k in kept if k[0] <= row[0] and row[1] <= k[1]]
            if same:
                continue
            kept.append(row)
        salient = _salient_person(titles[article_id], [r[2] for r in kept])
        last_speaker: Person | None = salient
        previous: Person | None = None  # the speaker of the sentence before
        paragraph_speaker: Person | None = None
        roles: dict[str, Person] = {}
        _learn_roles(titles[article_id], roles)
        for pos, _end, text, key, rank in kept:
            cand = Candidate(
                text=text,
                key=key,
                article_id=article_id,
                article_rank=article_rank[article_id],
                position=pos,
                hit_rank=rank,
                quoted=_has_quote(text),
            )
            _learn_roles(text, roles)
            mention = _speaker_mention(text)
            speaker: Person | None = None
            if mention:
                kind, mtext = mention
                cand.reported = True
                if kind == "name":
                    speaker = _person(mtext)
                    if speaker:
                        last_speaker = speaker
                elif kind == "role":
                    # "the Foreign Secretary said": a role seen with a name, else whoever spoke
                    # just before, else the article's main person.
                    speaker = _resolve_role(mtext, roles) or previous or salient
                elif mtext.lower() in ("it", "they"):
                    speaker = last_speaker
                else:
                    speaker = previous or salient
            elif cand.quoted and text.lstrip()[0] in '"“':
                # A quotation with no attribution of its own continues the last speaker's words.
                speaker = paragraph_speaker or last_speaker
            elif cand.quoted:
                # 'Mr Mallon provoked fury by branding the campaign "two-bit Tories"': the
                # sentence's subject is the one quoted.
                names = [m for m in _mentions(text) if m[2] == "name"]
                if names and names[0][0] <= 3:
                    speaker = _person(names[0][3])
                    cand.reported = speaker is not None
            cand.speaker = speaker
            previous = speaker
            if speaker:
                paragraph_speaker = speaker
            cand.terms = frozenset(content_terms(text))
            cand.speech_terms = frozenset(content_terms(_speech_text(text)))
            out.append(cand)
    return out


_NOT_PEOPLE = word_set(
    "city united street park club party council bank group corp corporation ltd inc plc fc "
    "association commission ministry office government news bbc house league cup union court "
    "committee department agency board company airlines airways motors university college "
    "school hospital police service services church museum festival awards academy society "
    "institute foundation fund trust exchange market markets stock times post telegraph "
    "guardian journal press radio tv records studios pictures network networks europe america "
    "africa asia kingdom republic states nations islands road square hall centre center "
    "stadium palace north south east west new old great royal national international "
    "federal world global"
)


def _is_personal(name: str) -> bool:
    words = [w.lower().strip(".'’") for w in name.split()]
    return bool(words) and not any(w in _NOT_PEOPLE for w in words)


def _salient_person(title: str, sentences: Sequence[str]) -> Person | None:
    """The article's main person: the most mentioned surname (title mentions count double)."""
    counts: dict[str, float] = {}
    longest: dict[str, Person] = {}
    for text in sentences:
        for _s, _e, kind, mtext in _mentions(text):
            if kind != "name" or not _is_personal(mtext):
                continue
            person = _person(mtext)
            if person is None:
                continue
            counts[person.surname] = counts.get(person.surname, 0.0) + 1.0
            if len(person.tokens) > len(longest.get(person.surname, Person(())).tokens):
                longest[person.surname] = person
    title_words = {w.lower().strip(".'’").removesuffix("'s") for w in title.split()}
    for surname in counts:
        if surname in title_words:
            counts[surname] += 2.0
    # A single mention is no evidence of who the article is about.
    best = max(counts, key=lambda k: counts[k], default=None)
    if best is None or counts[best] < 2:
        return None
    return longest[best]


def _learn_roles(text: str, roles: dict[str, Person]) -> None:
    """Learn "Role Words Firstname Surname" ("US President Donald Trump") as role -> person."""
    for m in _NAME_RE.finditer(text):
        words = m.group(0).split()
        role = [w for w in words if w.lower() in ROLE_WORDS]
        rest = [w for w in words if w.lower() not in ROLE_WORDS]
        if role and rest and words[: len(role)] == role:
            person = _person(" ".join(rest))
            if person:
                roles[" ".join(w.lower() for w in role if w.lower() not in {"us", "uk"})] = person


def _resolve_role(mention: str, roles: dict[str, Person]) -> Person | None:
    words = [w.lower() for w in mention.split() if w.lower() not in {"the", "us", "uk"}]
    key = " ".join(words)
    if key in roles:
        return roles[key]
    # "the President" also matches a role learned as "vice president"? No: only an exact role.
    return None


# --- selection -----------------------------------------------------------------------------------

_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred hundreds thousand thousands million millions billion billions bn m half quarter "
    "double twice times first second third fourth fifth"
)
_NUMBER_RE = re.compile(
    r"[£$€]\s?\d|\d+(?:[.,]\d+)*\s?(?:%|bn|m\b|per\s?cent)?|\b(?:"
    + "|".join(_NUMBER_WORDS.split())
    + r")\b",
    re.IGNORECASE,
)
_TIME_RE = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
    r"tomorrow|week|weeks|month|months|year|years|weekend|spring|summer|autumn|winter|"
    r"(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_REASON_RE = re.compile(
    r"\b(?:because|after|due to|as a result|amid|following|in order to|so that|since|over|"
    r"reason|blamed|caused|led to|in response|means|meant|aimed|intended|would|could|said|says|"
    r"argued|claimed|felt)\b",
    re.IGNORECASE,
)
_Q_NUMBER = re.compile(
    r"\b(?:how\s+(?:much|many|fast|little|badly|long|old|big|far|often|high|low)|"
    r"what\s+(?:level|time|score|scores|fine|price|percentage|rate|increase|age|figure|amount|"
    r"sum|salary)|by\s+what|how\s+much)\b",
    re.IGNORECASE,
)
_Q_PERSON = re.compile(r"\b(?:who|whom|whose)\b", re.IGNORECASE)
_Q_NAME = re.compile(
    r"\b(?:which|what)\s+(?:new\s+)?(?:[A-Z]\w*\s+)?(?:company|companies|firm|bank|team|"
    r"club|city|country|laptop|album|film|project|authorities|authority|artists?|band|player|"
    r"players|act|acts|book|show|party|group|body|organisation|product|brand|song|bidder|rival)\b"
    r"|\bname\b",
    re.IGNORECASE,
)
_Q_PLACE = re.compile(r"\bwhere\b", re.IGNORECASE)
_Q_TIME = re.compile(r"\b(?:when|what\s+(?:date|year|day|month))\b", re.IGNORECASE)
_Q_REASON = re.compile(
    r"\b(?:why|for\s+what\s+reason|how\s+did|how\s+is|how\s+are)\b", re.IGNORECASE
)


def answer_types(question: str) -> list[str]:
    """What kind of information the question asks for (a two-part question may ask for two)."""
    kinds = []
    if _Q_PERSON.search(question):
        kinds.append("person")
    if _Q_NAME.search(question):
        kinds.append("name")
    if _Q_NUMBER.search(question):
        kinds.append("number")
    if _Q_PLACE.search(question):
        kinds.append("place")
    if _Q_TIME.search(question):
        kinds.append("time")
    if _Q_REASON.search(question):
        kinds.append("reason")
    return kinds


def _new_names(text: str, question_words: set[str]) -> int:
    count = 0
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’\-]+", text):
        word = m.group(0).lower().removesuffix("'s").removesuffix("’s")
        if word in _NOT_NAMES or word in STOPWORDS or word in question_words:
            continue
        count += 1
    return count


def _new_numbers(text: str, question: str) -> int:
    q = {m.group(0).lower() for m in _NUMBER_RE.finditer(question)}
    return sum(1 for m in _NUMBER_RE.finditer(text) if m.group(0).lower() not in q)


def type_match(text: str, kinds: Sequence[str], question: str, question_words: set[str]) -> float:
    """Share of the question's answer types that the sentence supplies (new names, figures...)."""
    if not kinds:
        return 0.0
    got = 0.0
    for kind in kinds:
        if kind in ("person", "name", "place"):
            got += min(1.0, _new_names(text, question_words) / 2)
        elif kind == "number":
            got += min(1.0, _new_numbers(text, question) / 1)
        elif kind == "time":
            got += 1.0 if _TIME_RE.search(text) else 0.0
        elif kind == "reason":
            got += 0.5 if _REASON_RE.search(text) else 0.0
    return got / len(kinds)


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: float
    similarity: float
    keywords: float
    attribution: float
    answer_type: float = 0.0
    context: float = 0.0


def _weights(question_terms: list[str], candidates: Sequence[Candidate]) -> dict[str, float]:
    """IDF of each question word among the retrieved sentences (rare there = informative)."""
    n = len(candidates)
    weights: dict[str, float] = {}
    for term in dict.fromkeys(question_terms):
        df = sum(1 for c in candidates if term_in(term, c.terms))
        weights[term] = math.log(1.0 + (n + 1) / (df + 1))
    return weights


def _coverage(
    cand: Candidate, weights: dict[str, float], covered: set[str], speech: bool = False
) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in weights.items():
        if term_in(term, cand.terms):
            if speech and not term_in(term, cand.speech_terms):
                w *= OUTSIDE_SPEECH_WEIGHT
            got += w * (COVERED_WEIGHT if term in covered else 1.0)
    return got / total


def _question_terms(question: str, people: Sequence[Person]) -> list[str]:
    terms = [t for t in content_terms(question) if not _is_name_of(t, people)]
    return terms or content_terms(question)


@dataclass
class ExtractiveGenerator:
    # The embedding model, or (from the core) the cache of sentence vectors it shares with the
    # citation check.
    embeddings: Encoder
    max_words: int = 120
    name: str = "extractive"
    encoder: CachedEncoder = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.encoder = cached_encoder(self.embeddings)

    def generate(
        self, question: str, sources: Sequence[Source], prompt: Prompt | None = None
    ) -> str:
        del prompt  # the extractive answer has no prompt; the core records the prompt id anyway
        chosen = self.select(question, sources)
        return " ".join(f"{s.candidate.text} [{s.candidate.key}]" for s in chosen)

    def score(
        self, question: str, sources: Sequence[Source], shortlist: int | None = None
    ) -> list[Scored]:
        """Every candidate sentence with its score (before diversity and the word budget).

        Embedding every sentence of six passages costs more than the rest of an answer together
        (~40 sentences: 250 ms on two idle cores), so it is done in two passes: every sentence is
        first scored with its passage's similarity to the question (free: retrieval computed it),
        then the ``SHORTLIST`` best are embedded in one batch and rescored with their own.
        """
        candidates = _cached_candidates(sources)
        if not candidates:
            return []
        people = question_people(question)
        weights = _weights(_question_terms(question, people), candidates)
        kinds = answer_types(question)
        q_words = {w.lower().removesuffix("'s") for w in re.findall(r"[\w'’\-]+", question)}
        passage_sim = _passage_similarities(sources)
        features: list[tuple[float, float, float]] = []
        sims: list[float] = []
        for cand in candidates:
            attribution = _attribution(cand, people)
            kw = _coverage(cand, weights, set(), speech=bool(people))
            kind = type_match(cand.text, kinds, question, q_words)
            features.append((kw, attribution, kind))
            sims.append(passage_sim.get(cand.key, 0.0))
        first = self._combine(candidates, sims, features)
        size = SHORTLIST if shortlist is None else shortlist
        if size:
            encoder = self.encoder
            # Sentences embedded earlier (for this question's other part, say) come for free.
            known = encoder.cached([c.text for c in candidates])
            order = sorted(range(len(candidates)), key=lambda i: -first[i].score)[:size]
            order += [i for i, c in enumerate(candidates) if c.text in known and i not in order]
            vectors = encoder.encode([question, *(candidates[i].text for i in order)])
            fresh = {i: float(sim) for i, sim in zip(order, vectors[1:] @ vectors[0], strict=True)}
            # Sentences left out keep a similarity no higher than the lowest embedded one, so the
            # two scales never mix in their favour.
            floor = min(fresh.values())
            sims = [fresh.get(i, min(sim, floor)) for i, sim in enumerate(sims)]
            return self._combine(candidates, sims, features)
        return first

    @staticmethod
    def _combine(
        candidates: Sequence[Candidate],
        sims: Sequence[float],
        features: Sequence[tuple[float, float, float]],
    ) -> list[Scored]:
        base = [
            W_SIMILARITY * sim + W_KEYWORDS * kw
            for sim, (kw, _, _) in zip(sims, features, strict=True)
        ]
        scored = []
        for i, cand in enumerate(candidates):
            # The sentence next to a relevant one often holds the answer ("... Henry will be named
            # World Player of the Year." -> "He is on the shortlist with Ronaldinho and ...").
            neighbours = [
                base[j]
                for j in (i - 1, i + 1)
                if 0 <= j < len(candidates) and candidates[j].article_id == cand.article_id
            ]
            context = max(neighbours, default=0.0)
            kw, attribution, kind = features[i]
            score = (
                base[i]
                + W_ATTRIBUTION * attribution
                + W_TYPE * kind
                + W_CONTEXT * context
                + W_RANK / (1.0 + cand.hit_rank)
            )
            scored.append(Scored(cand, score, sims[i], kw, attribution, kind, context))
        return scored

    def select(self, question: str, sources: Sequence[Source]) -> list[Scored]:
        """The sentences of the answer, in reading order.

        A compound question whose parts each name their subject and are best answered by
        different articles ("How much did Howard earmark, and what was Brown expected to do?")
        is answered part by part, each with its share of the word budget.
        """
        chosen = self._select(question, sources, self.max_words)
        parts = split_question(question)
        if not chosen or not parts:
            return chosen
        budget = self.max_words // len(parts)
        per_part = [self._select(part, sources, budget, PART_SHORTLIST) for part in parts]
        mains = {max(sel, key=lambda s: s.score).candidate.article_id for sel in per_part if sel}
        standalone = all(question_names(part) for part in parts)
        if standalone and len(mains) > 1:
            # Parts that each name their subject and are answered by different articles: a
            # question about two stories, answered part by part, the parts taking turns at the
            # word budget. (A part that refers back, "who else was shortlisted?", is about the
            # same story.)
            queues = [
                sorted(
                    self._select(part, sources, self.max_words, PART_SHORTLIST),
                    key=lambda s: -s.score,
                )
                for part in parts
            ]
            merged: list[Scored] = []
            used = 0
            # Turn by turn, so that no part spends the budget the others need.
            while any(queues):
                for queue in queues:
                    while queue:
                        s = queue.pop(0)
                        if any(_same_words(s.candidate, c.candidate) for c in merged):
                            continue
                        if merged and used + _word_count(s.candidate.text) > self.max_words:
                            continue
                        merged.append(s)
                        used += _word_count(s.candidate.text)
                        break
            return _reading_order(merged)
        return chosen

    def _select(
        self,
        question: str,
        sources: Sequence[Source],
        max_words: int,
        shortlist: int | None = None,
    ) -> list[Scored]:
        scored = self.score(question, sources, shortlist)
        if not scored:
            return []
        people = question_people(question)
        weights = _weights(_question_terms(question, people), [s.candidate for s in scored])

        chosen: list[Scored] = []
        covered: set[str] = set()
        words = 0
        first_score = max(s.score for s in scored)

        def gain(s: Scored) -> float:
            # The score, with question words already covered by chosen sentences counting less.
            kw_now = _coverage(s.candidate, weights, covered, speech=bool(people))
            return s.score - W_KEYWORDS * (s.keywords - kw_now)

        def is_repeat(s: Scored) -> bool:
            return any(_same_words(s.candidate, c.candidate) for c in chosen)

        # Which articles may be quoted: the best one, plus another only when it covers question
        # words the ones admitted lack (a two-article question); its best sentence then gets in.
        article_best: dict[str, Scored] = {}
        article_terms: dict[str, set[str]] = {}
        for s in scored:
            a = s.candidate.article_id
            article_terms.setdefault(a, set()).update(s.candidate.terms)
            if a not in article_best or s.score > article_best[a].score:
                article_best[a] = s
        total = sum(weights.values()) or 1.0
        keys = [_name_key(n) for n in question_names(question)]
        article_text: dict[str, str] = {}
        for s in scored:
            a = s.candidate.article_id
            article_text[a] = article_text.get(a, "") + " " + normalise(s.candidate.text).lower()

        def article_rank(best_of: Scored) -> float:
            # The article that holds the question's words and names, not just its best sentence:
            # "Ireland's 21-19 win over Argentina" is not the report of the South Africa game.
            a = best_of.candidate.article_id
            terms = frozenset(article_terms[a])
            cover = sum(w for t, w in weights.items() if term_in(t, terms)) / total
            absent = sum(1 for k in keys if not _mentions_word(article_text[a], k))
            return best_of.score * (1.0 + W_ARTICLE_COVERAGE * cover) * NAME_PENALTY**absent

        ranked = sorted(article_best.values(), key=lambda s: -article_rank(s))
        admitted = [ranked[0]]
        known = {
            t
            for t in weights
            if term_in(t, frozenset(article_terms[ranked[0].candidate.article_id]))
        }
        for best_of in ranked[1:]:
            if len(admitted) >= DIVERSE_ARTICLES:
                break
            if best_of.score < DIVERSE_MIN_SHARE * first_score:
                continue
            terms = frozenset(article_terms[best_of.candidate.article_id])
            new = {t for t in weights if t not in known and term_in(t, terms)}
            if sum(weights[t] for t in new) / total >= NEW_TERMS_SHARE:
                admitted.append(best_of)
                known |= new
        allowed = {s.candidate.article_id for s in admitted}
        top_articles = admitted[1:]

        remaining = [
            s
            for s in scored
            if s.score >= MIN_RELATIVE_SCORE * first_score and s.candidate.article_id in allowed
        ]
        while remaining and len(chosen) < MAX_SENTENCES:
            remaining = [s for s in remaining if not is_repeat(s)]
            fits = [
                s
                for s in remaining
                if not chosen or words + _word_count(s.candidate.text) <= max_words
            ]
            if not fits:
                break
            best = max(fits, key=gain)
            represented = {c.candidate.article_id for c in chosen}
            for top in top_articles:
                if (
                    chosen
                    and top.candidate.article_id not in represented
                    and top in fits
                    and top.score >= DIVERSE_MIN_SHARE * first_score
                ):
                    best = top
                    break
            chosen.append(best)
            words += _word_count(best.candidate.text)
            covered.update(t for t in weights if term_in(t, best.candidate.terms))
            remaining.remove(best)

        return _reading_order(chosen)


def _reading_order(chosen: list[Scored]) -> list[Scored]:
    """Articles in the order of their best chosen sentence, then by position in the article."""
    first_pick: dict[str, int] = {}
    for i, s in enumerate(sorted(chosen, key=lambda s: -s.score)):
        first_pick.setdefault(s.candidate.article_id, i)
    return sorted(chosen, key=lambda s: (first_pick[s.candidate.article_id], s.candidate.position))


def _passage_similarities(sources: Sequence[Source]) -> dict[int, float]:
    """Each passage's cosine similarity to the question, from retrieval (keyword-only hits, which
    have none, get the lowest one seen)."""
    known = [s.hit.dense_score for s in sources if s.hit.dense_score is not None]
    floor = min(known) if known else 0.0
    return {s.key: (s.hit.dense_score if s.hit.dense_score is not None else floor) for s in sources}


def _is_name_of(term: str, people: Sequence[Person]) -> bool:
    """Words of the speaker's name are matched by attribution, not as keywords."""
    return any(term in {_stem_simple(t) for t in p.tokens} for p in people)


def _stem_simple(word: str) -> str:
    terms = content_terms(word)
    return terms[0] if terms else word


def _attribution(cand: Candidate, people: Sequence[Person]) -> float:
    if not people:
        return 0.0
    if cand.speaker is not None and any(p.matches(cand.speaker) for p in people):
        return 1.0 if (cand.quoted or cand.reported) else 0.5
    if cand.speaker is None and (cand.quoted or cand.reported):
        return 0.0
    # Someone else's words: not what the question asks for.
    return -0.3 if cand.speaker is not None else 0.0


def _word_count(text: str) -> int:
    return len(text.split())


def _same_words(a: Candidate, b: Candidate) -> bool:
    if not a.terms or not b.terms:
        return False
    inter = len(a.terms & b.terms)
    return inter / min(len(a.terms), len(b.terms)) >= 0.85


def build_extractive_generator(settings: Settings, embeddings: Encoder) -> ExtractiveGenerator:
    return ExtractiveGenerator(embeddings, max_words=settings.answer.answer_max_words)


# Re-exported for tests and the REPL.
__all__ = [
    "STOPWORDS",
    "Candidate",
    "ExtractiveGenerator",
    "Person",
    "Scored",
    "build_extractive_generator",
    "candidates_from",
    "normalise",
    "question_people",
]


# --- compound questions --------------------------------------------------------------------------

_SPLIT_CLAUSE = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|whose|how|why|where|when|by\s+what|at\s+what|"
    r"for\s+how)\b)",
    re.IGNORECASE,
)
_SPLIT_NAMES = re.compile(r"\b([A-Z][\w'’\-]*) and ([A-Z][\w'’\-]*)\b")
_SPLIT_PREPOSITION = re.compile(
    r",?\s+and\s+(about|against|at|on|over|for|in|with)\s+", re.IGNORECASE
)


def split_question(question: str) -> list[str]:
    """The parts of a compound question, each standing alone; ``[]`` for a simple one.

    "Who did X appoint, and how badly had the business been losing customers?" -> two questions;
    "What did Howard say about truancy and about positive discrimination?" -> "... about truancy?"
    and "What did Howard say about positive discrimination?".
    """
    text = question.strip().rstrip("?").strip()
    pieces = _SPLIT_CLAUSE.split(text)
    if len(pieces) < 2:
        m = _SPLIT_PREPOSITION.search(text)
        if not m:
            # "Ireland beat Argentina and Italy": one question per name.
            pair = _SPLIT_NAMES.search(text)
            if not pair or pair.start() == 0 or _capitalised_around(text, pair.start(), pair.end()):
                return []
            return [
                text[: pair.start()] + name + text[pair.end() :] + "?"
                for name in (pair.group(1), pair.group(2))
            ]
        first = text[: m.start()]
        prep = m.group(1)
        cut = first.lower().rfind(f" {prep.lower()} ")
        if cut < 0:
            return []
        pieces = [first, first[: cut + 1] + prep + " " + text[m.end() :]]
    parts = [p.strip() for p in pieces if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    return [p[0].upper() + p[1:] + "?" for p in parts]


def _capitalised_around(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word touches the span ("Theresa May and Donald Trump")."""
    before = text[:start].split()[-1:] or [""]
    after = text[end:].split()[:1] or [""]
    return bool(before[0][:1].isupper() or after[0][:1].isupper())


# --- answerability (the core's abstention test) --------------------------------------------------

# Words that name the kind of answer, not a thing the articles must mention ("what level").
_ANSWER_KIND_WORDS = word_set(
    "level time times score scores kind sort type way extent amount number figure date year day "
    "month reason role part percentage proportion share"
)
# Sentences either side of a sentence that count with it when judging answerability.
WINDOW = 1
# Each word of the asked-for thing ("salary") missing from the window multiplies its score by this.
FOCUS_PENALTY = 0.5
# Each name of the question (its last word) missing from the window multiplies it by this.
NAME_PENALTY = 0.7
_AUX = r"(?:did|does|do|has|have|had|will|would|was|were|is|are|can|could|should|might)"
_FOCUS_PATTERNS = (
    # "What was the weather like ...", "What is the exact text of ...", "What was the launch price
    # of ..." -> the noun phrase after "what is the".
    re.compile(
        r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+|a\s+|an\s+)?"
        r"(?P<np>(?:[a-z][\w\-]*\s+){0,3}?[a-z][\w\-]*)\s+(?:of|like|for|in|at|on|that|which)\b",
        re.IGNORECASE,
    ),
    # "What salary will ...", "What agreement on climate change did ...", "Which city won ...",
    # "How much damage did ...": the noun the question asks for.
    re.compile(
        r"^\s*(?:what|which|how\s+much|how\s+many)\s+(?P<np>[a-z][\w\-]*)\s+"
        rf"(?:{_AUX}\b|on\b|[a-z]+ed\b|won\b)",
        re.IGNORECASE,
    ),
    # "Who was named as Sir Alex Ferguson's successor": the role asked about.
    re.compile(r"\bas\s+(?:[A-Z][\w\-]*\s+){1,4}?[A-Z][\w\-]*['’]s\s+(?P<np>[a-z][\w\-]*)"),
)


def question_focus(question: str) -> list[str]:
    """Content words of the thing a question asks for ("weather", "salary", "population")."""
    for pattern in _FOCUS_PATTERNS:
        m = pattern.search(question)
        if m:
            words = [w for w in m.group("np").split() if w.lower() not in _ANSWER_KIND_WORDS]
            return content_terms(" ".join(words))
    return []


def question_names(question: str) -> list[str]:
    """Proper names of a question: runs of capitalised words after its first word, with a number
    that belongs to the name ("PlayStation 3", "Live 8")."""
    names = []
    for m in re.finditer(
        r"(?<![\w'’])([A-Z][\w'’\-&]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’\-&]*)*)(\s+\d+\b)?",
        question,
    ):
        if m.start() == 0 and not m.group(2):
            # The question's first word is capitalised anyway ("What", "Who", "Name").
            rest = m.group(1).split()[1:]
            if not rest:
                continue
            run = " ".join(rest)
        else:
            run = m.group(1) + (m.group(2) or "")
        words = [w.removesuffix("'s").removesuffix("’s") for w in run.split()]
        words = [w for w in words if w.lower() not in STOPWORDS and w.lower() not in _NOT_NAMES]
        if words:
            names.append(" ".join(words))
    return names


def _name_key(name: str) -> str:
    """The word of a name that must appear: its last (a surname, "Committee", "3" with its word)."""
    words = name.split()
    if len(words) >= 2 and words[-1].isdigit():
        return " ".join(words[-2:]).lower()
    return words[-1].lower()


@dataclass(frozen=True, slots=True)
class Answerability:
    """How well the retrieved passages can answer a question, and why not when they cannot."""

    score: float
    reason: str = ""


def answerability(
    question: str, scored: Sequence[Scored], sources: Sequence[Source]
) -> Answerability:
    """The best window of sentences, scored on what the question asks for.

    * A proper noun of the question that no retrieved passage mentions ("Brazil", "YouTube")
      means the articles are about something else: score -inf.
    * Otherwise each window (a sentence and its neighbours in the article) gets the share of the
      question's content words it contains (weighted by rarity among the retrieved sentences),
      halved for each word of the asked-for thing ("weather", "salary") it lacks, plus the best
      sentence's similarity to the question, halved (at most 1). The best window's score is
      compared with ``MIN_RELEVANCE`` by the core.
    """
    if not scored:
        return Answerability(float("-inf"), "no passage retrieved")
    corpus = " ".join(normalise(src.hit.title + "\n" + src.hit.text).lower() for src in sources)
    names = question_names(question)
    keys = [_name_key(n) for n in names]
    missing = [n for n, key in zip(names, keys, strict=True) if not _mentions_word(corpus, key)]
    if missing:
        return Answerability(
            float("-inf"), "the articles never mention " + ", ".join(repr(n) for n in missing)
        )
    cands = [s.candidate for s in scored]
    weights = _weights(content_terms(question), cands)
    focus = question_focus(question)
    total = sum(weights.values()) or 1.0
    best = float("-inf")
    best_reason = ""
    for i, s in enumerate(scored):
        window = [
            cands[j]
            for j in range(i - WINDOW, i + WINDOW + 1)
            if 0 <= j < len(cands) and cands[j].article_id == s.candidate.article_id
        ]
        terms = frozenset().union(*(c.terms for c in window))
        got = sum(w for t, w in weights.items() if term_in(t, terms))
        lacking = [t for t in focus if not term_in(t, terms)]
        text = " ".join(normalise(c.text).lower() for c in window)
        absent = [k for k in keys if not _mentions_word(text, k)]
        # Halved so that the score, like a cosine, is at most 1.
        value = (
            (got / total + s.similarity)
            / 2
            * FOCUS_PENALTY ** len(lacking)
            * NAME_PENALTY ** len(absent)
        )
        lacking = lacking + absent
        if value > best:
            best = value
            best_reason = f"no passage mentions {', '.join(lacking)}" if lacking else ""
    return Answerability(best, best_reason)


def _mentions_word(text: str, word: str) -> bool:
    """Whether ``word`` (lower-case, maybe two words) occurs in ``text`` as whole word(s)."""
    word = normalise(word).lower()
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?:'s|’s|s)?(?![\w])", text) is not None
