"""Claim-level checks of a generated sentence against its source, on spaCy's parse.

A summary sentence is supported only when a window of at most two adjacent source
sentences says the same thing:
- its content words are there (by lemma), its names and numbers all of them, and each
  number with its own noun ("13-hour shift" where the source has "shifts of 13 hours");
- who does what is the same: a verb's subject in the sentence is its subject there;
- negation and status agree: "approved" is not "rejected", "has challenged" is not
  "will challenge", "agreed" is not "refused".
Degenerate text (repetition, prompt labels, the headline again) fails whatever it says.
Every check returns a short reason, or None when the sentence holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# A window must hold this share of the sentence's content words.
COVERAGE = 0.75
WINDOW = 2  # adjacent source sentences
SHORT_CLAIM = 3  # content words: a claim this short may miss one of them
# Repetition: the same sentence again, or one word sequence over and over.
REPEAT_SIMILARITY = 0.6
REPEATED_NGRAM, REPEATS = 3, 3
MIN_WORDS = 4
NUMBER_REACH = 4  # tokens around a number in which its noun stands
# Words a model can add without adding a claim ("has been", "also", "the decision to").
GENERIC = {
    "be", "have", "do", "say", "tell", "add", "also", "new", "make", "take", "set", "expect", "plan", "include",
    "follow", "come", "go", "get", "give", "part", "way", "number", "time", "year", "day", "well", "still",
}  # fmt: skip
# Labels of a prompt or a template the model echoed instead of writing a sentence.
PROMPT_LABELS = re.compile(
    r"^\W*(?:title|summary|article|text|headline|demonstration|example|answer|output|input|briefing)\s*:", re.I
)
# Verbs that say the opposite of each other: a sentence with one where its window has the other is false.
OPPOSITES = {
    frozenset(pair)
    for pair in (
        ("approve", "reject"), ("accept", "reject"), ("agree", "refuse"), ("agree", "disagree"), ("win", "lose"),
        ("rise", "fall"), ("increase", "cut"), ("raise", "lower"), ("open", "close"), ("support", "oppose"),
        ("uphold", "overturn"), ("allow", "ban"), ("accept", "decline"), ("lift", "impose"), ("confirm", "deny"),
    )
}  # fmt: skip
_FUTURE_MARKERS = {"will", "would", "shall", "could", "may", "might", "'ll", "’ll"}


@dataclass(frozen=True)
class Clause:
    """A verb of the source with what the checks need of it."""

    lemma: str
    subjects: frozenset[str]  # lemmas of its subject's words (empty for a pronoun or none)
    named: bool  # the subject has a name: it says who, where a bare descriptor only says what
    negated: bool
    future: bool  # announced, planned or hypothetical, not done


@dataclass
class Window:
    sentences: tuple[int, ...]
    lemmas: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    numbers: dict[str, set[str]] = field(default_factory=dict)  # number -> lemmas of words near it
    clauses: list[Clause] = field(default_factory=list)


class Source:
    """A parsed article (and its headline) as windows of adjacent sentences."""

    def __init__(self, doc: Doc, title: Doc | None = None) -> None:
        sentences = [s for s in doc.sents if s.text.strip()]
        if title is not None:
            sentences = [*[s for s in title.sents if s.text.strip()], *sentences]
        self.units = [_describe(s) for s in sentences]
        self.windows = [
            _merge([self.units[j] for j in range(i, min(i + size, len(self.units)))], i, size)
            for size in range(1, WINDOW + 1)
            for i in range(len(self.units) - size + 1)
        ]
        self.title_lemmas = _describe(next(iter(title.sents))).lemmas if title is not None and len(title) else set()

    def best_window(self, lemmas: set[str], names: set[str] = frozenset()) -> tuple[Window | None, float]:
        """The window that holds the claim's names and most of its words (the shorter on a tie)."""
        if not lemmas or not self.windows:
            return (self.windows[0] if self.windows else None), 1.0
        scored = [
            (len(names & w.lemmas), len(lemmas & w.lemmas) / len(lemmas), -len(w.sentences), w) for w in self.windows
        ]
        _, share, _, window = max(scored, key=lambda item: item[:3])
        return window, share


def check(sentence: Span, source: Source, earlier: Sequence[Span] = ()) -> str | None:
    """Why `sentence` is not supported by `source`, or None."""
    degenerate = _degenerate(sentence, source, earlier)
    if degenerate is not None:
        return degenerate
    for claim in claims_of(sentence):
        problem = _check_claim(claim, source)
        if problem is not None:
            return problem
    return None


