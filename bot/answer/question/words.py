"""The classes of English words a question uses to ask for a kind of answer.

("which *club*", "*how much*", "what did P *say*"). They are written from English, not fitted
on evaluation questions, and each list is kept once, here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.types import AnswerType

if TYPE_CHECKING:
    from spacy.tokens import Token


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line."""
    return frozenset(text.split())


# Reporting verbs (lemmas): "what did P say", and in article sentences "P said ...".
REPORTING_VERBS = _words("""
    say tell warn claim insist argue add describe call state announce admit deny explain suggest
    believe think reveal report confirm stress urge predict acknowledge accuse comment note
    remark declare maintain contend complain concede conclude write promise pledge vow threaten
    ask reply respond react answer tweet boast joke quip recall praise criticise criticize
    dismiss defend blame allege assert indicate signal speak talk
    """)

# "How did P respond/react ..." asks for what P said.
_RESPONSE_VERBS = _words(
    "respond react reply answer describe explain justify defend greet view see"
)

# The verbs of a question about what someone said or how they responded (the statement answer
# type): "what did P say", "how did P react".
STATEMENT_VERBS = REPORTING_VERBS | _RESPONSE_VERBS
# Verbs that give something a name: asked in the passive ("What is the chip called?") they ask
# for the name, not for anyone's words.
NAMING_VERBS = _words("call name dub nickname title")

