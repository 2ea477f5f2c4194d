"""Citation parsing and the deterministic support check that every generator's draft goes through.

No generator is trusted to cite correctly (see the stack notes: small local models drop citations
and invent claims). The core parses the draft's ``[n]`` markers, drops keys that were never offered
as sources, checks each cited sentence against the passage it cites, removes what is not supported
or not cited, and renumbers the surviving sources by first use. Everything here is a pure function
of its inputs (plus the embedder, which is deterministic), so the same draft always gives the same
verdict.

The sentence splitter and the content-word helpers live here too because the extractive generator
must cut passages exactly the way the check does: a sentence it quotes is then found verbatim.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bot.types import NO_ANSWER_MESSAGE, Dropped

if TYPE_CHECKING:
    from bot.types import Source

# --- thresholds ----------------------------------------------------------------------------------
# A cited sentence is supported by a passage when it is close to the passage's best-matching
# sentence (or pair of adjacent sentences) in embedding space AND most of its content words occur
# in the passage AND it names no number or proper noun that the passage, its title and the other
# retrieved passages of the same article lack.
# Measured on claims built from the BBC dev questions' gold passages (k=6 hybrid hits): 1,233
# positives (sentences truncated to 60%, with the leading clause dropped, quotes turned into
# reported speech, two sentences merged) and, as negatives, the same claims checked against a
# passage of another retrieved article, plus 397 claims with one name or number swapped.
#   positives: similarity p1 0.45 / p5 0.64, overlap p1 1.00; negatives: similarity p50 0.38 /
#   p95 0.66, overlap p50 0.16 / p95 0.50.
#   similarity >= 0.55 and overlap >= 0.7 keep 97.2% of positives and pass 0.9% of negatives
#   (0.60/0.7: 96.1% / 0.9%; 0.55/0.6: 97.2% / 1.8%); the name/number rule catches 377 of the
#   397 swaps (the rest swap in a name found elsewhere in the same article).
SUPPORT_MIN_SIMILARITY = 0.55
SUPPORT_MIN_OVERLAP = 0.7
# Fall back to the extractive answer when fewer than this share of the draft's sentences survive.
MIN_KEPT_SHARE = 0.5

# --- sentence splitting --------------------------------------------------------------------------


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (easier to read and edit)."""
    return frozenset(text.split())


