"""The project's general text toolbox: sentence spans, word sets, stop words, stemming, folding.

Used by retrieval and by the bot alike, and defined once here: the extractive generator must cut
passages exactly the way the citation check does (a sentence it quotes is then found verbatim),
and both must agree on what a content word is. Everything is a pure function of its input.
Retrieval never imports ``bot``; this module imports nothing of the project.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

# --- sentence splitting --------------------------------------------------------------------------


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (easier to read and edit)."""
    return frozenset(text.split())


_PARAGRAPH = re.compile(r"\n\s*")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    # True when a line break follows the sentence (a paragraph ends there).
    paragraph_end: bool = False


# Texts whose sentence spans are remembered (:func:`sentence_spans`). One answer cuts each of
# its 6-9 retrieved chunks up to five times (the evidence stage, the extractive generator, the
# citation check's passage, its instruction mask and its same-article context), and the next
# question often retrieves some of them again; a few thousand chunks of ~1 KB keep a few MB.
SPAN_CACHE_ITEMS = 4096


def sentence_spans(text: str) -> list[Span]:
    """Split text into sentence spans (character offsets into ``text``): the one sentence
    segmenter of the project (chunking, the evidence stage, the extractive generator, the
    citation check and the draft parser all cut text here, so a sentence quoted by one is found
    verbatim by another).

    A line break always ends a sentence (news copy puts one paragraph a line); within a
    paragraph, syntok finds the sentences. Chosen against pysbd, spaCy's ``senter`` and parser,
    syntok alone, and the regular-expression splitter this replaced, on hand-made boundaries of
    250 BBC paragraphs (``training/sentences_gold.jsonl``; ``bench/segmenters.py`` prints the
    comparison): F1 0.981 at about 0.57 M characters a second on a busy machine, against 0.966
    for syntok alone, 0.970 for spaCy's senter (about 0.07 M a second), 0.936 for pysbd and
    0.955 for the old splitter.

    A pure function of ``text``, so the spans are remembered (``SPAN_CACHE_ITEMS`` texts, least
    recently used out): syntok is pure Python and was about a tenth of an answer's time.
    """
    return list(_sentence_spans(text))


@lru_cache(maxsize=SPAN_CACHE_ITEMS)
def _sentence_spans(text: str) -> tuple[Span, ...]:
    from syntok import segmenter

    spans: list[Span] = []
    for p_start, p_end in _paragraphs(text):
        paragraph = text[p_start:p_end]
        found: list[tuple[int, int]] = []
        for para in segmenter.analyze(paragraph):
            for sentence in para:
                if not sentence:
                    continue
                # syntok's token offsets point at the token's value; ``spacing`` precedes it.
                start = sentence[0].offset
                end = sentence[-1].offset + len(sentence[-1].value)
                if end > start and paragraph[start:end].strip():
                    found.append((p_start + start, p_start + end))
        for i, (start, end) in enumerate(found):
            _add_span(spans, text, start, end, paragraph_end=i == len(found) - 1)
    return tuple(spans)


def _paragraphs(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _PARAGRAPH.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _add_span(spans: list[Span], text: str, start: int, end: int, *, paragraph_end: bool) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end, paragraph_end))


# --- word lists ----------------------------------------------------------------------------------

# Function words that open a sentence with a capital letter: a capitalised one is not a name.
SENTENCE_OPENERS = word_set(
    "the a an in on at as but and or so he she it they we i this that these those his her its "
    "their there then when while after before if yet also however meanwhile"
)
# Days and months: capitalised, never a person or a place.
CALENDAR_WORDS = word_set(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december"
)

# Honorifics written before a name ("Mr Johnson", "Dame Judi Dench").
HONORIFICS = word_set("mr mrs ms miss dr sir lord lady dame")
# Titles of office written before a name ("Foreign Secretary Boris Johnson", "the President").
OFFICE_TITLES = word_set(
    "president secretary minister chancellor premier leader chairman chairwoman chief spokesman "
    "spokeswoman spokesperson governor mayor director general foreign prime commissioner "
    "ambassador judge king queen prince princess pope"
)

# Verbs of saying in the forms a question uses ("What did Johnson say / claim / warn ...?").
SAYING_VERBS = word_set(
    "say said tell think claim call warn argue reveal admit mean respond announce predict "
    "promise suggest believe insist deny accuse want urge agree plan propose"
)

# --- content words -------------------------------------------------------------------------------