# The noun a wh-determiner asks about ("which club", "what price"), by the answer it wants.
_FOCUS_NOUNS: dict[AnswerType, frozenset[str]] = {
    AnswerType.AMOUNT: _words("""
        price cost fee salary wage pay sum amount fine value bid offer budget payout
        compensation bonus damages prize award tax bill debt loan fund funding investment revenue
        turnover profit loss sale sales income spending deal fortune worth money cash ransom rent
        charge tariff subsidy grant settlement valuation payment surplus deficit taking earning
        proceed receipt winning royalty saving allowance
        """),
    AnswerType.COUNT: _words("number count total tally attendance crowd"),
    AnswerType.QUANTITY: _words("""
        percentage proportion share rate level speed distance weight height length depth size
        population figure temperature age margin growth increase decrease rise fall drop capacity
        ratio majority turnout duration reading
        """),
    AnswerType.DATE: _words(
        "date year day month time week season decade century hour period deadline timeframe "
        "timescale timetable"
    ),
    AnswerType.PERSON: _words("""
        person man woman player minister manager coach boss chief executive chairman chairwoman
        president director actor actress singer star artist musician writer author politician mp
        msp
        leader candidate official spokesman spokeswoman spokesperson secretary chancellor
        footballer striker midfielder defender goalkeeper captain winger batsman bowler athlete
        prop hooker flanker scrum wicketkeeper spinner shareholder housemate gamer landowner
        servant councillor soldier
        judge lawyer officer presenter host designer founder owner head champion rival
        successor predecessor winner runner-up finalist contestant nominee member rapper
        comedian celebrity boxer driver rider golfer cyclist sprinter runner referee umpire
        governor mayor senator king queen prince princess pope chef doctor scientist economist
        analyst campaigner suspect victim journalist editor producer filmmaker composer
        teenager student pupil boy girl child
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
        neighbourhood building arena circuit course park square road avenue bridge hotel
        theatre hall church cathedral museum gallery palace castle prison jail beach mountain
        river lake valley suburb township shantytown slum resort
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

# A source's measuring of a figure ("How many users did Ofcom count?"), which passages write
# "according to Ofcom, there were ...": not the figure's own verb.
_MEASURING_VERBS = _words("count record register estimate calculate measure")

# "What did it sell for?", "What was the firm valued at?": the wh-word as the object of the
# preposition these verbs take a price with asks for money.
_PRICE_PREPOSITIONS = {"sell": "for", "auction": "for", "value": "at", "price": "at"}

# "How big ..." asks a size, and news gives the size of a loss, a debt or a fraud in money and
# of a crowd or a backlog as a count ("How big a loss did Dortmund post": "68m euros"; "how big
# was its backlog": "250,000").
_SIZE_ADJECTIVES = _words("big large small huge")

# "How far west would the line run?": to a place ("as far west as Maidenhead"), not a distance.
_DIRECTIONS = _words("north south east west inland")

# "What charges did he admit?": a charge admitted, denied or faced is an accusation, not a fee.
_ACCUSING_VERBS = _words("admit deny face plead drop bring file clear convict acquit")

# "how much did prices rise", "by how much did it cut prices": a size of change, given as a
# share or as money ("rose 5%", "rose £2bn to £4.6bn"; bot.answer.question.classify).
_CHANGE_VERBS = _words("""
    rise fall increase decrease grow drop climb decline jump slump shrink gain slip surge soar
    plunge tumble rally expand contract improve worsen cut reduce lower slash trim
    """)

# "to what did it raise the offer": a change, or a verb that makes one, reaches a level.
_LEVEL_VERBS = _CHANGE_VERBS | _words("raise lift boost hike")

# "how long": a duration (spaCy: DATE) with these verbs or after "for"; else a length.
_DURATION_VERBS = _words("take last serve remain stay wait spend run reign hold keep")

# Prepositions that introduce a statement's topic ("say about T", "respond to T").
_TOPIC_PREPS = _words("about on over regarding concerning to of towards toward into with against")

WH_WORDS = _words("what which who whom whose when where why how")
_COORDINATORS = frozenset({"and", "or", "but", "plus"})
THIRD_PERSON_PRONOUNS = _words("he she it they him her them his hers its their theirs")
# Determiners that make a noun phrase a definite description ("the Foreign Secretary"), which
# stands for someone named elsewhere.
DEFINITE_DETERMINERS = _words("the this that these those")
# Words of a name or a phrase the question gives that carry none of its meaning: "Bank of
# England" needs "bank" and "england"; "their first UK week" needs "first", "uk" and "week"
# (the article writes "its first week on sale ... UK gamers"); "Jean de la Fontaine" needs
# "jean" and "fontaine".
NAME_FILLER = (
    _words("the of and a an s 's in on for at to our")
    | _words("de la le von van der")
    | THIRD_PERSON_PRONOUNS
    | DEFINITE_DETERMINERS
)


def names_within(name: str, phrase: str) -> bool:
    """Whether ``phrase`` names ``name``: holds its text, or its words but filler (the subject
    the parse gives of "How much did Meet the Fockers take ..." is "Meet Fockers")."""
    if name in phrase:
        return True
    words = [w for w in name.split() if w.lower() not in NAME_FILLER]
    return bool(words) and set(words) <= set(phrase.split())


_NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
# spaCy's entity labels of names (not numbers or dates).
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# Mention labels that may name a person (a proper-noun run the NER missed may too).
PERSON_LABELS = frozenset({"PERSON", "PROPN"})
_DATE_LABELS = frozenset({"DATE", "TIME"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass"})

# "Name the bands ...", "List the ...": the imperative's object is asked for.
_IMPERATIVES = _words("name list identify give")

# Verbs too light to be a part's term ("be", "do", "have").
_LIGHT_VERBS = _words("be do have")

# Auxiliaries that invert with the subject and take a base verb ("did X pay", "will X cut"), and
# "have", which takes a past participle ("has X said").
_BASE_AUX = _words("do will would can could shall should may might must")


def is_definite(head: Token) -> bool:
    """Whether the phrase headed by ``head`` is a definite description: a definite determiner or
    a possessive ("the Foreign Secretary", "his deputy"), which stands for someone named elsewhere
    even though spaCy tags its words PROPN."""
    return any(
        c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in DEFINITE_DETERMINERS)
        for c in head.children
    )


def _is_wh(tok: Token) -> bool:
    """A question word (not "that", which the tagger also tags WDT)."""
    return tok.lower_ in WH_WORDS


def is_imperative(tok: Token) -> bool:
    """ "Name ...", "List ...": a verb asking for things, with no subject ("did Shell give"
    has one). Not by its tag: the tagger takes a question's first "List" for a noun."""
    return tok.lower_ in _IMPERATIVES and not any(c.dep_ in _SUBJECT_DEPS for c in tok.children)


def title_word(tok: Token) -> bool:
    """A capitalised word of any kind inside a sentence: after a name's first word, the rest of
    a title the tagger reads as words ("Drink Or Die", "Vote For Me")."""
    return tok.text[:1].isupper() and not tok.is_sent_start and not _is_wh(tok)


def asked_kind(lemma: str) -> bool:
    """A noun a question asks about by its kind ("price", "club", "MP"): one of
    :data:`_FOCUS_NOUNS`, whatever the tagger calls it."""
    return any(lemma in nouns for nouns in _FOCUS_NOUNS.values())


# Punctuation that ends a question or joins its parts ("4.75%" keeps its sign, quotes stay).
_JOINING_PUNCT = frozenset({"?", ".", "!", ",", ";", ":", "-", "–", "—", "..."})