def claims_of(sentence: Span) -> list[list[Token]]:
    """The sentence's claims: its main clause, and each coordinated, adverbial or relative
    clause on its own, with the subject it shares ("Chad and Sudan agreed to reopen the
    crossings, and agreed to exchange officers" makes two claims, each about Chad and Sudan)."""
    root = sentence.root
    split_at = [
        t
        for t in sentence
        if t.pos_ in ("VERB", "AUX") and t.dep_ in ("conj", "advcl", "relcl") and t.i != root.i and _own_clause(t)
    ]
    claims: list[list[Token]] = []
    taken: set[int] = set()
    for head in sorted(split_at, key=lambda t: -len(list(t.subtree))):
        tokens = [t for t in head.subtree if t.i not in taken]
        taken.update(t.i for t in tokens)
        claims.append([*_shared_subject(head), *tokens])
    rest = [t for t in sentence if t.i not in taken]
    return [rest, *claims] if rest else claims


def _own_clause(verb: Token) -> bool:
    """A clause that states something of its own: it has an object, a complement or a subject."""
    return any(
        c.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "xcomp", "ccomp", "prep", "acomp") for c in verb.children
    )


def _shared_subject(verb: Token) -> list[Token]:
    """The subject a clause without one of its own takes from the clause it hangs on."""
    if any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return []
    if verb.dep_ == "relcl":
        return [verb.head]
    governor = verb.head
    for _ in range(3):
        subject = next((c for c in governor.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return [t for t in subject.subtree if t.pos_ in ("NOUN", "PROPN")]
        if governor.head is governor:
            break
        governor = governor.head
    return []


def _check_claim(tokens: Sequence[Token], source: Source) -> str | None:
    unit = _describe(tokens)
    window, share = source.best_window(unit.lemmas, unit.names)
    if window is None:
        return "nothing in the article to check it against"
    missing = sorted(unit.lemmas - window.lemmas)
    # A short claim may say one word its own way ("the ban" for "the sanction"), never two.
    if share < COVERAGE and not (len(missing) == 1 and len(unit.lemmas) >= SHORT_CLAIM):
        missing = missing[:4]
        return f"not said together in the article ({', '.join(missing)})"
    missing_names = sorted(name for name in unit.names - window.lemmas if not _demonym_of(name, window.lemmas))
    if missing_names:
        return f"{', '.join(missing_names)} not in the sentences it rests on"
    for number, nouns in unit.numbers.items():
        there = window.numbers.get(number)
        if there is None:
            return f"{number} not in the sentences it rests on"
        if nouns and there and not nouns & there:
            return f"{number} goes with other words in the article"
    return _relations(unit.clauses, window.clauses) or _speaker_of(unit, window, source)


# Verbs that put words in someone's mouth.
SPEECH = {"say", "tell", "add", "warn", "argue", "insist", "claim", "state", "describe", "call", "announce"}


def _speaker_of(unit: _Unit, window: Window, source: Source) -> str | None:
    """ "X said Y": Y must be what X says there, in X's sentence or in a quotation right after it
    whose speaker is a pronoun, not what someone else says next to X's name."""
    speech = [c for c in unit.clauses if c.lemma in SPEECH and c.named]
    if not speech:
        return None
    said = unit.lemmas - speech[0].subjects - {c.lemma for c in speech}
    if not said:
        return None
    for index in window.sentences:
        here = source.units[index]
        speakers = [c for c in here.clauses if c.lemma in SPEECH]
        own = any(c.subjects & speech[0].subjects for c in speakers)
        follows = (
            index > 0
            and speakers
            and all(not c.named for c in speakers)
            and speech[0].subjects & source.units[index - 1].lemmas
        )
        if (own or follows) and len(said & here.lemmas) / len(said) >= COVERAGE:
            return None
    return "the article does not put these words in that speaker's mouth"


# --- what a sentence says ---


@dataclass
class _Unit:
    lemmas: set[str]
    names: set[str]
    numbers: dict[str, set[str]]
    clauses: list[Clause]


def _describe(span: Span | Sequence[Token]) -> _Unit:
    lemmas, names, numbers, clauses = set(), set(), {}, []
    tokens = sorted(span, key=lambda t: t.i)
    for index, token in enumerate(tokens):
        if token.like_num or token.pos_ == "NUM":
            value = _number(token.text)
            if value:
                near = tokens[max(0, index - NUMBER_REACH) : index + NUMBER_REACH + 1]
                numbers.setdefault(value, set()).update(_lemma(t) for t in near if _nounlike(t))
                lemmas.add(value)
            continue
        if token.pos_ == "VERB":
            clauses.append(_clause(token))  # light verbs too: "said" carries who said it
        if not _content(token):
            continue
        lemmas.add(_lemma(token))
        if token.pos_ == "PROPN" or token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
            names.add(_lemma(token))
    return _Unit(lemmas, names, numbers, clauses)


def _merge(units: Sequence[_Unit], first: int, size: int) -> Window:
    window = Window(tuple(range(first, first + size)))
    for unit in units:
        window.lemmas |= unit.lemmas
        window.names |= unit.names
        for number, nouns in unit.numbers.items():
            window.numbers.setdefault(number, set()).update(nouns)
        window.clauses.extend(unit.clauses)
    return window


def _clause(verb: Token) -> Clause:
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None and verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        subject = next((c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    subjects = frozenset()
    if subject is not None and subject.pos_ not in ("PRON", "DET"):
        # The names that make the subject who it is: its head and the words of its name, not
        # a possessor ("Canada's main funder" is not Canada) or what a clause says of it.
        named = [subject, *[c for c in subject.children if c.dep_ in ("compound", "flat", "appos")]]
        subjects = frozenset(_lemma(t) for t in named if _content(t) or t.pos_ == "PROPN")
        has_name = any(t.pos_ == "PROPN" for t in named)
    else:
        has_name = False
    negated = any(c.dep_ == "neg" or c.lower_ in ("never", "no") for c in verb.children)
    return Clause(_lemma(verb), subjects, has_name, negated, _future(verb))


def _future(verb: Token) -> bool:
    """Announced, planned, expected or hypothetical: "will challenge", "plans to appeal", "is to close"."""
    token = verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in _FUTURE_MARKERS for c in token.children):
            return True
        if any(c.lower_ == "to" and c.dep_ == "aux" for c in token.children):
            return True  # an infinitive states no deed: "plans to appeal", "a programme to fund projects"
        if token.dep_ not in ("xcomp", "conj", "ccomp") or token.head is token:
            break
        token = token.head
    return False


# Verbs too light to say who did what ("has been", "made a", "took place").
LIGHT = {"be", "have", "do", "make", "take", "get", "go", "come", "give", "include", "follow"}


def _relations(claims: Sequence[Clause], source: Sequence[Clause]) -> str | None:
    for claim in claims:
        if claim.lemma in LIGHT:
            continue
        same = [c for c in source if c.lemma == claim.lemma]
        opposite = [c for c in source if frozenset((c.lemma, claim.lemma)) in OPPOSITES]
        if not same:
            if opposite:
                return f"the article says {opposite[0].lemma}, not {claim.lemma}"
            continue  # a paraphrase: the coverage check has already weighed its words
        if all(c.negated != claim.negated for c in same):
            return f"{'not ' if claim.negated else ''}{claim.lemma}: the article says the opposite"
        if not claim.future and all(c.future for c in same):
            return f"{claim.lemma} is announced in the article, not done"
        # Who: compared by name only; a descriptor or a pronoun there may be the same actor.
        if claim.subjects and not any(not c.named or c.subjects & claim.subjects for c in same):
            return f"in the article someone else does the {claim.lemma}ing"
    return None


# --- degenerate text ---


def _degenerate(sentence: Span, source: Source, earlier: Sequence[Span]) -> str | None:
    text = sentence.text.strip()
    words = [t.lower_ for t in sentence if t.is_alpha]
    if PROMPT_LABELS.match(text) or re.search(r"\b(?:Title|Summary|Article|Demonstration)\s*:", text):
        return "a prompt label, not a sentence"
    if len(words) < MIN_WORDS or sentence.root.pos_ not in ("VERB", "AUX"):
        return "a fragment, not a sentence"  # "Civic Centre, where councillors will meet": a caption
    grams = [tuple(words[i : i + REPEATED_NGRAM]) for i in range(len(words) - REPEATED_NGRAM + 1)]
    if grams and max(grams.count(g) for g in set(grams)) >= REPEATS:
        return "the same words over and over"
    mine = set(words)
    for previous in earlier:
        theirs = {t.lower_ for t in previous if t.is_alpha}
        if mine and len(mine & theirs) / len(mine | theirs) >= REPEAT_SIMILARITY:
            return "repeats an earlier sentence"
    lemmas = _describe(sentence).lemmas
    if source.title_lemmas and lemmas and lemmas <= source.title_lemmas:
        return "only repeats the headline"
    return None


# --- words ---


HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "mx"}


def _content(token: Token) -> bool:
    return (
        token.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")
        and not token.is_stop
        and token.is_alpha
        and _lemma(token) not in GENERIC
        and token.lower_.rstrip(".") not in HONORIFICS  # "Mr Johnson" for "Boris Johnson"
    )


def _demonym_of(name: str, lemmas: set[str]) -> bool:
    """ "Lebanon" where the article says "Lebanese police": a country and its adjective share a stem."""
    stem = name[:5]
    return len(name) >= 5 and any(word.startswith(stem) and word != name for word in lemmas)


def _nounlike(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN") or token.text in ("%", "£", "$", "€")


def _lemma(token: Token) -> str:
    if token.text == "%" or token.lower_ in ("percent", "cent"):
        return "percent"  # "15%", "15 percent", "15 per cent"
    if token.pos_ == "PROPN":
        return token.lower_.replace("’", "'").removesuffix("'s")
    return (token.lemma_ or token.lower_).casefold()


def _number(text: str) -> str:
    digits = re.sub(r"[^\d.]", "", text.replace(",", ""))
    return digits.strip(".")