# Function words: what a question or a sentence is built with, never what it is about.
FUNCTION_WORDS = word_set(
    "a about against also an and any are as at be been being but by can could did do does for "
    "from had has have he her here hers him his how i if in into is it its just may me might "
    "more must my no not now of on or our out over say says said she should so some than that "
    "the their them then there these they this those to too up us was we were what when where "
    "which who whom whose why will with would you your tell"
)
# Stop words of content matching: the function words, and words that carry no topic in news copy
# (contractions, quantifiers, titles, reporting words).
STOPWORDS = FUNCTION_WORDS | word_set(
    "above after again all am aren't because before below between both cannot couldn't didn't "
    "doesn't doing don't down during each even ever every few further hadn't hasn't haven't "
    "having he'd he'll he's here's herself himself how's i'd i'll i'm i've isn't it's itself "
    "let's like made make many most much mustn't myself new nor off often once one only other "
    "ought ours ourselves own per quite rather really same saying shan't she'd she'll she's "
    "shouldn't since still such that's theirs themselves there's they'd they'll they're they've "
    "though through thus under until upon very wasn't we'd we'll we're we've weren't what's "
    "when's where's whether while who's why's within without won't wouldn't yet you'd you'll "
    "you're you've yours yourself yourselves mr mrs ms dr told according asked ask news article "
    "articles report reported reports bbc"
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[£$€%]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball stemmers in C, cheap to import

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (English) stem of a lower-case word."""
    return str(_stemmer().stemWord(word))


def normalise(text: str) -> str:
    """Fold typographic quotes and compatibility characters so comparisons ignore them."""
    text = unicodedata.normalize("NFKC", text)
    return (
        text.replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("–", "-")
        .replace("—", "-")
    )


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-cased content words of ``text`` (stop words and possessives removed)."""
    out = []
    for m in _WORD.finditer(normalise(text)):
        word = m.group(0).lower()
        if word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
        if not word or word in STOPWORDS or word in "£$€%":
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        out.append(word if word.isdigit() else stem(word))
    return out


def term_in(term: str, terms: set[str] | frozenset[str]) -> bool:
    """Membership with light prefix matching ("russia" ~ "russian", "truant" ~ "truanci")."""
    if term in terms:
        return True
    if len(term) < 5 or term.isdigit():
        return False
    for other in terms:
        if len(other) >= 5 and (other.startswith(term) or term.startswith(other)):
            return True
    return False


# Endings that make a place's adjective or people from its name: "Syria" -> "Syrian", "Brazil"
# -> "Brazilian", "Japan" -> "Japanese", "Iraq" -> "Iraqi". spaCy lemmatises "Syrian" to itself
# and no library here maps a demonym to its country, so the few regular endings are kept here.
DEMONYM_ENDINGS = ("n", "an", "ian", "ese", "i")


def term_or_demonym_in(term: str, terms: set[str] | frozenset[str]) -> bool:
    """Membership, or a regular demonym of ``term`` ("syria" ~ "syrian"; :data:`DEMONYM_ENDINGS`).

    The strict sibling of :func:`term_in`, for the answer-or-abstain decision's measurements
    (what Johnson said "about Syria" was about "Syrian president Bashar al-Assad"): any
    prefix is a soft match for ranking sentences, but "syria" must not match "syriac", nor
    "trade" "trademark". Terms shorter than four letters only match themselves ("tax" + "i")."""
    if term in terms:
        return True
    if len(term) < 4:
        return False
    return any(w.startswith(term) and w[len(term) :] in DEMONYM_ENDINGS for w in terms)


# The endings a demonym is read back to its place by: "californian" - "n", "brazilian" - "ian",
# "israeli" - "i". Not "an" nor "ese", whose stems are often words of their own ("german" ->
# "germ", "chinese" -> "chin") rather than the place ("germany", "china").
DEMONYM_BACK = ("n", "ian", "i")


def demonym_places(word: str) -> tuple[str, ...]:
    """The places ``word`` may be a regular demonym of, singular or plural: "californians" ->
    "california" (the converse of :func:`term_or_demonym_in`, with the same four-letter floor);
    a word no ending fits gives none."""
    singular = word[:-1] if word.endswith("s") and len(word) > 4 else word
    return tuple(
        dict.fromkeys(
            singular[: -len(e)]
            for e in DEMONYM_BACK
            if singular.endswith(e) and len(singular) - len(e) >= 4
        )
    )


def overlap(claim_terms: Sequence[str], passage_terms: set[str] | frozenset[str]) -> float:
    """Share of the claim's distinct content words found in the passage."""
    distinct = set(claim_terms)
    if not distinct:
        return 0.0
    return sum(1 for t in distinct if term_in(t, passage_terms)) / len(distinct)


def number_set(text: str) -> set[str]:
    """The numbers written in ``text``, without thousands separators ("1,200" -> "1200")."""
    return {m.group(0).replace(",", "") for m in NUMBER.finditer(text)}


# --- links -----------------------------------------------------------------------------------
# Article metadata is written by whoever wrote the file: a "url" may be javascript:, a local
# file, or hide its host behind credentials (https://bbc.co.uk@evil.example/). Only what passes
# ``http_url`` is ever stored or linked, and front ends show ``url_domain`` beside the title.


def http_url(url: str) -> str:
    """``url`` if it may be linked (http or https with a host, no credentials), else ``""``."""
    url = url.strip()
    # Control characters (a newline above all) end a link early in most renderers; a plain space
    # in the path is left for the renderer to encode.
    if not url or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if any(c.isspace() for c in parts.netloc):
        return ""
    if parts.username or parts.password:  # https://bbc.co.uk@evil.example/ hides the host
        return ""
    try:
        parts.port  # noqa: B018 - raises for a port no client can open ("80%2", "99999")
    except ValueError:
        return ""
    return url


def url_domain(url: str) -> str:
    """The host a safe link goes to (``"evil.example"``), or ``""`` when it is not linkable."""
    safe = http_url(url)
    if not safe:
        return ""
    host = urlsplit(safe).hostname or ""
    return host.removeprefix("www.")
