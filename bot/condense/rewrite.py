"""The deterministic rewrite of a follow-up into a standalone question (no model needed).

It works on the shape of the previous question: for "What did Johnson say about Russia?" it knows
the speaker (Johnson) and the topic (Russia), so "and what about China?" replaces the topic, "and
Tillerson?" the speaker, "what did he say about Syria?" resolves "he", and "why?" becomes "Why did
Johnson say that about Russia?". Anything it cannot place is combined with the previous
question's key terms, which is still what retrieval needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from retrieval.text import FUNCTION_WORDS, HONORIFICS, OFFICE_TITLES, SAYING_VERBS, word_set

_WH = r"what|how|why|when|where|who|which"
_AUX = r"did|does|do|has|have|had|will|would|could|can|should|is|are|was|were"
# What a question may ask someone did with words, in the forms a follow-up uses.
_SAY_VERB_SET = SAYING_VERBS | word_set(
    "thought told claimed announced warned meant write wrote written revealed suggested "
    "proposed argued promised threaten threatened decide decided wanted believed reply replied "
    "responded add added admitted denied insisted accused urged do done planned agreed report "
    "reported predicted demand demanded called ask asked explain explained"
)
_SAY_VERBS = "|".join(sorted(_SAY_VERB_SET))
_SAY_RE = re.compile(
    rf"^(?:(?P<wh>{_WH})\s+)?(?P<aux>{_AUX})\s+(?P<speaker>.+?)\s+(?P<verb>{_SAY_VERBS})\b"
    r"(?P<rest>.*)$",
    re.I,
)
_PREP_START_RE = re.compile(
    r"^\s+(?:about|on|regarding|concerning|over|to|in|at|with|for|against|of)\b", re.I
)
_ANY_PREP = (
    r"about|regarding|concerning|on|over|against|towards|toward|for|to|with|into|from|in|at|of"
)
_BE_WORDS = {"be", "been", "being", "not", "it", "there", "that", "this"}
# Where the topic of a question usually sits, best first.
_TOPIC_PREPS = (
    r"about|regarding|concerning",
    r"on|over|against|towards|toward",
    r"for|to|with|into|from|in|at|of",
)
_CONTINUATION_RE = re.compile(
    r"^(?:(?:and|but|also|so|then|ok|okay|well|now|right)\b[,]?\s*)+", re.I
)
_WHAT_ABOUT_RE = re.compile(
    r"^(?:(?:and|but|so|also|then|ok|okay|now)\b[,]?\s+)*"
    r"(?:(?:what|how)\s+about|what\s+of|about|regarding|as\s+for|and\s+on|on)\s+(?P<x>.+?)"
    r"(?:\s+(?:then|too|as\s+well|instead))?\s*[?.!]*$",
    re.I,
)
_BARE_RE = re.compile(
    r"^(?:(?:and|but|also|or|plus|then)\b[,]?\s+)+(?P<x>.+?)(?:\s+(?:too|as\s+well|then))?"
    r"\s*[?.!]*$",
    re.I,
)
_TOO_RE = re.compile(r"^(?P<x>.+?)\s+(?:too|as\s+well)\s*[?.!]*$", re.I)
_WH_ALONE_RE = re.compile(
    rf"^(?:(?:and|but|so|ok|okay|then)\b[,]?\s+)*(?P<wh>{_WH})"
    r"(?:\s+(?:is|was|did|does|do|has|would)\s+(?:that|this|it|so)(?:\s+so)?)?"
    r"(?:\s+(?:then|exactly|so))?\s*[?.!]*$",
    re.I,
)
_LEADING_QUESTION_RE = re.compile(rf"^(?:{_WH}|{_AUX})\b", re.I)
_YES_NO_RE = re.compile(rf"^(?P<aux>{_AUX})\s+(?P<rest>.+)$", re.I)
_WH_AUX_RE = re.compile(rf"^(?P<wh>{_WH})\s+(?P<aux>{_AUX})\s+(?P<rest>.+)$", re.I)

_PERSON_PRONOUNS = {"he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs"}
_THING_PRONOUNS = {"it", "its"}
_TITLES = HONORIFICS | OFFICE_TITLES | word_set("ceo defence defense gen mp senator")
# The words of a question that are not its topic: the function words, and a conversation's fillers.
_STOPWORDS = FUNCTION_WORDS | word_set(
    "anything concerning else ok okay please regarding something well yes"
)
_CAPWORD = r"[A-Z][\w'’.-]*"
_ENTITY_RE = re.compile(
    rf"{_CAPWORD}(?:\s+(?:(?:al|el|bin|de|del|da|van|von|der|le|la)[-\s])?{_CAPWORD})*"
)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def rewrite_follow_up(question: str, previous: str) -> str:
    """Deterministic standalone form of ``question`` after the standalone ``previous``."""
    follow = " ".join(question.split())
    prev = _strip_end(" ".join(previous.split()))
    if not follow or not prev or looks_standalone(follow):
        return follow

    m = _WH_ALONE_RE.match(follow)
    if m:
        return _finish(_wh_follow_up(m.group("wh"), prev))

    about = _what_about(follow)
    if about:
        return _finish(_replace_topic(prev, _resolve_pronouns(about, prev)))

    m = _BARE_RE.match(follow) or _TOO_RE.match(follow)
    x = _strip_end(m.group("x")) if m else ""
    if not m and _is_bare_name(_strip_end(follow)):
        x = _strip_end(follow)
    if x and not _LEADING_QUESTION_RE.match(x) and len(x.split()) <= 6:
        x = _resolve_pronouns(x, prev)
        speaker = _speaker(prev)
        if speaker is not None and _is_person(x):
            return _finish(_splice(prev, speaker, x))
        return _finish(_replace_topic(prev, x))

    body = _CONTINUATION_RE.sub("", follow).strip()
    if _has_reference(body):
        body = _resolve_pronouns(body, prev)
    say = _SAY_RE.match(_strip_end(body))
    topic = _topic(prev)
    if say and not say.group("rest").strip() and topic is not None and _speaker(prev):
        # "and what did Tillerson say?" after "What did Johnson say about Russia?": same topic.
        return _finish(f"{_strip_end(body)} about {topic.text}")
    if body != _CONTINUATION_RE.sub("", follow).strip():
        return _finish(body)
    if looks_standalone(body):
        return _finish(body)
    return _combine(body or follow, prev)


def looks_standalone(question: str) -> bool:
    """Its own subject and verb, several words, and nothing pointing back at earlier turns."""
    words = _strip_end(question).split()
    if len(words) < 4:
        return False
    if _CONTINUATION_RE.match(question) or _what_about(question):
        return False
    return not _has_reference(question)


def _what_about(text: str) -> str | None:
    """The new subject of "what about X?" / "and on X?" / "regarding X?", if that is the shape."""
    m = _WHAT_ABOUT_RE.match(text)
    if not m:
        return None
    # "what about on Syria?": the preposition is already in the previous question.
    x = re.sub(r"^(?:about|on|regarding|concerning)\s+", "", _strip_end(m.group("x")), flags=re.I)
    explicit = re.match(r"^(?:\w+[,]?\s+)*?(?:what|how)\s+(?:about|of)\b", text, re.I)
    # A bare "on ..." or "about ..." opening is a follow-up only when what follows is short
    # and not itself a question ("On what date did Johnson arrive?" stands alone).
    if not explicit and (len(x.split()) > 5 or _LEADING_QUESTION_RE.match(x)):
        return None
    return x or None


def _has_reference(text: str) -> bool:
    words = {w.lower().strip(",;:") for w in _strip_end(text).split()}
    if words & _PERSON_PRONOUNS:
        return True
    # "it" points back only when the question names nothing of its own ("is it true that
    # Johnson ..." does).
    return bool(words & _THING_PRONOUNS) and not _entities(text, skip_first=True)


def _wh_follow_up(wh: str, prev: str) -> str:
    wh = wh.lower()
    say = _SAY_RE.match(prev)
    if say and wh in {"why", "when", "where", "how"} and _plausible_speaker(say.group("speaker")):
        aux = say.group("aux").lower()
        rest = say.group("rest")
        # "What did Johnson say about Russia?" + "why?" -> "Why did Johnson say that about
        # Russia?"; but "Did Johnson warn Russia?" + "when?" -> "When did Johnson warn Russia?"
        that = " that" if not rest.strip() or _PREP_START_RE.match(rest) else ""
        return f"{wh} {aux} {say.group('speaker')} {say.group('verb')}{that}{rest}"
    yes_no = _YES_NO_RE.match(prev)
    if yes_no and wh in {"why", "when", "where", "how"}:
        # "Did Johnson warn Russia?" + "when?" -> "When did Johnson warn Russia?"
        return f"{wh} {yes_no.group('aux').lower()} {yes_no.group('rest')}"
    # Anything else: keep the whole previous question, which is what retrieval needs.
    return f"{prev} - {wh}"


def _replace_topic(prev: str, new: str) -> str:
    topic = _topic(prev)
    if topic is not None:
        lead = re.match(rf"^({_ANY_PREP})\s", new, re.I)
        before = re.search(rf"\b({_ANY_PREP})\s+$", prev[: topic.start], re.I)
        if lead and before:
            # "and in France?" replaces "in Italy", not just "Italy".
            topic = _Span(before.start(), topic.end, prev[before.start() : topic.end])
        return _splice(prev, topic, new)
    if _SAY_RE.match(prev):
        # "What did Johnson say?" + "and about Russia?" -> "What did Johnson say about Russia?"
        return f"{prev} about {new}"
    return _combine(new, prev)


def _topic(prev: str) -> _Span | None:
    """Where the previous question's topic is: its span, for replacing."""
    say = _SAY_RE.match(prev)
    if say and _plausible_speaker(say.group("speaker")):
        offset = say.start("rest")
        span = _prep_object(say.group("rest"), max_words=None)
        if span is not None:
            return _Span(span.start + offset, span.end + offset, span.text)
        return None
    span = _prep_object(prev, max_words=5)
    if span is not None:
        return span
    entities = [e for e in _entities(prev, skip_first=True) if e.text != _speaker_text(prev)]
    return entities[-1] if entities else None


