"""The editor's hand: from everything the NLP stage found, the few facts a reader
needs first (the reading layer), with the rest kept for the detail section.

Pure functions over a format-free Briefing. Every renderer (Markdown, HTML, the
email, the calendar file and the JSON flags) draws the same selection from
`edit()`, so what a reader sees first is decided once, here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from briefing.document import (
    Actor,
    ArticleBriefing,
    Briefing,
    Developing,
    DueStep,
    NextStep,
    Position,
    Story,
    WhoRow,
    name_key,
)
from briefing.text import split_sentences, words

WORDS_PER_MINUTE = 230
# Each story's reading layer: a newsletter's one screen. The word caps keep the
# whole layer near a fifth of the news it condenses (eval/concision.py measures it).
MAX_WHO = 5
MUST_WHO = 3  # the most salient actors are always named
MAX_STANCES = 4
MAX_NEXT = 3
SUMMARY_WORDS = 30  # whole summary sentences up to this many words (the first one always)
STANCE_WORDS = 30
STEP_WORDS = 12
AGENDA_WORDS = 8
ROLE_WORDS = 4
HEADLINE_WORDS = 12
GLANCE_WORDS = 18
# A story's body (summary, who, stances, next steps) gets words in proportion to the
# news it condenses, within bounds: stances and steps past it wait in the detail
# section, so a long or busy story cannot crowd the page, and a short one still gets
# its summary, its people, a stance and a step.
BUDGET_SHARE = 0.11
MIN_BUDGET, MAX_BUDGET = 65, 110
# One article alone (`briefing url`) has the page to itself: no glance or agenda to share it with.
MAX_BUDGET_SINGLE = 170
TIMELINE_DAYS = 30
# Two items saying the same thing share most of their content words (Jaccard).
NEAR_DUPLICATE = 0.6
PAST = "Already past"

# Verbs whose subject takes a side: a position carried by one of them is a stance; one
# carried by "said" may be colour. Grouped by what the actor does.
_STANCE_VERBS = frozenset({
    "want", "demand", "seek", "call", "urge", "press", "ask", "request", "propose", "offer",  # wants
    "reject", "refuse", "oppose", "resist", "dismiss", "condemn", "deny", "challenge",  # rejects
    "criticise", "criticize", "accuse", "blame",  # blames
    "warn", "threaten", "insist", "argue", "defend",  # warns, argues
    "vow", "pledge", "promise", "plan", "intend",  # commits
    "back", "support", "welcome", "favour", "favor", "agree", "accept", "approve", "decide",  # decides, backs
})  # fmt: skip
# Modal and negated statements say what should, must or will not happen: a stance, not a scene.
_MODALS = frozenset({
    "will", "would", "should", "must", "shall", "need", "needs",
    "cannot", "can't", "won't", "wouldn't", "shouldn't", "not", "never", "no",
})  # fmt: skip
# Words that carry no content when comparing two statements ("he intends" = "I intend").
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
    "that", "this", "these", "those", "it", "its", "also", "not",
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did",
    "will", "would", "should", "could", "can", "may", "might", "must", "shall",
    "i", "we", "you", "he", "she", "they", "me", "us", "him", "her", "them", "my", "our", "your", "his", "their",
    "said", "says", "say", "told", "according",
})  # fmt: skip
# "had no further comment", "declined to comment", "did not respond to a request for
# comment": reported as speech, but the opposite of a stance.
_NO_COMMENT = re.compile(r"\b(?:no (?:further )?comment|declin\w* to comment|request for comment)\b", re.IGNORECASE)
_KIND_WEIGHT = {"stance": 2.0, "reported": 1.5, "quote": 1.0}


@dataclass(frozen=True)
class StanceLine:
    """One actor's position as the reading layer shows it."""

    actor: Actor | None  # None when the speaker is not among the story's ranked actors
    speaker: str  # the name the position gives
    position: Position
    text: str  # the statement, at most STANCE_WORDS words
    quoted: bool  # a direct quote: shown in quotation marks
    same_as_evidence: bool  # the statement says what the evidence says: no need to show both


@dataclass(frozen=True)
class StepLine:
    step: NextStep
    label: str | None  # "Mon 7 Dec", or the time expression as written
    text: str  # the step, at most STEP_WORDS words
    actor: str | None  # shown only when the text does not name the actor


