"""A question clause's root, verb and subject, repairing known tagging errors (inverted
questions read from word order), and a statement's topic terms."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from bot.answer.question.mentions import _content_terms
from bot.answer.question.words import _BASE_AUX, _SUBJECT_DEPS, _TOPIC_PREPS, _is_wh

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token


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
        if (
            region
            and tok.tag_ in wanted
            and tok.pos_ in {"VERB", "AUX"}
            and tok.dep_ != "amod"  # "has the injured striker been dropped"
            and not _title_before_name(tok, verbs)
        ):
            if tok.lemma_ in {"be", "have", "get"}:
                # "will the summit be held", "has it been sold": the participle is the verb.
                # Not an adjective's participle: "have on his injured right knee".
                participle = next(
                    (t for t in after if t.i > tok.i and t.tag_ == "VBN" and t.dep_ != "amod"),
                    None,
                )
                if participle is not None:
                    return participle, _subject_words(region)
            return tok, _subject_words(region)
        if tok.tag_ == "MD" or (tok.pos_ == "AUX" and region):
            break
        region.append(tok)
    # No verb tagged: the first word of the run that English has as a verb and that follows a
    # name ("Thierry Henry score") or ends a noun phrase ("the auction house set for").
    for k, tok in enumerate(region[1:], start=1):
        if tok.pos_ == "PROPN" or tok.lower_ not in verbs or _title_before_name(tok, verbs):
            continue
        nxt = after[k + 1] if k + 1 < len(after) else None
        after_name = region[k - 1].pos_ == "PROPN"
        ends_phrase = nxt is None or nxt.pos_ in _BOUNDARY_POS or nxt.tag_ == "MD"
        if nxt is not None and nxt.lower_ == "of":  # "the price of oil": a noun
            ends_phrase = False
        if after_name or ends_phrase:
            return tok, _subject_words(region[:k])
    return None


def _title_before_name(tok: Token, verbs: AbstractSet[str]) -> bool:
    """ "did Ireland coach Eddie O'Sullivan answer ...": a word that may be a verb, before a
    name that a verb follows, is the name's title; "did Chelsea sign Arjen Robben?" has no
    verb after the name."""
    doc = tok.doc
    k = tok.i + 1
    if k >= len(doc) or doc[k].pos_ != "PROPN":
        return False
    while k < len(doc) and (doc[k].pos_ == "PROPN" or doc[k].tag_ == "POS"):
        k += 1
    if k >= len(doc) or doc[k - 1].tag_ == "POS":
        return False
    nxt = doc[k]
    return nxt.tag_ in {"VB", "VBP"} or (nxt.pos_ == "NOUN" and nxt.lower_ in verbs)


def _subject_words(region: list[Token]) -> set[int]:
    """The words between the auxiliary and the verb, less adverbs, negation and auxiliaries:
    "did he then hold talks", "what did Brando reportedly say" (the subject is "he", not "he
    then"); none in "how many schools have already asked", "who had been evicted"."""
    return {t.i for t in region if t.pos_ not in {"ADV", "PART", "AUX"}}


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


def _topic_terms(doc: Doc, verb: Token, members: set[int], skip: set[int]) -> tuple[str, ...]:
    """Content lemmas of the prepositional phrases that say what a statement was about.

    A topic phrase is governed by the verb or by its object ("claims of a rift"). Inside it, a
    verb's phrase of circumstance ("keeping the Cup after losing to Leicester": a preposition
    not of :data:`_TOPIC_PREPS` on a verb) says when or where, not what about, and a common
    noun with a proper name in apposition ("the late comedian Cyril Fletcher") is the name."""
    ids: set[int] = set()
    for tok in (doc[i] for i in sorted(members)):
        if tok.pos_ != "ADP" or tok.lower_ not in _TOPIC_PREPS or tok.i in skip:
            continue
        if tok.head.i == verb.i or (tok.head.head.i == verb.i and tok.head.dep_ != "prep"):
            ids |= _topic_subtree(tok, members)
    # The verb's object: in "tell the BBC" the listener, never the topic.
    objects = (
        []
        if verb.lemma_ == "tell"
        else [
            c
            for c in verb.children
            if c.dep_ in {"dobj", "oprd", "dative"} and c.i in members and c.i not in skip
        ]
    )
    if ids:
        # "How did Eddington describe the airline's results for the quarter to December?": a
        # common noun as the object is a topic beside the prepositional ones (the listener,
        # when there is one, is a person: "warn Lehmann about his place").
        objects = [
            c for c in objects if c.dep_ != "dative" and c.pos_ == "NOUN" and not c.ent_type_
        ]
    # Without them, "What did Mallon call the No campaign?": the object is the topic.
    for child in objects:
        ids |= _topic_subtree(child, members)
    return _content_terms(doc[i] for i in sorted(ids) if i not in skip)


def _said_terms(complement: Sequence[Token]) -> tuple[str, ...]:
    """A statement's topic when no phrase says what it was about: the content terms of the rest
    of the clause, without a source it is attributed to ("According to referee Graham Poll,
    what did Thierry Henry ask him?": Poll reports the words, they are not about him)."""
    source = {d.i for t in complement if t.lower_ == "according" for d in t.subtree}
    return _content_terms(t for t in complement if t.i not in source and t.pos_ != "AUX")


def _topic_subtree(tok: Token, members: set[int]) -> set[int]:
    """The tokens of a topic phrase, without its circumstances and appositive descriptions."""
    cut: set[int] = set()
    for d in tok.subtree:
        if d.i == tok.i or d.i not in members:
            continue
        if (
            d.pos_ == "ADP"
            and d.dep_ == "prep"
            and d.head.pos_ == "VERB"
            and d.lower_ not in _TOPIC_PREPS
        ):
            cut |= {x.i for x in d.subtree}
        elif d.dep_ == "appos" and d.pos_ == "PROPN" and d.head.pos_ == "NOUN":
            # Keep the name; drop the noun it names and that noun's own modifiers.
            noun = d.head
            name = {x.i for x in d.subtree}
            cut |= {x.i for x in noun.subtree if x.i not in name}
    return {d.i for d in tok.subtree if d.i in members and d.i not in cut}