def _prep_object(text: str, max_words: int | None) -> _Span | None:
    for preps in _TOPIC_PREPS:
        matches = list(re.finditer(rf"\b(?:{preps})\s+(?P<obj>\S.*)$", text, re.I))
        # Earliest match in the group: "about Russia and its allies" keeps the whole object.
        for m in matches[:1]:
            obj = _strip_end(m.group("obj"))
            if obj and (max_words is None or len(obj.split()) <= max_words):
                start = m.start("obj")
                return _Span(start, start + len(obj), obj)
    return None


def _speaker(prev: str) -> _Span | None:
    say = _SAY_RE.match(prev)
    if say and _plausible_speaker(say.group("speaker")):
        return _Span(say.start("speaker"), say.end("speaker"), say.group("speaker"))
    return None


def _speaker_text(prev: str) -> str:
    span = _speaker(prev)
    return span.text if span else ""


def _plausible_speaker(text: str) -> bool:
    words = [w.lower() for w in text.split()]
    return 0 < len(words) <= 6 and not set(words) & _BE_WORDS


def _last_person(prev: str) -> str | None:
    speaker = _speaker(prev)
    if speaker is not None:
        return speaker.text
    persons = [e.text for e in _entities(prev, skip_first=False) if _is_person(e.text)]
    return persons[-1] if persons else None


