"""Stories across days: link today's stories to those of earlier briefings, say what
is new in each, and find the steps announced earlier that fall due now.

Pure functions over what history.py loads; nothing here reads or writes the
database. Linking uses the same similarity as the story grouping (stories.py):
TF-IDF over the text, blended with the overlap of the actors' names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.document import Briefing, Continuity, Developing, DueStep, NextStep, Position, Story, name_key
from briefing.editor import near_duplicates
from briefing.stories import actor_keys as keys_of
from briefing.stories import blend, jaccard, tfidf_similarity

DEFAULT_WINDOW_DAYS = 14
DUE_AHEAD_DAYS = 7  # "due this week": today and the 6 days after it
# Measured on samples/days (eval/linking.py): an article scores at least 0.21 against the
# earlier articles of its own story, and at most 0.12 against any other, one that shares
# a minister included.
LINK_THRESHOLD = 0.15
PROFILE_CHARACTERS = 3000  # of each report's text: enough for the names and the topic


@dataclass(frozen=True)
class KnownStep:
    step: NextStep
    announced: dt.date  # the first briefing that carried it


@dataclass(frozen=True)
class EarlierStory:
    """A story as the history remembers it from briefings before today."""

    id: str
    first_seen: dt.date
    last_seen: dt.date
    days: int  # how many briefing days it was in
    headline: str  # its headline in the last briefing that carried it
    profile: str  # the text it is linked by
    actor_keys: frozenset[str]
    positions: tuple[Position, ...] = ()
    steps: tuple[KnownStep, ...] = ()


def story_profile(story: Story, briefing: Briefing, texts: Sequence[str]) -> str:
    """What a story is linked by: its reports' titles and the start of their text."""
    parts = []
    for index in story.articles:
        article = briefing.articles[index]
        parts.append(f"{article.title or ''}\n{texts[index][:PROFILE_CHARACTERS]}")
    return "\n\n".join(parts)


def actor_keys(story: Story) -> frozenset[str]:
    return keys_of(story.actors)


def link(
    profiles: Sequence[str], keys: Sequence[frozenset[str]], earlier: Sequence[EarlierStory], threshold: float
) -> list[EarlierStory | None]:
    """For each of today's stories, the earlier story it continues (the most similar one
    at or above `threshold`), or None. An earlier story continues in one of today's at
    most: the most similar pair is linked first."""
    links: list[EarlierStory | None] = [None] * len(profiles)
    if not earlier or not profiles:
        return links
    scores = similarity(profiles, keys, earlier)
    pairs = sorted(
        ((row[j], i, j) for i, row in enumerate(scores) for j in range(len(earlier)) if row[j] >= threshold),
        reverse=True,
    )
    taken: set[int] = set()
    for _, i, j in pairs:
        if links[i] is None and j not in taken:
            links[i] = earlier[j]
            taken.add(j)
    return links


def similarity(
    profiles: Sequence[str], keys: Sequence[frozenset[str]], earlier: Sequence[EarlierStory]
) -> list[list[float]]:
    """Today's stories (rows) against earlier ones (columns), blended as stories.py blends."""
    text = tfidf_similarity([*profiles, *(story.profile for story in earlier)])
    today = len(profiles)
    return [
        [blend(text[i][today + j], jaccard(keys[i], story.actor_keys)) for j, story in enumerate(earlier)]
        for i in range(today)
    ]


def continuity(
    briefing: Briefing,
    texts: Sequence[str],
    earlier: Sequence[EarlierStory],
    due_candidates: Sequence[tuple[EarlierStory, KnownStep]],
    previous_briefing: dt.date | None,
    threshold: float = LINK_THRESHOLD,
) -> Continuity:
    """Story ids, what is developing and what falls due, for `briefing` against the history."""
    stories = briefing.story_list
    today = briefing.date
    links = link(
        [story_profile(story, briefing, texts) for story in stories],
        [actor_keys(s) for s in stories],
        earlier,
        threshold,
    )
    leads = [briefing.articles[story.articles[0]] for story in stories]
    ids = _unique(
        [linked.id if linked else new_story_id(today, lead.id) for lead, linked in zip(leads, links, strict=True)]
    )
    developing = tuple(
        whats_new(story, linked, today) if linked else None for story, linked in zip(stories, links, strict=True)
    )
    linked_ids = {linked.id for linked in links if linked}
    todays_steps = [step for story in stories for step in story.next_steps]
    # A continuing story's step that today's report gives again, on its date, is on today's agenda.
    covered = {
        (linked.id, step.date)
        for story, linked in zip(stories, links, strict=True)
        if linked
        for step in story.next_steps
        if step.date
    }
    return Continuity(
        story_ids=ids,
        first_seen=tuple(linked.first_seen if linked else today for linked in links),
        developing=developing,
        due=due_steps(due_candidates, today, previous_briefing, linked_ids, todays_steps, covered),
    )


