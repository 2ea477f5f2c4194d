"""What a question (part) asks for: the wh-phrase, the noun asked about, the answer type and
the other types an answer may have."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.question.nouns import type_of_noun
from bot.answer.question.types import AnswerType
from bot.answer.question.words import (
    _CAUSE_VERBS,
    _CHANGE_VERBS,
    _DIRECTIONS,
    _DURATION_VERBS,
    _FOCUS_NOUNS,
    _LEVEL_VERBS,
    _MONEY_VERBS,
    _PRICE_PREPOSITIONS,
    _RESPONSE_VERBS,
    _SIZE_ADJECTIVES,
    _SUBJECT_DEPS,
    NAMING_VERBS,
    REPORTING_VERBS,
    _is_wh,
    asked_kind,
    is_imperative,
    title_word,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


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
                noun, k = _last_noun(doc, i + 2, members, _NAMING_RUN, _NAMING_RUN - {"ADJ"})
                if noun is None and k in members and doc[k].lower_ in {"of", "in"}:
                    # "How much of a monthly allowance ...", "How much in damages ...": the
                    # common noun of the phrase after is the thing measured.
                    noun, _ = _last_noun(doc, k + 1, members, _NAMING_RUN | {"DET"}, {"NOUN"})
                if noun is not None and nxt.lower_ in {"many", "much", "few", "little"}:
                    wh.focus = noun
        elif tok.lower_ in {"what", "which", "whose"}:
            noun = _determined_noun(doc, tok, members)
            if noun is not None and noun.lower_ in {"kind", "type", "sort"}:
                # "what kind of purchase": the purchase is asked about; no passage says "kind".
                noun = _of_object(noun, members) or noun
            if noun is not None:
                wh.focus = noun
                wh.phrase = doc[tok.i : noun.i + 1].text.lower()
        return wh
    # "Name the three bands that ...", "List the ...": the imperative's object is asked for.
    first = doc[idx[0]]
    if is_imperative(first):
        obj = next((c for c in first.children if c.dep_ == "dobj"), None)
        if obj is not None and obj.i not in members:
            # "Name one finalist of A and one contestant of B", asked of B: the joined noun.
            obj = next((c for c in obj.conjuncts if c.i in members), None)
        if obj is not None:
            return _Wh(phrase=first.lower_, focus=obj)
    return _Wh()


# Parts of speech of a noun phrase's words after a wh-phrase ("how many posthumous awards").
_NAMING_RUN = frozenset({"ADJ", "NOUN", "PROPN"})


def _last_noun(
    doc: Doc, start: int, members: set[int], run: AbstractSet[str], nouns: AbstractSet[str]
) -> tuple[Token | None, int]:
    """The last token tagged one of ``nouns`` in the run of ``run`` tags from ``start`` (None
    if there is none), and where the run ends."""
    noun, k = None, start
    while k in members and doc[k].pos_ in run:
        if doc[k].pos_ in nouns:
            noun = doc[k]
        k += 1
    return noun, k


def _determined_noun(doc: Doc, wh: Token, members: set[int]) -> Token | None:
    """The noun a wh-determiner asks about: "which club", "what percentage", "which of the ..."."""
    if (
        wh.dep_ == "det"
        and wh.head.pos_ in {"NOUN", "PROPN"}
        and wh.head.i > wh.i
        # "What did director Charles Saumarez Smith credit for the rise?": an auxiliary between
        # the two makes the "noun" the verb, tagged wrong.
        and not any(doc[k].pos_ == "AUX" for k in range(wh.i + 1, wh.head.i))
    ):
        return wh.head
    nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) and wh.i + 1 in members else None
    if (
        nxt is not None
        and nxt.is_alpha
        and nxt.pos_ not in {"AUX", "VERB", "PRON", "ADP", "DET"}
        # "what else": a modifier of the wh-word itself, not a noun it determines.
        and not (nxt.dep_ == "advmod" and nxt.head.i == wh.i)
    ):
        # "What fine did ...": a word between the wh-word and an auxiliary is a noun, whatever
        # the tagger says ("fine" as an adverb); so is the det arc's head next to it.
        after = doc[nxt.i + 1] if nxt.i + 1 < len(doc) else None
        if (wh.dep_ == "det" and wh.head.i == nxt.i) or (after is not None and after.pos_ == "AUX"):
            return nxt
    # The tagger sometimes leaves "what price" without the det arc: take the next noun run's head
    # (after a count: "which two board members").
    start = wh.i + 1
    while start < len(doc) and start in members and doc[start].pos_ == "NUM":
        start += 1
    # The run goes through a name's capitalised words ("which Drink Or Die leader"); it ends on
    # a common noun, or on a proper noun that is a noun asked about ("which Tory MP").
    k = start
    while k in members and (
        doc[k].pos_ in {"ADJ", "NOUN", "PROPN"}
        or title_word(doc[k])
        # "which existing website", "which injured striker": a participle as an adjective.
        or (doc[k].tag_ in {"VBG", "VBN"} and doc[k].dep_ == "amod")
    ):
        k += 1
    last = doc[k - 1] if k > start else None
    if last is not None and (
        last.pos_ == "NOUN" or (last.pos_ == "PROPN" and asked_kind(last.lemma_.lower()))
    ):
        return last
    for child in wh.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ == "NOUN":
                return pobj
    return None


def _reported_as(verb: Token) -> Token | None:
    """The infinitive a passive reporting verb reports ("was reported to be worth": "be"), or a
    verb of seeming does ("What appears to have triggered ...?": "trigger"), or None."""
    if verb.lemma_.lower() in {"appear", "seem"}:
        return next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
    if verb.lemma_.lower() not in REPORTING_VERBS:
        return None
    passive = any(c.dep_ in {"aux", "auxpass"} and c.lemma_ == "be" for c in verb.children)
    infinitive = next((c for c in verb.children if c.dep_ == "xcomp" and c.tag_ == "VB"), None)
    return infinitive if passive else None


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
            typed = type_of_noun(focus_lemma, lemmas, focus)
            if typed is not None:
                return typed[0], typed[1], focus
        return AnswerType.DESCRIPTION, (), focus
    word = tok.lower_
    reported = _reported_as(verb)
    if reported is not None:
        # "What was the bid reported to be worth?", "What is it said to be capable of?": asked
        # is what is reported, not the words reporting it.
        return _classify(doc, idx, wh, reported)
    if word == "how":
        after = wh.after.lower_ if wh.after is not None else ""
        if after in {"much", "little"}:
            nxt = (
                doc[wh.after.i + 1] if wh.after is not None and wh.after.i + 1 < len(doc) else None
            )
            # "How much higher were sales?": a difference. Not an adjective of the noun asked
            # about ("How much gross mortgage lending ...?", "How much net profit ...?").
            if (
                nxt is not None
                and nxt.tag_ in {"JJR", "RBR", "JJ", "RB"}
                and nxt.i in members
                and nxt.dep_ != "amod"
            ):
                return AnswerType.QUANTITY, (), focus
            if verb_lemma in _CHANGE_VERBS or any(
                doc[i].lemma_.lower() in _FOCUS_NOUNS[AnswerType.QUANTITY] - {"share"}
                and doc[i].dep_ in {"dobj", "nsubj", "nsubjpass"}
                for i in idx
            ):
                # "How much will it knock off growth?", "How much did the Bank raise rates?": a
                # change in a level or a share, written as a percentage as often as in money.
                return AnswerType.QUANTITY, (AnswerType.AMOUNT,), focus
            money = _FOCUS_NOUNS[AnswerType.AMOUNT]
            # "damages" is money; its lemma "damage" is harm.
            if focus is not None and not {focus_lemma, focus.lower_} & money:
                if focus_lemma in _FOCUS_NOUNS[AnswerType.DATE]:
                    return AnswerType.DATE, (AnswerType.QUANTITY,), focus
                return AnswerType.QUANTITY, (AnswerType.AMOUNT,), focus
            return AnswerType.AMOUNT, (), focus
        if after in {"many", "few"}:
            # "How many times had Firefox been downloaded?": occurrences, no noun asked about.
            return AnswerType.COUNT, (), None if focus_lemma == "time" else focus
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
            # "three times a week", "every two days", "annually": a frequency is a count or, as
            # spaCy labels it, a date or time.
            return AnswerType.COUNT, (AnswerType.QUANTITY, AnswerType.DATE), focus
        direction = (
            doc[wh.after.i + 1] if wh.after is not None and wh.after.i + 1 < len(doc) else None
        )
        if after == "far" and direction is not None and direction.lower_ in _DIRECTIONS:
            return AnswerType.PLACE, (AnswerType.QUANTITY,), focus
        if after in _SIZE_ADJECTIVES:
            return AnswerType.QUANTITY, (AnswerType.AMOUNT, AnswerType.COUNT), focus
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
    if (
        focus is not None
        and focus.lower_ == "grounds"
        and tok.i > 0
        and doc[tok.i - 1].lower_ == "on"
    ):
        # "On what grounds ...": a reason; "ground", its lemma, is a place ("Which grounds
        # will host the matches?").
        return AnswerType.REASON, (), focus
    if focus_lemma is None and _to_a_level(doc, tok):
        # "..., and to what did it later raise the offer?": the level reached, a number.
        return AnswerType.QUANTITY, (AnswerType.AMOUNT, AnswerType.COUNT), focus
    if word == "whose":
        # "Among whose papers was the cantata found?": the owner, whatever the noun owned.
        return AnswerType.PERSON, (AnswerType.ORGANISATION,), focus
    if focus_lemma is not None:
        typed = type_of_noun(focus_lemma, lemmas, focus)
        if typed is not None:
            answer, also = typed
            if answer is AnswerType.AMOUNT and (word == "which" or focus_lemma in _NAMED_MONEY):
                # "Which prizes did Snow Patrol collect?", "which award will Day-Lewis get":
                # "which" picks out one of those things (its name); money is asked as "how
                # much" or "what fine".
                return AnswerType.DESCRIPTION, (AnswerType.AMOUNT,), focus
            return answer, also, focus
        if focus is not None and verb_lemma in REPORTING_VERBS and _speaker_asked(focus, verb):
            # "Which law lord said officers had acted on racial grounds?": who said it.
            return AnswerType.PERSON, (AnswerType.ORGANISATION,), focus
        if wh.focus is not None:
            # "Which Sony laptop did the magazine call ...": a laptop, whatever the verb.
            return AnswerType.DESCRIPTION, (), focus
    # "What was the price of X?", "What is the population of Y?": the copula's other argument.
    if verb_lemma == "be":
        last = _ends_stranded(doc, idx)
        if last is not None:
            # "What is the money for?", "What is the money being used for?" (parsed with "is"
            # as the root): the wh-word is the object of the last preposition; a purpose or a
            # thing is asked for, not the amount the subject names. But "What was the firm
            # valued at?" asks a price.
            if _price_preposition(last):
                return AnswerType.AMOUNT, (), focus
            return AnswerType.DESCRIPTION, (), focus
        other = _copula_argument(verb, tok, members)
        if other is not None and other.lemma_.lower() == "name":
            # "What is the name of the British teenager ...?": a proper name of the teenager
            # is asked for, and passages say "teenager", seldom "name".
            other = _of_object(other, members) or other
        if other is not None:
            typed = type_of_noun(other.lemma_.lower(), lemmas, other)
            if typed is not None:
                return typed[0], typed[1], other
            return AnswerType.DESCRIPTION, (), other
        if any(doc[i].lower_ == "worth" for i in idx):
            return AnswerType.AMOUNT, (), focus
        return AnswerType.DESCRIPTION, (), focus
    if tok.dep_ in _SUBJECT_DEPS and verb_lemma in _CAUSE_VERBS:
        return AnswerType.REASON, (), focus
    if verb_lemma == "blame" and tok.lower_ == "what" and tok.dep_ != "nsubj":
        # "What did UK Coal blame for its losses?", "What was blamed for the delay?": the
        # thing blamed is a cause, not anyone's words ("Who did he blame" asks for a person).
        # Not by the wh-word's relation alone: the parse may take "UK Coal blame" for a noun.
        return AnswerType.REASON, (), focus
    if verb_lemma in NAMING_VERBS and _named_thing(doc, idx, verb):
        # "What was his website called?": a name is asked for, not someone's words.
        return AnswerType.DESCRIPTION, (), focus
    if verb_lemma in REPORTING_VERBS and not _reported_about(verb, tok):
        return AnswerType.STATEMENT, (), focus
    # "What did the deal cost?" asks for money; "What did he pay £50m for?" (money given, "what"
    # the object of "for") asks for the thing.
    # "What is Tsutsumi charged with?": a preposition left without its object has the wh-word
    # as its object, and a charge is an accusation.
    if (
        verb_lemma in _MONEY_VERBS
        and tok.dep_ in {"dobj", "attr", "dative"}
        and not any(doc[i].ent_type_ == "MONEY" for i in idx)
        and not _stranded_preposition(verb, members)
    ):
        return AnswerType.AMOUNT, (), focus
    if "worth" in {doc[i].lower_ for i in idx}:
        return AnswerType.AMOUNT, (), focus
    if (
        tok.dep_ == "pobj"
        and _price_preposition(tok.head)
        and not any(doc[i].ent_type_ == "MONEY" for i in idx)
    ):
        return AnswerType.AMOUNT, (), focus
    return AnswerType.DESCRIPTION, (), focus


# Money nouns that are as often a thing with a name: "What award did the writers vote him?"
# ("Ambassador for Tennis"), "what prize did she win" ("the Booker Prize").
_NAMED_MONEY = frozenset({"award", "prize"})


def _to_a_level(doc: Doc, wh: Token) -> bool:
    """The wh-word after "to" or "by" on a verb of change ("to what did it raise the offer", "by
    what did sales fall"): spaCy's small model parses it either as the preposition's object or,
    with the preposition left dangling, as the verb's object."""
    before = doc[wh.i - 1] if wh.i > 0 else None
    if before is None or before.lower_ not in {"to", "by"}:
        # "What had the total risen to by February?": "to" left stranded on the verb (the
        # small model may hang the wh-word on the auxiliary).
        verb = wh.head.head if wh.head.dep_ in {"aux", "auxpass"} else wh.head
        return verb.lemma_.lower() in _LEVEL_VERBS and any(
            c.lower_ == "to" and _stranded(c) for c in verb.children
        )
    verb = wh.head.head if wh.dep_ == "pobj" else wh.head
    return verb.lemma_.lower() in _LEVEL_VERBS


def _speaker_asked(focus: Token, verb: Token) -> bool:
    """The noun asked about is the active subject of the verb ("Which law lord said ...?"), not
    its object asked with "do" ("What problem did Wipro say ...?") nor a passive's subject
    ("Which soldiers were accused ...?")."""
    return (
        focus.dep_ == "nsubj"
        and focus.head.i == verb.i
        and not any(
            c.dep_ in {"aux", "auxpass"} and c.lemma_ in {"do", "be"} for c in verb.children
        )
        and not any(c.dep_ in {"nsubj", "nsubjpass"} and c.i != focus.i for c in verb.children)
    )


def _named_thing(doc: Doc, idx: Sequence[int], verb: Token) -> bool:
    """A naming verb asked in the passive: a form of "be" before it and no "do" ("What was his
    website called?", which spaCy's small model parses as a past tense, not a passive; "What
    did Johnson call the plan?" asks for his words)."""
    before = [doc[i].lemma_.lower() for i in idx if i < verb.i]
    return "be" in before and "do" not in before


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


def _reported_about(verb: Token, wh: Token) -> bool:
    """ "What is Tsutsumi accused of?": a reporting verb in the passive whose subject is a thing
    or person other than the wh-word, with no agent ("by ..."), is said about its subject; what
    is asked is the accusation or claim, not the subject's words. ("What was said about X?" has
    the wh-word as its subject: someone's words are asked for.)"""
    children = list(verb.children)
    # The small model often labels such a subject "nsubj" beside the "auxpass" ("is accused").
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in children)
    other_subject = any(
        c.dep_ in {"nsubj", "nsubjpass"} and c.i != wh.i and wh.i not in {t.i for t in c.subtree}
        for c in children
    )
    return passive and other_subject and not any(c.dep_ == "agent" for c in children)