@dataclass(frozen=True)
class StoryBrief:
    number: int  # 1-based, in reading order
    story: Story
    lead: ArticleBriefing  # the report that leads the story
    reports: tuple[ArticleBriefing, ...]  # every report, the lead first
    anchor: str  # the HTML id of the story's section
    headline: str
    summary: str  # the summary's first sentences (the whole summary is in the detail)
    who: tuple[Actor, ...]
    stances: tuple[StanceLine, ...]
    next_steps: tuple[StepLine, ...]
    glance: str  # the one line in "The day at a glance"
    notes: tuple[tuple[str, str], ...]  # (source, warning) for the detail section
    # A story that continues from an earlier briefing: its stances and next steps above
    # are only what is new since then; past_steps are earlier steps whose dates have come.
    developing: Developing | None = None
    past_steps: tuple[StepLine, ...] = ()
    story_id: str | None = None

    @property
    def summary_is_whole(self) -> bool:
        return self.summary == " ".join(self.lead.summary.split())


@dataclass(frozen=True)
class AgendaItem:
    date: dt.date
    step: NextStep
    story: int  # the story's number
    anchor: str
    headline: str
    article: ArticleBriefing  # the report the step comes from
    uid: str  # stable across runs: re-importing a calendar updates the event
    actor: str | None = None  # shown only when the step's text does not name the actor

    @property
    def text(self) -> str:
        return clip(self.step.text, AGENDA_WORDS)


@dataclass(frozen=True)
class AgendaGroup:
    label: str  # Today, This week, Later, Already past
    items: tuple[AgendaItem, ...]

    @property
    def past(self) -> bool:
        """Dates from older reports that have gone by: kept, but out of the reader's way."""
        return self.label == PAST


@dataclass(frozen=True)
class TimelineMark:
    item: AgendaItem
    day: int  # days after the briefing date (0 = today)
    row: int  # stacking order for several items on one day


@dataclass(frozen=True)
class ReadingLayer:
    date: dt.date
    stories: tuple[StoryBrief, ...]
    agenda: tuple[AgendaItem, ...]  # every dated next step, in date order
    whos_who: tuple[WhoRow, ...]  # actors in two or more stories
    # Steps announced in earlier briefings that fall due now, or fell due unreported.
    due: tuple[DueStep, ...] = ()

    @property
    def due_now(self) -> tuple[DueStep, ...]:
        return tuple(item for item in self.due if item.status == "due")

    @property
    def was_due(self) -> tuple[DueStep, ...]:
        return tuple(item for item in self.due if item.status == "was due")

    @property
    def single(self) -> bool:
        """One article (`briefing url`): its own layout, with no glance and no who's who."""
        return len(self.stories) == 1 and len(self.stories[0].reports) == 1

    def agenda_groups(self) -> list[AgendaGroup]:
        groups: dict[str, list[AgendaItem]] = {"Today": [], "This week": [], "Later": [], PAST: []}
        for item in self.agenda:
            days = (item.date - self.date).days
            label = PAST if days < 0 else "Today" if days == 0 else "This week" if days < 7 else "Later"
            groups[label].append(item)
        return [AgendaGroup(label, tuple(items)) for label, items in groups.items() if items]

    def timeline(self) -> list[TimelineMark]:
        """The agenda items of the coming TIMELINE_DAYS days, stacked where they share a day."""
        marks: list[TimelineMark] = []
        per_day: dict[int, int] = {}
        for item in self.agenda:
            day = (item.date - self.date).days
            if 0 <= day < TIMELINE_DAYS:
                marks.append(TimelineMark(item, day, per_day.get(day, 0)))
                per_day[day] = per_day.get(day, 0) + 1
        return marks

    def timeline_beyond(self) -> int:
        return sum(1 for item in self.agenda if (item.date - self.date).days >= TIMELINE_DAYS)

    def in_brief(self) -> InBrief:
        return InBrief.of(self)


