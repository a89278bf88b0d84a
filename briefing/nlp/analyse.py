"""Run the NLP stage over all articles at once (one spaCy pass with nlp.pipe)
and turn each article into its actors, positions and next steps."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from briefing.article import Article
from briefing.document import Actor, NextStep, Position
from briefing.nlp.actors import ActorDraft, ActorIndex, rank
from briefing.nlp.names import INSTITUTION_HEADS
from briefing.nlp.next_steps import find_next_steps
from briefing.nlp.positions import SAY_VERBS, STANCE_VERBS, FoundPosition, find_positions
from briefing.nlp.quotes import QuoteMap
from briefing.nlp.spacy_model import load_nlp

# 3 to 8 actors for a typical article; a long one with a large cast gets a few more.
MAX_ACTORS = 20
MAX_ACTORS_LONG = 30
WORDS_PER_EXTRA_ACTOR = 400


@dataclass(frozen=True)
class Analysis:
    actors: tuple[Actor, ...] = ()
    positions: tuple[Position, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    names: frozenset[str] = frozenset()  # every name and alias of every actor, for the faithfulness guard


def analyse_articles(articles: Sequence[Article], default_anchor: dt.date | None) -> Iterator[Analysis]:
    """One Analysis per article, in order. Undated articles are anchored on `default_anchor`."""
    nlp = load_nlp()
    texts = (article.text for article in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16), strict=True):
        yield analyse_doc(doc, article.published or default_anchor)


def analyse_doc(doc, anchor: dt.date | None) -> Analysis:  # type: ignore[no-untyped-def]
    quotes = QuoteMap(doc.text)
    index = ActorIndex(doc, quotes)
    positions = find_positions(doc, index, quotes)

    def resolve_actor(span) -> str | None:  # type: ignore[no-untyped-def]
        actor = index.resolve(span)
        if actor is None or actor.channel_only:
            return None  # a channel
        # "The association will hold an assembly": the body itself is the subject (not "drivers in X")
        doing_it = (
            actor.type == "organisation"
            and span.root.dep_ == "nsubj"
            and (
                span.root.lemma_.casefold() in INSTITUTION_HEADS
                or any(m.span.root == span.root for m in actor.mentions)
            )
        )
        if actor.type != "person" and not (actor.acting or actor.spoke or doing_it):
            return None  # a place or body that is only where things happen
        return actor.name

    next_steps = _attributed_to_speaker(find_next_steps(doc, anchor, resolve_actor, quotes), positions)
    evidence = Counter(id(p.actor) for p in positions)
    by_name = {a.name: a for a in index.actors}
    # A next step makes an actor more salient, but cannot by itself make a place or a
    # hospital that is only somewhere into an actor.
    actors_who_act = {name: a for name, a in by_name.items() if a.acting or a.spoke}
    evidence.update(id(actors_who_act[s.actor]) for s in next_steps if s.actor in actors_who_act)
    # A country or capital that says, agrees or rejects something is an actor even when the
    # sentence is someone else's position ("saying that Ottawa had agreed to keep two stations").
    evidence.update(id(a) for a in index.actors if a.type == "place" and _takes_a_side(a, quotes))
    words = len(doc.text.split())
    limit = min(MAX_ACTORS_LONG, MAX_ACTORS + max(0, words - 1000) // WORDS_PER_EXTRA_ACTOR)
    key_actors = rank(index.actors, evidence, limit=limit)
    return Analysis(
        actors=tuple(_to_actor(a) for a in key_actors),
        positions=tuple(Position(p.actor.name, p.statement, p.evidence, p.kind, p.verb) for p in positions),
        next_steps=tuple(next_steps),
        names=frozenset(name for actor in index.actors for name in actor.all_names()),
    )


def _to_actor(draft: ActorDraft) -> Actor:
    aliases = tuple(sorted(a for a in draft.aliases if a != draft.name))
    return Actor(name=draft.name, type=draft.type, aliases=aliases, role=draft.role, mentions=len(draft.mentions))  # type: ignore[arg-type]


def _takes_a_side(actor: ActorDraft, quotes: QuoteMap) -> bool:
    return any(
        m.span.root.dep_ == "nsubj"
        and m.span.root.head.lemma_.casefold() in SAY_VERBS | STANCE_VERBS
        and not quotes.inside(m.span.start_char)
        for m in actor.mentions
    )


def _attributed_to_speaker(steps: list[NextStep], positions: Sequence[FoundPosition]) -> list[NextStep]:
    """A step whose own words name no actor ("“I intend to talk to everyone,”", "the text
    would be published after that") is the plan of whoever the sentence is attributed to."""
    speaker_of: dict[str, str] = {}
    for position in positions:
        speaker_of.setdefault(position.evidence, position.actor.name)
    return [
        replace(step, actor=speaker_of[step.evidence]) if step.actor is None and step.evidence in speaker_of else step
        for step in steps
    ]
