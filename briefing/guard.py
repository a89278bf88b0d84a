"""The faithfulness guard: a generated summary may only say what its article says.

Small models invent things (SmolLM2-135M once wrote that France would meet the
Belgian prime minister in Calais). Every sentence of a generated summary is
checked against the source, first as a whole:
- each named entity must appear in the article (allowing for the aliases the
  NLP stage found: "Mr Johnson" for "Boris Johnson", "NEU" for the union);
- a title must be one the article gives that person; each number must appear;
- two entities named together must appear together somewhere in the article;
then claim by claim, on the parse (claims.py): each claim must rest on at most two
adjacent source sentences, with who does what, negation and status as they are there.
A sentence that fails is dropped, with a warning that says why. If nothing usable is
left, the article's lead replaces the summary; with `lead_first`, the lead is the
summary and the checked sentences only add to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.claims import HONORIFICS
from briefing.models.extractive import lead_summary
from briefing.text import sentence_spans, split_sentences, words

# Entity labels whose text must be found in the source.
_NAMED = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
# Of those, the ones that take part in the "named together" check.
_PAIRED = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WINDOW = 2  # entities named together must co-occur within this many neighbouring sentences
MIN_WORDS_LEFT = 8  # below this, what is left is no summary
# Lead first: a checked generated sentence is added when it brings this many new words, within the cap.
NEW_WORDS = 4
LEAD_FIRST_WORDS = 70
_DROP_PREFIX = ("the ", "a ", "an ")


@dataclass(frozen=True)
class GuardResult:
    text: str
    sentences: int  # in the generated summary
    dropped: int
    replaced: bool  # the extractive summary was used instead
    warnings: tuple[str, ...] = ()


def guard_summaries(
    summaries: Sequence[str],
    sources: Sequence[str],
    aliases: Sequence[Iterable[str]],
    titles: Sequence[str | None] | None = None,
    lead_first: bool = False,
) -> list[GuardResult]:
    """Check each summary against its source text; `aliases` are the actor names per article."""
    titles = titles or [None] * len(sources)
    return [
        check_summary(summary, source, frozenset(names), title, lead_first)
        for summary, source, names, title in zip(summaries, sources, aliases, titles, strict=True)
    ]


def judge_sentences(
    sentences: Sequence[str], source: str, title: str | None = None, aliases: Iterable[str] = ()
) -> list[str | None]:
    """For each sentence of a generated summary, why the article does not support it, or None."""
    from briefing.claims import Source, check
    from briefing.nlp.spacy_model import load_nlp

    nlp = load_nlp()
    parsed = [doc[:] for doc in nlp.pipe(sentences, batch_size=32)]
    article = Source(nlp(source), nlp(title) if title else None)
    # The headline is source text too: a summary may repeat what it says.
    index = _SourceIndex(f"{title}\n\n{source}" if title else source, frozenset(aliases))
    return [
        _unsupported(sentence, index) or check(sentence, article, parsed[:number])
        for number, sentence in enumerate(parsed)
    ]


def check_summary(
    summary: str, source: str, aliases: frozenset[str], title: str | None = None, lead_first: bool = False
) -> GuardResult:
    sentences = [" ".join(s.split()) for s in split_sentences(summary) if s.strip()]
    verdicts = judge_sentences(sentences, source, title, aliases)
    kept = [sentence for sentence, verdict in zip(sentences, verdicts, strict=True) if verdict is None]
    reasons = [verdict for verdict in verdicts if verdict is not None]
    if lead_first:
        return _lead_first(source, sentences, kept, reasons)
    text = " ".join(kept)
    replaced = not kept or (bool(reasons) and len(words(text)) < MIN_WORDS_LEFT)
    warnings: list[str] = []
    if reasons:
        warnings.append(
            f"faithfulness guard dropped {len(reasons)} of {len(sentences)} summary sentences: " + "; ".join(reasons)
        )
    if replaced:
        text = lead_summary(source)
        warnings.append("nothing the model wrote could be checked against the article, so the summary is its lead")
    return GuardResult(text, len(sentences), len(reasons), replaced, tuple(warnings))


def lead_first_additions(lead: str, kept: Sequence[str]) -> list[str]:
    """The checked generated sentences that say something the lead does not, within the cap."""
    known = {w.casefold() for w in words(lead)}
    added: list[str] = []
    for sentence in kept:
        new = [w for w in words(sentence) if w.casefold() not in known and len(w) > 3]
        if len(new) >= NEW_WORDS and len(words(" ".join([lead, *added, sentence]))) <= LEAD_FIRST_WORDS:
            added.append(sentence)
            known.update(w.casefold() for w in words(sentence))
    return added


def _lead_first(source: str, sentences: Sequence[str], kept: Sequence[str], reasons: Sequence[str]) -> GuardResult:
    """The article's lead, then the model's checked sentences that say what the lead does not."""
    lead = lead_summary(source)
    added = lead_first_additions(lead, kept)
    warnings = [f"summary: the article's lead, with {len(added)} of {len(sentences)} generated sentences"]
    if reasons:
        warnings.append(
            f"faithfulness guard dropped {len(reasons)} of {len(sentences)} summary sentences: " + "; ".join(reasons)
        )
    return GuardResult(" ".join([lead, *added]), len(sentences), len(reasons), not added, tuple(warnings))


def _unsupported(sentence, index: _SourceIndex) -> str | None:  # type: ignore[no-untyped-def]
    missing = [ent.text for ent in sentence.ents if ent.label_ in _NAMED and not index.has_name(ent.text, ent.label_)]
    if missing:
        return f"{_list(missing)} not in the article"
    titles = [title for title in (_title_before(ent) for ent in sentence.ents if ent.label_ == "PERSON") if title]
    wrong = [(title, name) for title, name in titles if not index.titled(title, name)]
    if wrong:
        return "; ".join(f"the article never calls {name} ‘{title}’" for title, name in wrong)
    numbers = [n for n in _NUMBER.findall(sentence.text) if _plain_number(n) not in index.numbers]
    if numbers:
        return f"{_list(numbers)} not in the article"
    named = list(dict.fromkeys(ent.text for ent in sentence.ents if ent.label_ in _PAIRED))
    for i, first in enumerate(named):
        for second in named[i + 1 :]:
            if not index.together(first, second):
                return f"the article never links {first} and {second}"
    return None


def _title_before(ent) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """('Prime Minister', 'Gerald Darmanin') for "Prime Minister Gerald Darmanin" in a summary."""
    doc = ent.doc
    start = ent.start
    while (
        start > ent.sent.start
        and doc[start - 1].pos_ in ("PROPN", "NOUN")
        and doc[start - 1].is_title
        and not doc[start - 1].ent_type_
    ):
        start -= 1
    if start == ent.start or doc[start : ent.start].text.casefold().rstrip(".") in HONORIFICS:
        return None
    return doc[start : ent.start].text, ent.text


def _list(items: Sequence[str]) -> str:
    return ", ".join(f"‘{item}’" for item in dict.fromkeys(items))


def _plain_number(text: str) -> str:
    return text.replace(",", "").rstrip(".")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    for prefix in _DROP_PREFIX:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return " ".join(text.split())


class _SourceIndex:
    def __init__(self, source: str, aliases: frozenset[str]) -> None:
        self.sentences = [_normalise(source[a:b]) for a, b in sentence_spans(source)] or [_normalise(source)]
        self.numbers = {_plain_number(n) for n in _NUMBER.findall(source)}
        self.aliases = {_normalise(a) for a in aliases}

    def _forms(self, name: str) -> list[str]:
        """Ways the source may write this name: itself, or its last word for a person."""
        norm = _normalise(name)
        parts = norm.split()
        return [norm, parts[-1]] if len(parts) > 1 and parts[-1][:1].isalpha() else [norm]

    def has_name(self, name: str, label: str) -> bool:
        norm = _normalise(name)
        if not norm or norm in self.aliases or self._mentions(norm):
            return True
        # "Prime Minister Johnson" or "Mr Johnson" may stand for "Boris Johnson".
        return label == "PERSON" and len(self._forms(name)) > 1 and bool(self._mentions(self._forms(name)[1]))

    def titled(self, title: str, name: str) -> bool:
        """The source puts this title right before this person ("Prime Minister Boris Johnson")."""
        title_form = _normalise(title)
        surname = self._forms(name)[-1]
        pattern = re.compile(rf"{re.escape(title_form)}\s+(?:\w+\s+){{0,2}}{re.escape(surname)}(?!\w)")
        return any(pattern.search(sentence) for sentence in self.sentences)

    def _mentions(self, form: str) -> list[int]:
        pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)")
        return [i for i, sentence in enumerate(self.sentences) if pattern.search(sentence)]

    def together(self, first: str, second: str) -> bool:
        a = {i for form in self._forms(first) for i in self._mentions(form)}
        b = {i for form in self._forms(second) for i in self._mentions(form)}
        if not a or not b:
            return True  # an alias-only match: has_name already vouched for it
        return any(abs(i - j) <= _WINDOW for i in a for j in b)