@dataclass(frozen=True)
class InBrief:
    """What the reading layer shows, keyed so the JSON can flag each item (rank 1 = first)."""

    actors: dict[tuple[int, str], int]  # (story number, name key) -> rank in "Who"
    positions: dict[tuple[int, str, str], int]  # (story number, speaker, evidence) -> rank
    next_steps: dict[tuple[int, str, str], int]  # (story number, evidence, text) -> rank

    @classmethod
    def of(cls, layer: ReadingLayer) -> InBrief:
        actors, positions, steps = {}, {}, {}
        for story in layer.stories:
            for rank, actor in enumerate(story.who, 1):
                for name in (actor.name, *actor.aliases):
                    actors.setdefault((story.number, name_key(name)), rank)
            for rank, line in enumerate(story.stances, 1):
                positions[(story.number, line.position.actor, line.position.evidence)] = rank
            for rank, step_line in enumerate(story.next_steps, 1):
                steps[(story.number, step_line.step.evidence, step_line.step.text)] = rank
        return cls(actors, positions, steps)


def edit(briefing: Briefing) -> ReadingLayer:
    """The reading layer of `briefing`: what a busy reader sees first."""
    cap = MAX_BUDGET_SINGLE if len(briefing.articles) == 1 else MAX_BUDGET
    continuity = briefing.continuity
    stories = tuple(
        _brief_story(
            number,
            story,
            briefing,
            cap,
            continuity.developing[number - 1] if continuity.developing else None,
            continuity.story_ids[number - 1] if continuity.story_ids else None,
        )
        for number, story in enumerate(briefing.story_list, 1)
    )
    return ReadingLayer(
        date=briefing.date,
        stories=stories,
        agenda=_agenda(stories, briefing.date),
        whos_who=tuple(row for row in briefing.whos_who() if len(row.articles) >= 2),
        due=continuity.due,
    )


def reading_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))