# Words that end with a full stop without ending a sentence (titles, initials handled separately).
_ABBREVIATIONS = word_set(
    """mr mrs ms dr prof st sr jr gen col lt sgt capt cpl rev gov sen rep hon mt no nos vs etc
    e.g i.e eg ie jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp plc bros
    approx dept est fig govt u.s u.k u.n a.m p.m cf op al ave rd"""
)
_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«£$€"
# Candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_PARAGRAPH = re.compile(r"\n\s*")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    # True when a line break follows the sentence (a paragraph ends there).
    paragraph_end: bool = False


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` belongs to an abbreviation or an initial."""
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # A single capital letter: an initial ("J. K. Rowling") or part of "U.S.".
    return len(word) == 1 and text[dot - 1].isupper()


def _next_starts_sentence(text: str, pos: int) -> bool:
    """Whether the non-space text at ``pos`` can open a sentence."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        return True
    ch = text[pos]
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or ch == "["


def sentence_spans(text: str) -> list[Span]:
    """Split news text into sentence spans (character offsets into ``text``).

    Tuned for news copy: line breaks always end a sentence; "Mr.", "U.S." and initials do not;
    a quotation that closes after the full stop stays with its sentence ('... solution," he said.').
    """
    spans: list[Span] = []
    pos = 0
    for para in _paragraphs(text):
        p_start, p_end = para
        cut = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            dot = m.start()
            if text[dot] == "." and m.end() - dot == 1 and _is_abbreviation(text, dot):
                continue
            if not _next_starts_sentence(text, m.end()):
                continue
            # A boundary whose own closing quote ends a quotation ('... reforms." He also') is
            # always a boundary; otherwise a short quotation is kept whole.
            closes_quote = any(ch in '"”' for ch in text[dot : m.end()])
            if not closes_quote and _inside_short_quote(text, cut, m.end(), p_end):
                continue
            _add_span(spans, text, cut, m.end(), paragraph_end=False)
            cut = m.end()
        _add_span(spans, text, cut, p_end, paragraph_end=True)
        pos = p_end
    del pos
    return spans


# A quotation of a few sentences is kept whole with its attribution ('"They have a choice. That
# choice is ...," he said.'): cut inside it, the first part is a fragment with an unbalanced quote
# and the second loses nothing but its opening. Longer quotations are cut as usual.
_MAX_QUOTE_UNIT = 420


def _inside_short_quote(text: str, start: int, pos: int, p_end: int) -> bool:
    """Whether ``pos`` falls inside a quotation that closes soon after, in the same paragraph."""
    before = text[start:pos]
    straight_open = before.count('"') % 2 == 1
    curly_open = before.count("“") > before.count("”")
    if not (straight_open or curly_open):
        return False
    closer = '"' if straight_open else "”"
    close = text.find(closer, pos, p_end)
    return close != -1 and close - start <= _MAX_QUOTE_UNIT


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


def split_sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


# --- content words -------------------------------------------------------------------------------

STOPWORDS = word_set(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't
    doing don't down during each even ever every few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd
    i'll i'm i've if in into is isn't it it's its itself just let's like made make many may me
    might more most much must mustn't my myself new no nor not now of off often on once one only
    or other ought our ours ourselves out over own per quite rather really same say says said
    saying shan't she she'd she'll she's should shouldn't since so some still such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're
    they've this those though through thus to too under until up upon us very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's whether which while who
    who's whom whose why why's will with within without won't would wouldn't yet you you'd you'll
    you're you've your yours yourself yourselves mr mrs ms dr told tell according asked ask
    according news article articles report reported reports bbc"""
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[£$€%]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball stemmers in C, cheap to import

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
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
        out.append(word if word.isdigit() else _stem(word))
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


def overlap(claim_terms: Sequence[str], passage_terms: set[str] | frozenset[str]) -> float:
    """Share of the claim's distinct content words found in the passage."""
    distinct = set(claim_terms)
    if not distinct:
        return 0.0
    return sum(1 for t in distinct if term_in(t, passage_terms)) / len(distinct)


_SENTENCE_INITIAL_OK = word_set(
    "the a an in on at as but and or so he she it they we i this that these those his her its "
    "their there then when while after before if yet also however meanwhile"
)


def _names_and_numbers(text: str) -> tuple[set[str], set[str]]:
    """Capitalised words (not sentence-initial function words) and numbers in ``text``."""
    text = normalise(text)
    names: set[str] = set()
    for m in re.finditer(r"(?<![\w'])[A-Z][A-Za-z0-9'\-]*", text):
        word = m.group(0).removesuffix("'s").rstrip("'-")
        if len(word) < 2 or word.lower() in _SENTENCE_INITIAL_OK or word.lower() in STOPWORDS:
            continue
        names.add(word.lower())
    return names, _numbers(text)


def _numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}


def novel_names(claim: str, passage: str) -> list[str]:
    """Proper nouns and numbers of ``claim`` that ``passage`` never mentions.

    An invented claim is usually a real sentence with one name or figure swapped ("Johnson said
    Brazil has a choice"): embeddings barely move, so this is checked separately and strictly.
    ``passage`` should include the title and the other retrieved passages of the same article, so
    that "Donald Trump" is accepted where this passage says "President Trump".
    """
    names, numbers = _names_and_numbers(claim)
    passage_norm = normalise(passage)
    passage_words = set(re.findall(r"[a-z0-9'\-]+", passage_norm.lower()))
    passage_words |= {w.strip("'-") for w in passage_words}
    passage_stems = {_stem(w) for w in passage_words}
    missing = []
    for name in sorted(names):
        if name in passage_words or _stem(name) in passage_stems:
            continue
        # Demonyms and plurals: "Russian(s)" in the claim, "Russia" in the passage, or back.
        if len(name) >= 5 and any(
            len(w) >= 5 and (w.startswith(name) or name.startswith(w)) for w in passage_words
        ):
            continue
        # Hyphenated names ("Winn-Dixie", "RA-104") may be cut differently on either side.
        if "-" in name and all(part in passage_words for part in name.split("-") if part):
            continue
        missing.append(name)
    passage_numbers = _numbers(passage_norm)
    missing.extend(sorted(n for n in numbers if n not in passage_numbers))
    return missing


# --- sentence vectors, cached --------------------------------------------------------------------


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class CachedEncoder:
    """Memoises sentence vectors: the extractive generator and the check embed the same sentences.

    Bounded LRU; thread-safe (Slack handlers may answer concurrently).
    """

    def __init__(self, embeddings: Encoder, max_items: int = 50_000) -> None:
        self._embeddings = embeddings
        self._max = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors already known for ``texts`` (nothing is computed)."""
        with self._lock:
            return {t: self._cache[t] for t in texts if t in self._cache}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._embeddings.encode(missing)
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._cache[text] = vec
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                vec = self._cache.get(t)
                if vec is None:  # evicted between the two locks: rare, recompute
                    vec = self._embeddings.encode([t])[0]
                else:
                    self._cache.move_to_end(t)
                rows.append(vec)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(rows)


_ENCODERS: weakref.WeakKeyDictionary[object, CachedEncoder] = weakref.WeakKeyDictionary()
_ENCODERS_LOCK = threading.Lock()


def cached_encoder(embeddings: Encoder) -> CachedEncoder:
    """The one cache shared by everything that embeds sentences with ``embeddings``."""
    if isinstance(embeddings, CachedEncoder):
        return embeddings
    with _ENCODERS_LOCK:
        enc = _ENCODERS.get(embeddings)
        if enc is None:
            enc = CachedEncoder(embeddings)
            _ENCODERS[embeddings] = enc
        return enc


# --- parsing citations ---------------------------------------------------------------------------

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
    for span in sentence_spans(draft):
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


def _only_markers(raw: str) -> bool:
    return not _MARKER.sub("", raw).strip(" \t.,;:")


def parse_citations(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """``[(sentence without markers, cited keys in order without repeats), ...]``."""
    return [(s.text, s.keys) for s in parse_draft(text)]


def is_no_answer(text: str) -> bool:
    def squash(s: str) -> str:
        return re.sub(r"[^a-z]+", " ", normalise(s).lower()).strip()

    return squash(text) == squash(NO_ANSWER_MESSAGE)


# --- the check -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why source ``key`` supports a claim: its best-matching sentence, located in the passage."""

    key: int
    quote: str
    # Offsets of ``quote`` within the cited passage's text (``Hit.text``).
    start: int
    end: int
    similarity: float
    overlap: float


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    text: str
    keys: tuple[int, ...]
    evidence: tuple[Evidence, ...] = ()
    paragraph_end: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    sentences: tuple[CheckedSentence, ...]
    dropped: tuple[Dropped, ...]
    # Fewer than MIN_KEPT_SHARE of the draft's sentences survived, or none did: the caller falls
    # back to the extractive answer.
    too_little: bool
    # The draft is (only) the no-answer message.
    no_answer: bool
    draft_sentences: int

    @property
    def text(self) -> str:
        return join_sentences(self.sentences)


def join_sentences(sentences: Sequence[CheckedSentence]) -> str:
    parts: list[str] = []
    for i, s in enumerate(sentences):
        marker = f" [{', '.join(str(k) for k in s.keys)}]" if s.keys else ""
        parts.append(s.text + marker)
        if i < len(sentences) - 1:
            parts.append("\n\n" if s.paragraph_end else " ")
    return "".join(parts)


@dataclass(slots=True)
class _Passage:
    key: int
    text: str
    title: str
    units: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in text
    terms: frozenset[str] = frozenset()
    # The other retrieved passages of the same article: a name the claim takes from elsewhere in
    # the article ("Donald" Trump) is not an invention.
    context: str = ""


def _passage(source: Source, sources: Sequence[Source] = ()) -> _Passage:
    text = source.hit.text
    spans = sentence_spans(text)
    units = [(s.start, s.end) for s in spans]
    # Adjacent pairs: a paraphrase often merges two sentences of the passage into one.
    units += [(a.start, b.end) for a, b in itertools.pairwise(spans)]
    terms = frozenset(content_terms(source.hit.title + "\n" + text))
    context = "\n".join(
        s.hit.text for s in sources if s.hit.article_id == source.hit.article_id and s is not source
    )
    return _Passage(source.key, text, source.hit.title, units, terms, context)


def check_draft(
    draft: str,
    sources: Sequence[Source],
    embeddings: Encoder,
    *,
    min_similarity: float = SUPPORT_MIN_SIMILARITY,
    min_overlap: float = SUPPORT_MIN_OVERLAP,
    min_kept_share: float = MIN_KEPT_SHARE,
) -> CheckResult:
    """Keep only the sentences of ``draft`` that cite a source which supports them.

    For each sentence: keys that are not among ``sources`` are dropped; each remaining key is
    tested (similarity of the sentence with the passage's best sentence or adjacent pair, share of
    its content words found in the passage, no name or number the passage lacks); keys that fail
    are dropped; a sentence left without a key is removed. The no-answer message is kept uncited.
    Every removal is recorded as a ``Dropped(text, reason)``.
    """
    encoder = cached_encoder(embeddings)
    by_key = {s.key: s for s in sources}
    passages: dict[int, _Passage] = {}
    parsed = parse_draft(draft)
    dropped: list[Dropped] = []

    # Sources the model listed itself ("Sources: [1] ...") are dropped: the bot lists them.
    in_source_list = False
    candidates: list[tuple[DraftSentence, list[int]]] = []
    for sent in parsed:
        for bad in sent.malformed:
            dropped.append(Dropped(bad, "malformed citation marker"))
        if _SOURCES_HEADING.match(sent.text):
            in_source_list = True
            dropped.append(
                Dropped(sent.text, "the draft's own source list (the bot lists sources)")
            )
            continue
        if in_source_list:
            dropped.append(
                Dropped(sent.text, "the draft's own source list (the bot lists sources)")
            )
            continue
        if is_no_answer(sent.text):
            candidates.append((sent, []))
            continue
        valid = []
        for key in sent.keys:
            if key in by_key:
                valid.append(key)
            else:
                dropped.append(
                    Dropped(f"[{key}]", f"cites source [{key}], which was not among the sources")
                )
        candidates.append((sent, valid))

    # A sentence quoted verbatim from its passage (the extractive generator's, or an LLM's exact
    # quote) is supported by definition; everything else is embedded, in one batch.
    verbatim: dict[tuple[int, int], tuple[int, int]] = {}
    to_embed: list[str] = []
    for i, (sent, valid) in enumerate(candidates):
        for key in valid:
            if key not in passages:
                passages[key] = _passage(by_key[key], sources)
            p = passages[key]
            found = find_verbatim(sent.text, p.text)
            if found is not None:
                verbatim[(i, key)] = found
                continue
            to_embed.append(sent.text)
            to_embed.extend(p.text[a:b] for a, b in p.units)
    vectors: dict[str, np.ndarray] = {}
    if to_embed:
        unique = list(dict.fromkeys(to_embed))
        for text, vec in zip(unique, encoder.encode(unique), strict=True):
            vectors[text] = vec

    kept: list[CheckedSentence] = []
    for i, (sent, valid) in enumerate(candidates):
        if is_no_answer(sent.text):
            kept.append(CheckedSentence(NO_ANSWER_MESSAGE, (), (), sent.paragraph_end))
            continue
        if not valid:
            reason = "no citation" if not sent.keys else "cites only sources that were not offered"
            dropped.append(Dropped(sent.text, reason))
            continue
        claim_terms = content_terms(sent.text)
        good: list[Evidence] = []
        failures: list[str] = []
        for key in valid:
            p = passages[key]
            if (i, key) in verbatim:
                a, b = verbatim[(i, key)]
                good.append(Evidence(key, p.text[a:b], a, b, 1.0, 1.0))
                continue
            ev, why = _support(sent.text, claim_terms, p, vectors, min_similarity, min_overlap)
            if ev is not None:
                good.append(ev)
            else:
                failures.append(f"[{key}]: {why}")
        if not good:
            dropped.append(
                Dropped(sent.text, "not supported by its sources: " + "; ".join(failures))
            )
            continue
        for failure in failures:
            key_text, _, why = failure.partition(": ")
            dropped.append(Dropped(key_text, f"citation removed from {sent.text!r}: {why}"))
        kept.append(
            CheckedSentence(sent.text, tuple(e.key for e in good), tuple(good), sent.paragraph_end)
        )

    no_answer = bool(kept) and all(not s.keys for s in kept)
    claims = [s for s in kept if s.keys]
    total = sum(1 for sent, _ in candidates if not is_no_answer(sent.text))
    too_little = not no_answer and (not claims or len(claims) < min_kept_share * total)
    return CheckResult(tuple(kept), tuple(dropped), too_little, no_answer, len(parsed))


def _compact(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, quotes folded, lower-cased; and each kept char's offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for c in normalise(ch).lower():
            if not c.isspace():
                chars.append(c)
                offsets.append(i)
    return "".join(chars), offsets


def find_verbatim(claim: str, passage: str) -> tuple[int, int] | None:
    """Span of ``claim`` in ``passage`` ignoring whitespace, quote style and case, or None."""
    needle, _ = _compact(claim)
    if len(needle) < 12:
        return None
    hay, offsets = _compact(passage)
    at = hay.find(needle)
    if at < 0:
        # The draft's tidy-up may have dropped a space before punctuation only; nothing else.
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1


def _support(
    claim: str,
    claim_terms: Sequence[str],
    passage: _Passage,
    vectors: Mapping[str, np.ndarray],
    min_similarity: float,
    min_overlap: float,
) -> tuple[Evidence | None, str]:
    if not passage.units:
        return None, "the passage is empty"
    claim_vec = vectors[claim]
    best: tuple[float, int, int] | None = None
    for a, b in passage.units:
        sim = float(np.dot(claim_vec, vectors[passage.text[a:b]]))
        if best is None or sim > best[0] + 1e-9:
            best = (sim, a, b)
    assert best is not None
    sim, a, b = best
    share = overlap(claim_terms, passage.terms)
    novel = novel_names(claim, passage.title + "\n" + passage.text + "\n" + passage.context)
    if novel:
        return None, "names " + ", ".join(repr(n) for n in novel) + " absent from the passage"
    if sim < min_similarity:
        return None, f"similarity {sim:.2f} < {min_similarity:.2f}"
    if share < min_overlap:
        return None, f"word overlap {share:.2f} < {min_overlap:.2f}"
    # The quote is the single best sentence: a pair was only needed to judge support.
    qa, qb = _best_single(claim_vec, passage, vectors, a, b)
    return Evidence(passage.key, passage.text[qa:qb], qa, qb, round(sim, 4), round(share, 4)), ""


def _best_single(
    claim_vec: np.ndarray,
    passage: _Passage,
    vectors: Mapping[str, np.ndarray],
    a: int,
    b: int,
) -> tuple[int, int]:
    inner = [(x, y) for x, y in passage.units if a <= x and y <= b]
    singles = [u for u in inner if not any(v != u and u[0] <= v[0] and v[1] <= u[1] for v in inner)]
    if len(singles) <= 1:
        return a, b
    return max(singles, key=lambda u: float(np.dot(claim_vec, vectors[passage.text[u[0] : u[1]]])))


# --- renumbering ---------------------------------------------------------------------------------


def renumber(
    sentences: Sequence[CheckedSentence],
    group: Mapping[int, str] | None = None,
) -> tuple[list[CheckedSentence], dict[int, int]]:
    """Number sources by first use (1, 2, ...); keys of the same group (article) share a number.

    Returns the sentences with their keys rewritten, and ``{old key: new number}`` for the keys
    still cited. Sources no sentence cites get no number, so they are not listed.
    """
    mapping: dict[int, int] = {}
    number_of_group: dict[str, int] = {}
    out: list[CheckedSentence] = []
    for s in sentences:
        new_keys: list[int] = []
        for key in s.keys:
            if key not in mapping:
                g = group.get(key, f"key:{key}") if group is not None else f"key:{key}"
                if g not in number_of_group:
                    number_of_group[g] = len(number_of_group) + 1
                mapping[key] = number_of_group[g]
            new_keys.append(mapping[key])
        evidence = tuple(
            Evidence(mapping[e.key], e.quote, e.start, e.end, e.similarity, e.overlap)
            for e in s.evidence
        )
        out.append(
            CheckedSentence(s.text, tuple(dict.fromkeys(new_keys)), evidence, s.paragraph_end)
        )
    return out, mapping


def renumber_text(text: str, group: Mapping[int, str] | None = None) -> tuple[str, dict[int, int]]:
    """``renumber`` for a plain cited text: parse, renumber, join."""
    sentences = [CheckedSentence(s.text, s.keys, (), s.paragraph_end) for s in parse_draft(text)]
    out, mapping = renumber(sentences, group)
    return join_sentences(out), mapping