def _entities(text: str, *, skip_first: bool) -> list[_Span]:
    """Runs of capitalised words (names), without a sentence-initial question word."""
    spans = []
    for m in _ENTITY_RE.finditer(text):
        words = m.group(0).split()
        start = m.start()
        # Drop leading words capitalised only because they start the sentence or are stopwords.
        while words and (
            words[0].lower() in _STOPWORDS or (skip_first and start == 0 and len(words) == 1)
        ):
            start += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        name = " ".join(words)
        name = re.sub(r"['’]s$", "", name)
        spans.append(_Span(start, start + len(name), name))
    return spans


def _is_person(text: str) -> bool:
    """Whether a name can be the speaker of a question: a title ("the Foreign Secretary"), or
    what spaCy's entity recogniser calls a person or a group of people ("the Russians"), read in
    the shape a follow-up gives it ("And Tillerson?"). A place, an organisation or an event is a
    topic ("and China?"). A name the recogniser does not tag counts as a person when every word
    is capitalised."""
    words = text.split()
    if not words:
        return False
    first = words[0].lower().rstrip(".")
    if first in _TITLES or (first == "the" and len(words) > 1 and words[1].lower() in _TITLES):
        return True
    label = _entity_label(" ".join(words))
    if label is not None:
        return label in _SPEAKER_LABELS
    if first == "the":
        # "the Foreign Office": a group that can speak; "the sanctions" is not.
        words = words[1:]
    return bool(words) and all(w[:1].isupper() for w in words)