def clip(text: str, limit: int) -> str:
    """At most `limit` words, cut at the last comma or clause break when one is near, with '…'."""
    parts = " ".join(text.split()).split(" ")
    if len(parts) <= limit:
        return " ".join(parts)
    head = parts[:limit]
    for cut in range(limit - 1, max(1, limit // 2) - 1, -1):  # prefer ending a clause over cutting one
        if head[cut - 1].endswith((",", ";", ":")):
            head = head[:cut]
            break
    return " ".join(head).rstrip(",;:") + " …"


def short_date(day: dt.date, today: dt.date) -> str:
    """'Mon 7 Dec', with the year when it is not the briefing's."""
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def content_words(text: str) -> set[str]:
    """Lower-cased content words with a crude suffix strip: 'intends' ~ 'intend'."""
    return {_stem(w) for w in (w.casefold() for w in words(text)) if w not in _FUNCTION_WORDS}


def near_duplicates(a: str, b: str) -> bool:
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= NEAR_DUPLICATE


def calendar_uid(article: ArticleBriefing, step: NextStep) -> str:
    """The same step of the same report gets the same UID on every run (its date may change)."""
    key = f"{article.url or article.id}\n{' '.join(step.evidence.split())}\n{step.text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@briefing"


# --- one story ---


def _brief_story(
    number: int,
    story: Story,
    briefing: Briefing,
    cap: int,
    developing: Developing | None = None,
    story_id: str | None = None,
) -> StoryBrief:
    reports = tuple(briefing.articles[i] for i in story.articles)
    lead = reports[0]
    headline = " ".join((lead.title or lead.source).split())  # titles are capped at 200 characters on input
    summary = _lead_sentences(lead.summary, SUMMARY_WORDS)
    source_words = sum(report.words for report in reports)
    budget = min(cap, max(MIN_BUDGET, round(BUDGET_SHARE * source_words))) - _count(summary)
    steps = _pick_steps(story, briefing.date, story.actors)
    stance_candidates = _pick_stances(story, [*split_sentences(lead.summary), *(s.step.evidence for s in steps)])
    past_steps: tuple[StepLine, ...] = ()
    if developing is not None:
        # A continuing story shows what is new since the last briefing, not yesterday's quotes again.
        steps = [line for line in steps if line.step in developing.new_steps]
        stance_candidates = [line for line in stance_candidates if line.position in developing.new_positions]
        past_steps = tuple(_step_line(step, briefing.date, story.actors) for step in developing.past_steps[:MAX_NEXT])
        budget -= sum(_cost(line) for line in past_steps) + _count(developing.previously)
    # What a reader needs most comes first; each later item is shown only if it fits in
    # the story's budget, so a long or busy story cannot crowd the page. The first
    # stance, the first step and the three most salient actors are always shown.
    who: list[Actor] = []
    stances: list[StanceLine] = []
    shown_steps: list[StepLine] = []
    queue: list[tuple[list[Any], Any, bool]] = [
        *((who, actor, True) for actor in story.actors[:MUST_WHO]),
        *((stances, line, i == 0) for i, line in enumerate(stance_candidates[:2])),
        *((shown_steps, line, i == 0) for i, line in enumerate(steps[:1])),
        *((who, actor, False) for actor in story.actors[MUST_WHO:MAX_WHO]),
        *((shown_steps, line, False) for line in steps[1:2]),
        *((stances, line, False) for line in stance_candidates[2:3]),
        *((shown_steps, line, False) for line in steps[2:]),
        *((stances, line, False) for line in stance_candidates[3:]),
    ]
    for shown, item, must in queue:
        cost = _cost(item)
        if must or cost <= budget:
            shown.append(item)
            budget -= cost
    upcoming = next((line for line in shown_steps if line.step.date and line.step.date >= briefing.date), None)
    return StoryBrief(
        number=number,
        story=story,
        lead=lead,
        reports=reports,
        anchor=f"a-{lead.id}",
        headline=headline,
        summary=summary,
        who=tuple(who),
        stances=tuple(stances),
        next_steps=tuple(shown_steps),
        glance=_glance(lead.title or lead.source, upcoming),
        notes=tuple((report.source, warning) for report in reports for warning in report.warnings),
        developing=developing,
        past_steps=past_steps,
        story_id=story_id,
    )


def _cost(item: Actor | StanceLine | StepLine) -> int:
    """Words an item adds to the page, its label and name included."""
    if isinstance(item, Actor):
        return _count(item.name) + _count(item.role or "")
    if isinstance(item, StanceLine):
        return _count(item.speaker) + _count(item.text)
    return _count(item.label or "") + _count(item.text) + _count(item.actor or "")


def _lead_sentences(summary: str, limit: int) -> str:
    sentences = [" ".join(s.split()) for s in split_sentences(summary)]
    if not sentences:
        return ""
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if _count(" ".join(kept)) + _count(sentence) > limit:
            break
        kept.append(sentence)
    text = " ".join(kept)
    return clip(text, limit + 10) if len(kept) == 1 else text  # one long sentence: cut, but not short


def _glance(headline: str, upcoming: StepLine | None) -> str:
    if upcoming is None:
        return clip(headline, GLANCE_WORDS)
    headline = clip(headline, HEADLINE_WORDS)
    room = max(4, GLANCE_WORDS - _count(headline) - 3)
    return f"{headline} — next: {upcoming.label}, {clip(_lower_first(upcoming.step.text), room)}"


def _pick_steps(story: Story, today: dt.date, actors: Sequence[Actor]) -> list[StepLine]:
    """Dated steps first (soonest first), then undated ones in the order reported; one of each near-duplicate."""
    order = sorted(
        enumerate(story.next_steps),
        key=lambda item: (item[1].date is None, item[1].date or dt.date.max, item[0]),
    )
    chosen: list[NextStep] = []
    for _, step in order:
        if any(_same_step(step, other) for other in chosen):
            continue
        chosen.append(step)
        if len(chosen) == MAX_NEXT:
            break
    return [_step_line(step, today, actors) for step in chosen]


def _same_step(a: NextStep, b: NextStep) -> bool:
    if a.evidence == b.evidence and a.date == b.date:
        return True
    same_actor = a.actor is None or b.actor is None or name_key(a.actor) == name_key(b.actor)
    return same_actor and (a.date is None or b.date is None or a.date == b.date) and near_duplicates(a.text, b.text)


def _step_line(step: NextStep, today: dt.date, actors: Sequence[Actor]) -> StepLine:
    label = short_date(step.date, today) if step.date else step.when
    text = clip(step.text, STEP_WORDS)
    actor = step.actor if step.actor and not _names_in(step.actor, text, actors) else None
    return StepLine(step, label, text, actor)


def _names_in(speaker: str, text: str, actors: Sequence[Actor]) -> bool:
    """Does `text` already name `speaker` (or one of its aliases)?"""
    names = {speaker}
    for actor in actors:
        if _same_actor(actor, speaker):
            names.update((actor.name, *actor.aliases))
    folded = text.casefold()
    return any(name.casefold() in folded for name in names if len(name) > 2)


def _pick_stances(story: Story, already_shown: Sequence[str]) -> list[StanceLine]:
    """One line for each of the most salient actors who took a position: the one
    that carries their stance (what they want, reject, decide or warn)."""
    best: dict[str, tuple[float, int, Position]] = {}
    for index, position in enumerate(story.positions):
        if not _readable(position.statement):
            continue
        score = _stance_score(position, index, len(story.positions))
        if any(_repeats(position.evidence, shown) for shown in already_shown):
            score -= 3.0  # the summary or a next step already says it
        key = _speaker_key(position.actor, story.actors)
        if key not in best or score > best[key][0]:
            best[key] = (score, index, position)
    salience = {name_key(actor.name): rank for rank, actor in enumerate(story.actors)}
    ranked = sorted(best.items(), key=lambda item: (salience.get(item[0], len(salience)), item[1][1]))
    lines = []
    for _, (_, _, position) in ranked[:MAX_STANCES]:
        actor = next((a for a in story.actors if _same_actor(a, position.actor)), None)
        text = clip(position.statement, STANCE_WORDS)
        lines.append(
            StanceLine(
                actor=actor,
                speaker=actor.name if actor else position.actor,
                position=position,
                text=text,
                quoted=position.kind == "quote",
                same_as_evidence=_repeats(position.statement, position.evidence),
            )
        )
    return lines


def _readable(statement: str) -> bool:
    """A statement that can stand on its own: starts with a word or a quote, says
    something, and is not the newsroom formula for saying nothing."""
    text = statement.strip()
    if not text or not (text[0].isalnum() or text[0] in "“‘\"'") or len(words(text)) < 2:
        return False
    return not _NO_COMMENT.search(text)


def _stance_score(position: Position, index: int, total: int) -> float:
    statement_words = [w.casefold() for w in words(position.statement)]
    score = _KIND_WEIGHT.get(position.kind, 1.0)
    if position.verb in _STANCE_VERBS:
        score += 1.5
    if any(w in _MODALS or w.endswith("n't") for w in statement_words):
        score += 1.0
    score += 1.0 - index / max(total, 1)  # news puts what matters first
    if len(statement_words) < 5:
        score -= 1.5  # "delighted", "a red line": too little to stand alone
    elif len(statement_words) > STANCE_WORDS:
        score -= 0.5
    return score


def _repeats(a: str, b: str) -> bool:
    """`a` says little that `b` does not: most of its content words are in `b`."""
    left, right = content_words(a), content_words(b)
    return bool(left) and len(left & right) / len(left) >= 0.8


def _speaker_key(speaker: str, actors: Iterable[Actor]) -> str:
    actor = next((a for a in actors if _same_actor(a, speaker)), None)
    return name_key(actor.name if actor else speaker)


def _same_actor(actor: Actor, name: str) -> bool:
    key = name_key(name)
    return any(name_key(n) == key for n in (actor.name, *actor.aliases))


# --- the day ---


def _agenda(stories: Sequence[StoryBrief], today: dt.date) -> tuple[AgendaItem, ...]:
    items: list[AgendaItem] = []
    seen: set[tuple[str, dt.date]] = set()
    for story in stories:
        for step in story.story.next_steps:
            if step.date is None or (step.evidence, step.date) in seen:
                continue
            seen.add((step.evidence, step.date))
            article = next((r for r in story.reports if step in r.next_steps), story.lead)
            actor = step.actor if step.actor and not _names_in(step.actor, step.text, story.story.actors) else None
            uid = calendar_uid(article, step)
            items.append(AgendaItem(step.date, step, story.number, story.anchor, story.headline, article, uid, actor))
    return tuple(sorted(items, key=lambda item: (item.date, item.story)))


def _count(text: str) -> int:
    return len(words(text))


def _lower_first(text: str) -> str:
    """'The council will meet' -> 'the council will meet'; names and acronyms keep their capitals."""
    first = text.split(" ", 1)[0]
    if first in ("The", "A", "An") or (first.istitle() and first.lower() in _FUNCTION_WORDS):
        return first.lower() + text[len(first) :]
    return text


def _stem(word: str) -> str:
    word = word.replace("’", "'")
    for suffix in ("'s", "ing", "edly", "ed", "ly", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