def new_story_id(day: dt.date, lead_id: str) -> str:
    """Stable across days: taken from the day a story is first seen and its first lead report
    (an article's id is unique in a briefing)."""
    return "s-" + hashlib.sha256(f"{day.isoformat()}|{lead_id}".encode()).hexdigest()[:12]


def whats_new(story: Story, earlier: EarlierStory, today: dt.date) -> Developing:
    """Positions from actors not heard before or with a new stance, new steps, and the
    steps announced earlier whose dates have come since the last briefing."""
    heard: dict[str, list[Position]] = {}
    for position in earlier.positions:
        heard.setdefault(name_key(position.actor), []).append(position)
    new_positions, new_voices = [], []
    for position in story.positions:
        before = heard.get(name_key(position.actor))
        if before is None:
            new_positions.append(position)
            if position.actor not in new_voices:
                new_voices.append(position.actor)
        elif not any(_same_position(position, old) for old in before):
            new_positions.append(position)
    known = [known.step for known in earlier.steps]
    new_steps = [step for step in story.next_steps if not any(_same_step(step, old) for old in known)]
    past = [
        known.step
        for known in earlier.steps
        if known.step.date is not None and earlier.last_seen <= known.step.date < today
    ]
    return Developing(
        story_id=earlier.id,
        day=earlier.days + 1,
        first_seen=earlier.first_seen,
        previous_date=earlier.last_seen,
        previously=earlier.headline,
        new_positions=tuple(new_positions),
        new_voices=tuple(new_voices),
        new_steps=tuple(new_steps),
        past_steps=tuple(sorted(past, key=lambda step: step.date or today)),
    )


def due_steps(
    candidates: Sequence[tuple[EarlierStory, KnownStep]],
    today: dt.date,
    previous_briefing: dt.date | None,
    linked_today: set[str],
    todays_steps: Sequence[NextStep],
    covered: set[tuple[str, dt.date]] = frozenset(),  # type: ignore[assignment]
) -> tuple[DueStep, ...]:
    """Steps from earlier briefings dated today or in the coming week ("due"), and those
    dated since the last briefing whose story has no article today ("was due", listed
    in the first briefing after their date, so once). A step that one of today's
    articles repeats is on today's agenda already."""
    due: list[DueStep] = []
    seen: list[NextStep] = []
    listed: set[tuple[str, dt.date]] = set()
    for story, known in sorted(candidates, key=lambda c: (c[1].step.date or today, c[1].announced)):
        step = known.step
        if step.date is None or (story.id, step.date) in covered or (story.id, step.date) in listed:
            continue  # one line per story and day: "the board meets" and "its board will meet"
        if any(_same_step(step, other) for other in [*todays_steps, *seen]):
            continue
        days = (step.date - today).days
        if days == 0 and story.id in linked_today:
            continue  # due today, and today's report on the story is the follow-up
        if 0 <= days < DUE_AHEAD_DAYS:
            status = "due"
        elif days < 0 and previous_briefing is not None and step.date >= previous_briefing:
            if story.id in linked_today:
                continue  # the story is in today's briefing: its Developing section says so
            status = "was due"
        else:
            continue
        seen.append(step)
        listed.add((story.id, step.date))
        due.append(DueStep(step, story.id, story.headline, known.announced, status))  # type: ignore[arg-type]
    return tuple(due)


def _same_position(a: Position, b: Position) -> bool:
    return a.evidence == b.evidence or near_duplicates(a.statement, b.statement)


def _same_step(a: NextStep, b: NextStep) -> bool:
    if a.evidence == b.evidence:
        return True
    return a.date == b.date and near_duplicates(a.text, b.text)


def _unique(ids: list[str]) -> tuple[str, ...]:
    """Each story its own id, even if two new stories' leads were the same text."""
    seen: set[str] = set()
    unique = []
    for number, story_id in enumerate(ids):
        while story_id in seen:
            story_id = f"{story_id}-{number}"
        seen.add(story_id)
        unique.append(story_id)
    return tuple(unique)