# spaCy's labels for what speaks: people and groups of people ("the Russians" are NORP).
_SPEAKER_LABELS = frozenset({"PERSON", "NORP"})


@lru_cache(maxsize=1024)
def _entity_label(name: str) -> str | None:
    """spaCy's label for ``name`` written as a follow-up ("And {name}?"), when one entity covers
    it; ``None`` when none does. Cached: a conversation asks about the same few names."""
    from bot.answer.nlp import load_nlp

    text = f"And {name}?"
    start, end = 4, 4 + len(name)
    if name.lower().startswith("the "):
        start += 4  # spaCy leaves the article out of the entity ("the [Russians]")
    for ent in load_nlp()(text).ents:
        if ent.start_char <= start and ent.end_char >= end:
            return str(ent.label_)
    return None


def _is_bare_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w.lower() == "the" for w in words)


def _resolve_pronouns(text: str, prev: str) -> str:
    person = _last_person(prev)
    topic = _topic(prev)
    thing = topic.text if topic is not None else None

    def swap(m: re.Match[str]) -> str:
        word = m.group("pronoun")
        low = word.lower()
        follower = m.group("next") or ""
        if low in _PERSON_PRONOUNS and person:
            # "her" is possessive before a content word ("her reasons"), an object otherwise.
            possessive = low in {"his", "their", "hers", "theirs"} or (
                low == "her" and bool(follower) and follower.lower() not in _STOPWORDS
            )
            return _possessive(person) if possessive else person
        if low in _THING_PRONOUNS and thing:
            if low == "its":
                return _possessive(thing)
            before = text[: m.start()].split()
            if before and re.fullmatch(_SAY_VERBS, before[-1].lower()):
                # "when did she say it?" -> "when did Theresa May say that about Brexit?"
                return f"that about {thing}"
            return thing
        return word

    pattern = re.compile(
        r"\b(?P<pronoun>" + "|".join(sorted(_PERSON_PRONOUNS | _THING_PRONOUNS)) + r")\b"
        r"(?=\s*(?P<next>[\w'’-]+)?)",
        re.I,
    )
    return pattern.sub(swap, text)


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") and name[:1].isupper() else "'s")


def _combine(follow: str, prev: str) -> str:
    """Last resort: the follow-up with the previous question's key terms for retrieval."""
    terms = key_terms(prev)
    follow = _strip_end(_CONTINUATION_RE.sub("", follow).strip() or follow)
    if not terms:
        return _finish(follow)
    return _finish(f"{follow} ({', '.join(terms)})")


def key_terms(text: str) -> list[str]:
    """Names first (as units), then the other content words, in order, without repeats."""
    terms: list[str] = []
    seen: set[str] = set()
    entity_words: set[str] = set()
    for entity in _entities(text, skip_first=True):
        if entity.text.lower() not in seen:
            seen.add(entity.text.lower())
            terms.append(entity.text)
            entity_words.update(w.lower() for w in entity.text.split())
    for word in re.findall(r"[\w'’-]+", text):
        low = re.sub(r"['’]s$", "", word.lower())
        if low in _STOPWORDS or low in seen or low in entity_words or len(low) < 2:
            continue
        if re.fullmatch(_SAY_VERBS, low):
            continue
        seen.add(low)
        terms.append(re.sub(r"['’]s$", "", word))
    return terms


def _splice(text: str, span: _Span, new: str) -> str:
    return text[: span.start] + new + text[span.end :]


def _strip_end(text: str) -> str:
    return text.strip().rstrip("?.!").strip()


def _finish(text: str) -> str:
    text = _strip_end(" ".join(text.split()))
    if not text:
        return text
    return text[0].upper() + text[1:] + "?"
