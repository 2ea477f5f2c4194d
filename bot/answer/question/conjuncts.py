"""Coordinated names that ask one thing of each: "How old were Lord Scarman and Lord Callaghan
when they died?" is two questions, one per name, often answered by two articles.

:func:`split_conjuncts` returns a clause once with each of two coordinated phrases (the words
they share, and one conjunct), when it can tell the conjuncts apart from the words' order alone.
spaCy's small model attaches a long second conjunct ("... at Lansdowne Road and Scotland's win
over Italy") to the nearest noun, not to its parallel, so the parse is not used to find them.
Two shapes are read:

* **names**: "A and B" where each side is a named entity, not a preposition's object (one
  scope: "jobs cut in France and Germany"), optionally after a description ("the former judge
  Lord Scarman and the former prime minister Lord Callaghan"), and the right one ends the
  phrase (a verb, "each", an asking word, a preposition, punctuation or the end follows it);
  "name at place and name at place" pairs too;
* **possessives**: "X's N ... and Y's M ..." ("Ireland's win over England at Lansdowne Road and
  Scotland's win over Italy at Murrayfield", "the men's title in Adelaide and the women's
  Canberra Classic", "Wasps' defeat by Leicester and their win at London Irish"): the right
  conjunct starts with a possessive and runs to the next verb, asking word or punctuation; the
  left starts at the nearest possessive before the coordinator.

Left as one: a pair a preposition relates ("the match between Leeds and Millwall") or that has
one thing together ("agree on in their call"); a list of more than two; a
coordination inside a named entity ("Marks and Spencer") or before a noun it modifies ("the
Richard and Judy book club"); sides that name nothing ("about inflation and unemployment").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.words import _is_wh, _words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Prepositions whose object is a pair taken together ("between A and B").
_JOINT_PREPS = _words("between among amongst")
# Words after a list of subjects that ask the same of each ("A and B each agreed").
_DISTRIBUTIVE = _words("each both respectively")
_DESCRIPTION_POS = frozenset({"ADJ", "NOUN", "PROPN"})


def split_conjuncts(doc: Doc, idx: list[int]) -> tuple[list[int], list[int]] | None:
    """The clause ``idx`` once with each of two coordinated phrases, or ``None``."""
    members = set(idx)
    for k, i in enumerate(idx):
        if doc[i].lower_ not in {"and", "or"} or k == 0 or k + 1 >= len(idx):
            continue
        if any(ent.start <= i < ent.end for ent in doc.ents) or doc[i - 1].text == ",":
            continue  # "Marks and Spencer"; "A, B and C" is a list of more than two
        pair = _names(doc, idx[:k], idx[k + 1 :]) or _possessives(doc, idx[:k], idx[k + 1 :])
        if pair is None:
            continue
        left, right = pair
        before = left[0] - 1
        if before in members and doc[before].lower_ in _JOINT_PREPS:
            continue
        if _shared_by_both(doc, idx, set(left) | set(right)):
            continue
        gone = set(right) | {i}
        with_left = [j for j in idx if j not in gone]
        with_right: list[int] = []
        for j in idx:
            if j in gone:
                continue
            if j in left:
                if j == left[0]:
                    with_right.extend(right)
                continue
            with_right.append(j)
        return with_left, with_right
    return None


def _names(doc: Doc, before: list[int], after: list[int]) -> tuple[list[int], list[int]] | None:
    right = _description_run(doc, after)
    if not right or not _ends_phrase(doc, after, len(right)):
        return None
    # The left name: the named entity right before the coordinator, with its determiner, and
    # its description when the right one has one ("the former judge Lord Scarman").
    ent = next((e for e in doc.ents if e.start <= before[-1] < e.end), None)
    if ent is None or ent.label_ in _NUMERIC:
        return None
    n = len(before)
    while n > 0 and before[n - 1] >= ent.start:
        n -= 1
    if doc[right[0]].pos_ == "DET":
        m = n
        while m > 0 and doc[before[m - 1]].pos_ in _DESCRIPTION_POS:
            m -= 1
        if m > 0 and doc[before[m - 1]].pos_ == "DET":
            n = m - 1
    elif n > 0 and doc[before[n - 1]].pos_ == "DET":
        n -= 1
    left = before[n:]
    if any(doc[j].text == "," for j in left):
        return None  # "Bez, Kenzie and Brigitte Nielsen" (one entity for the NER): a list
    m = n
    while m > 0 and doc[before[m - 1]].pos_ in {"ADJ", "NOUN"}:
        m -= 1
    if m > 0 and doc[before[m - 1]].text == ",":
        return None  # "to Asia, eastern Europe and Mexico": a list of more than two
    if n > 0:
        prev = doc[before[n - 1]]
        # "Keane's Hopes and Fears", "A Series of Unfortunate Events or ...", "spammer Jeremy
        # Jaynes and ...", "Bez, Kenzie and ...": a name goes on, or a list of more than two.
        if prev.tag_ == "POS" or prev.pos_ == "NOUN" or prev.lower_ == "of" or prev.text == ",":
            return None
        # "Paul Tellier at Bombardier and Philippe Camus at EADS": the same preposition after
        # each name; the conjuncts are "name at place".
        nxt = doc[after[len(right)]] if len(right) < len(after) else None
        if prev.pos_ == "ADP":
            if nxt is None or nxt.lower_ != prev.lower_:
                return None  # "jobs cut in France and Germany": one scope, one story
            wider = _parallel(doc, before[: n - 1], after, len(right))
            if wider is None:
                return None
            left, right = before[wider[0] :], after[: wider[1]]
    if not (_entity(doc, left) and _entity(doc, right)):
        return None
    return left, right


def _parallel(doc: Doc, before: list[int], after: list[int], n: int) -> tuple[int, int] | None:
    """Where the left conjunct starts (in ``before``) and the right one ends (in ``after``) when
    both are "name + preposition + name": the names before the left's preposition, and the
    right's preposition with the names after it."""
    k = len(before)
    while k > 0 and doc[before[k - 1]].pos_ == "PROPN":
        k -= 1
    if k == len(before):
        return None
    end = n + 1
    while end < len(after) and doc[after[end]].pos_ in {"PROPN", "DET"}:
        end += 1
    if end == n + 1 or not _ends_phrase(doc, after, end):
        return None
    return k, end


