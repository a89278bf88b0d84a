"""The format-free Briefing tree that every renderer takes.

`to_dict()` produces the pinned JSON shape; other tools rely on it, so change it
only together with the JSON schema test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

ActorType = Literal["person", "organisation", "place", "group"]
# quote: the actor's own words in quotation marks; reported: "X said (that) …";
# stance: a position taken without a speech verb ("the board rejected the bid").
PositionKind = Literal["quote", "reported", "stance"]
Backend = Literal["seq2seq", "chat", "extractive", "endpoint"]


@dataclass(frozen=True)
class Actor:
    name: str
    type: ActorType
    aliases: tuple[str, ...] = ()
    role: str | None = None
    mentions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "type": self.type,
            "role": self.role,
            "mentions": self.mentions,
        }


@dataclass(frozen=True)
class Position:
    actor: str
    statement: str
    evidence: str  # a sentence copied verbatim from the article
    kind: PositionKind = "reported"
    verb: str | None = None  # the attribution verb's lemma; ranks stances for the reading layer

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "statement": self.statement, "evidence": self.evidence, "kind": self.kind}


@dataclass(frozen=True)
class NextStep:
    text: str
    evidence: str  # a sentence copied verbatim from the article
    when: str | None = None  # the time expression as written
    date: dt.date | None = None  # only when derivable, never guessed
    actor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "when": self.when,
            "date": _iso(self.date),
            "actor": self.actor,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class ArticleBriefing:
    id: str
    title: str | None
    source: str
    published: dt.date | None
    summary: str
    url: str | None = None
    actors: tuple[Actor, ...] = ()
    positions: tuple[Position, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    warnings: tuple[str, ...] = ()
    words: int = 0  # the article's length: the reading layer gives a long story more room

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "published": _iso(self.published),
            "words": self.words,
            "summary": self.summary,
            "actors": [actor.to_dict() for actor in self.actors],
            "positions": [position.to_dict() for position in self.positions],
            "next_steps": [step.to_dict() for step in self.next_steps],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class SourceError:
    source: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "error": self.error}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    backend: Backend
    endpoint: str | None = None  # a model server's host[:port], never its path or credentials

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "backend": self.backend, **({"endpoint": self.endpoint} if self.endpoint else {})}


@dataclass(frozen=True)
class Story:
    """Articles about one event, with their actors, positions and next steps merged."""

    articles: tuple[int, ...]  # 0-based indices into Briefing.articles; the first leads
    actors: tuple[Actor, ...] = ()
    positions: tuple[Position, ...] = ()
    next_steps: tuple[NextStep, ...] = ()


@dataclass(frozen=True)
class WhoRow:
    """One line of the "Who's who today" table: an actor merged across articles."""

    name: str
    type: ActorType
    role: str | None
    articles: tuple[int, ...]  # 1-based numbers of the stories they appear in


@dataclass(frozen=True)
class DueStep:
    """A next step announced in an earlier briefing that falls due now (history.py)."""

    step: NextStep
    story_id: str
    headline: str  # the story it was announced in
    announced: dt.date  # the briefing that first carried it
    status: Literal["due", "was due"]  # "was due": its date passed with no article since

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.step.to_dict(),
            "status": self.status,
            "story_id": self.story_id,
            "headline": self.headline,
            "announced": self.announced.isoformat(),
        }


@dataclass(frozen=True)
class Developing:
    """A story linked to one in an earlier briefing, and what is new in it since."""

    story_id: str
    day: int  # how many briefing days the story has been in, today included
    first_seen: dt.date
    previous_date: dt.date  # the last briefing that carried it
    previously: str  # that briefing's headline for it
    new_positions: tuple[Position, ...] = ()
    new_voices: tuple[str, ...] = ()  # actors of new_positions not heard from before
    new_steps: tuple[NextStep, ...] = ()
    past_steps: tuple[NextStep, ...] = ()  # announced earlier, dated since the last briefing

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "day": self.day,
            "first_seen": self.first_seen.isoformat(),
            "previous_date": self.previous_date.isoformat(),
            "previously": self.previously,
            "new_positions": [p.to_dict() | {"new_voice": p.actor in self.new_voices} for p in self.new_positions],
            "new_steps": [step.to_dict() for step in self.new_steps],
            "past_steps": [step.to_dict() for step in self.past_steps],
        }


@dataclass(frozen=True)
class Continuity:
    """Where today's stories stand against the history of earlier briefings, by story
    (in `Briefing.story_list` order). Empty when the history is off."""

    story_ids: tuple[str, ...] = ()
    first_seen: tuple[dt.date, ...] = ()
    developing: tuple[Developing | None, ...] = ()
    due: tuple[DueStep, ...] = ()


@dataclass(frozen=True)
class Briefing:
    title: str
    date: dt.date
    generated_at: dt.datetime
    model: ModelInfo
    articles: tuple[ArticleBriefing, ...] = ()
    errors: tuple[SourceError, ...] = field(default=())
    # Articles about the same event grouped into stories (indices into `articles`).
    # Not part of the pinned JSON shape: JSON keeps one entry per article.
    stories: tuple[Story, ...] = ()
    continuity: Continuity = field(default_factory=Continuity)

    def whos_who(self) -> list[WhoRow]:
        """Actors merged across articles by shared names or aliases, most widespread first."""
        story_of = {i: number for number, story in enumerate(self.story_list, 1) for i in story.articles}
        groups = _group_actors(
            (story_of[i], actor) for i, article in enumerate(self.articles) for actor in article.actors
        )
        rows = [
            WhoRow(
                name=max((a.name for a in actors), key=len),
                type=actors[0].type,
                role=next((a.role for a in actors if a.role), None),
                articles=tuple(dict.fromkeys(numbers)),
            )
            for actors, numbers in groups
        ]
        return sorted(rows, key=lambda row: (-len(row.articles), min(row.articles)))

    @property
    def story_list(self) -> tuple[Story, ...]:
        """The stories, or one story per article when nothing grouped them."""
        if self.stories:
            return self.stories
        return tuple(
            Story((i,), article.actors, article.positions, article.next_steps)
            for i, article in enumerate(self.articles)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "date": self.date.isoformat(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "model": self.model.to_dict(),
            "articles": [article.to_dict() for article in self.articles],
            "errors": [error.to_dict() for error in self.errors],
        }


def name_key(name: str) -> str:
    """A name as compared across articles: case, apostrophes and a leading 'the' ignored."""
    return " ".join(name.casefold().replace("’", "'").removeprefix("the ").split())


def _group_actors(items: Iterable[tuple[int, Actor]]) -> list[tuple[list[Actor], list[int]]]:
    """Actors that share a name or alias (and a type) grouped, with the tags they came with."""
    groups: list[tuple[set[str], list[Actor], list[int]]] = []
    for tag, actor in items:
        keys = {name_key(name) for name in (actor.name, *actor.aliases)}
        group = next((g for g in groups if g[0] & keys and g[1][0].type == actor.type), None)
        if group is None:
            groups.append((keys, [actor], [tag]))
        else:
            group[0].update(keys)
            group[1].append(actor)
            group[2].append(tag)
    return [(actors, tags) for _, actors, tags in groups]


def merge_actors(actor_lists: Iterable[Iterable[Actor]]) -> list[Actor]:
    """One actor per person or organisation across several articles, most mentioned first."""
    groups = _group_actors((0, actor) for actors in actor_lists for actor in actors)
    merged = []
    for actors, _ in groups:
        name = max((a.name for a in actors), key=len)
        aliases = sorted({n for a in actors for n in (a.name, *a.aliases)} - {name})
        role = next((a.role for a in actors if a.role), None)
        merged.append(Actor(name, actors[0].type, tuple(aliases), role, sum(a.mentions for a in actors)))
    return sorted(merged, key=lambda a: -a.mentions)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