def _stranded(tok: Token) -> bool:
    """A preposition left without its object: the wh-word is its object ("paid for ?")."""
    return tok.dep_ == "prep" and not any(c.dep_ in {"pobj", "pcomp"} for c in tok.children)


def _ends_stranded(doc: Doc, idx: Sequence[int]) -> Token | None:
    """The clause's last word when it is a stranded preposition ("What is the cash for?"), not
    one a relative clause strands on its pronoun ("the investor that Parry is in talks with")."""
    words = [doc[i] for i in idx if not doc[i].is_punct]
    if not words or words[-1].pos_ != "ADP" or not _stranded(words[-1]):
        return None
    rel = next((a for a in words[-1].ancestors if a.dep_ == "relcl"), None)
    pronoun = rel is not None and any(
        c.tag_ in {"WDT", "WP"} and c.dep_ not in _SUBJECT_DEPS for c in rel.children
    )
    return None if pronoun else words[-1]


def _price_preposition(prep: Token) -> bool:
    """ "sell for", "valued at": the preposition its verb takes a price with."""
    return prep.lower_ == _PRICE_PREPOSITIONS.get(prep.head.lemma_.lower())


def _stranded_preposition(verb: Token, members: set[int]) -> bool:
    """ "charged with ?", "paid for ?": the verb has a stranded preposition."""
    return any(c.i in members and _stranded(c) for c in verb.children)


def _of_object(noun: Token, members: set[int]) -> Token | None:
    """The noun after "of" on ``noun`` ("the name of the teenager" -> "teenager")."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in {"NOUN", "PROPN"} and obj.i in members:
                    return obj
    return None


def _who_alternatives(doc: Doc, wh: Token, members: set[int]) -> tuple[AnswerType, ...]:
    """ "who" usually asks for a person, but a company can be the answer ("who bought X").

    Only when the question calls the answer a person ("who is the new manager", "who replaced
    him as chief executive") is a company ruled out.
    """
    verb = wh.head
    people = _FOCUS_NOUNS[AnswerType.PERSON]
    for child in verb.children:
        if child.i not in members or child.i == wh.i:
            continue
        if child.dep_ in {"attr", "nsubj"} and child.lemma_.lower() in people:
            return ()
        if (
            child.dep_ == "prep"
            and child.lower_ == "as"
            and any(o.dep_ == "pobj" and o.lemma_.lower() in people for o in child.children)
        ):
            return ()
    return (AnswerType.ORGANISATION,)