def _description_run(doc: Doc, after: list[int]) -> list[int]:
    """An optional determiner and description, then proper nouns: "the horror film Boogeyman"."""
    n = 0
    if doc[after[0]].pos_ == "DET":
        n = 1
        while n < len(after) and doc[after[n]].pos_ in {"ADJ", "NOUN"}:
            n += 1
    m = n
    while m < len(after) and doc[after[m]].pos_ == "PROPN":
        m += 1
    if m < len(after) and doc[after[m]].lower_ == "of":
        return []  # a name that goes on: "the Order of the Phoenix", "Hearts of Oak"
    return after[:m] if m > n else []


def _ends_phrase(doc: Doc, after: list[int], n: int) -> bool:
    if n >= len(after):
        return True
    nxt = doc[after[n]]
    if nxt.pos_ == "ADV" and n + 1 < len(after):
        # "Travis finally raise": an adverb before the verb.
        return doc[after[n + 1]].pos_ in {"AUX", "VERB"} or nxt.lower_ in _DISTRIBUTIVE
    return (
        nxt.pos_ in {"AUX", "VERB", "ADP", "SCONJ", "PUNCT"}
        or nxt.lower_ in _DISTRIBUTIVE
        or _is_wh(nxt)
    )


def _possessives(
    doc: Doc, before: list[int], after: list[int]
) -> tuple[list[int], list[int]] | None:
    if _possessive_length(doc, after) == 0:
        return None
    right: list[int] = []
    for j in after:
        tok = doc[j]
        if (
            _is_wh(tok)
            or tok.lower_ in _DISTRIBUTIVE
            or tok.lower_ in {"and", "or"}
            or tok.pos_ in {"AUX", "SCONJ", "PUNCT"}
            or (tok.pos_ == "VERB" and not _after_possessive(doc, tok))
        ):
            break
        right.append(j)
    # The nearest possessive phrase before the coordinator, not past a verb or asking word.
    for n in range(len(before) - 1, -1, -1):
        tok = doc[before[n]]
        if _is_wh(tok) or tok.pos_ == "AUX" or tok.text in {":", ",", ";"}:
            return None
        if tok.pos_ == "VERB" and (
            not _after_possessive(doc, tok) or _main_verb(doc, before[:n], tok)
        ):
            return None
        if _possessive_length(doc, before[n:]) and (n == 0 or not _inside(doc, before[n])):
            left = before[n:]
            if _entity(doc, left) or _entity(doc, right):
                return left, right
            return None
    return None


def _shared_by_both(doc: Doc, idx: list[int], conjuncts: set[int]) -> bool:
    """A plural possessive outside the conjuncts: the pair has one thing together ("May and
    Trump agree on in their call", "charge Liverpool and Millwall after their match")."""
    for j in idx:
        tok = doc[j]
        if j in conjuncts or tok.pos_ != "PRON":
            continue
        if "Yes" in tok.morph.get("Poss", []) and "Plur" in tok.morph.get("Number", []):
            return True
    return False


def _main_verb(doc: Doc, earlier: list[int], verb: Token) -> bool:
    """``verb`` is the clause's main verb after do-support or a modal ("What did Amazon's Robin
    Terrell say"), not a noun after a possessive ("What were Ireland's Six Nations win")."""
    for j in reversed(earlier):
        tok = doc[j]
        if tok.pos_ == "VERB":
            return False
        if tok.pos_ == "AUX" and tok.lemma_ != "be":
            return True
    return False


def _possessive_length(doc: Doc, ids: list[int]) -> int:
    """Tokens of a possessive at the start of ``ids`` ("their", "Scotland 's", "the men 's")."""
    if not ids:
        return 0
    if doc[ids[0]].tag_ == "PRP$":
        return 1
    n = 1 if doc[ids[0]].pos_ == "DET" else 0
    m = n
    while m < len(ids) and doc[ids[m]].pos_ in {"PROPN", "NOUN"}:
        m += 1
    if m > n and m < len(ids) and doc[ids[m]].tag_ == "POS":
        return m + 1
    return 0


def _inside(doc: Doc, j: int) -> bool:
    """Token ``j`` continues a phrase begun before it (after a determiner or a noun)."""
    prev = doc[j - 1] if j > 0 else None
    return prev is not None and (
        prev.pos_ in {"DET", "ADJ", "PROPN", "NOUN"} or prev.tag_ in {"POS", "PRP$"}
    )


def _after_possessive(doc: Doc, tok: Token) -> bool:
    """A word tagged as a verb that heads a possessed noun phrase ("Scotland's win", "Ireland's
    Six Nations win")."""
    if tok.i == 0:
        return False
    prev = doc[tok.i - 1]
    return prev.tag_ in {"POS", "PRP$"} or prev.pos_ in {"PROPN", "NUM"}


def _entity(doc: Doc, ids: list[int]) -> bool:
    """A named entity of the NER among ``ids``."""
    return any(doc[j].ent_type_ and doc[j].ent_type_ not in _NUMERIC for j in ids)


_NUMERIC = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "DATE", "TIME"})
