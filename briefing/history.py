"""The history of briefed stories: SQLite in the data folder ($BRIEFING_HOME/data
when set), beside the digest's state.

For every story briefed: its articles (URL, or a hash of the text), actors, positions
and next steps with their evidence and resolved dates, and the briefing's date. A
briefing is recorded in one transaction after it has been written, so a run killed
at any point leaves the history as it was before that run. Recording the same date
again replaces that date's record (a re-run does not count as a day of its own).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from briefing.continuity import EarlierStory, KnownStep, actor_keys, story_profile
from briefing.document import Briefing, NextStep, Position
from briefing.errors import BriefingError
from briefing.paths import data_dir

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);
CREATE TABLE appearances (
    briefing_date TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories (id),
    headline TEXT NOT NULL,
    profile TEXT NOT NULL,
    actors TEXT NOT NULL,  -- JSON list of name keys
    PRIMARY KEY (briefing_date, story_id)
);
CREATE TABLE articles (
    briefing_date TEXT NOT NULL,
    story_id TEXT NOT NULL,
    key TEXT NOT NULL,  -- the URL, or the article's id (a hash of its text)
    title TEXT,
    PRIMARY KEY (briefing_date, key)
);
CREATE TABLE items (
    briefing_date TEXT NOT NULL,
    story_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('actor', 'position', 'step')),
    actor TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    when_text TEXT,
    step_date TEXT,
    PRIMARY KEY (briefing_date, story_id, kind, actor, text, evidence)
);
CREATE INDEX items_by_step_date ON items (kind, step_date);
"""


class HistoryError(BriefingError):
    """The history database cannot be opened, read or written."""


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / FILE_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"{self.path}: cannot open the story history ({exc})") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ----------------------------------------------------------------------

    def earlier_stories(self, today: dt.date, window_days: int) -> list[EarlierStory]:
        """Stories briefed in the `window_days` days before `today` (not on it)."""
        since = (today - dt.timedelta(days=window_days)).isoformat()
        rows = self._query(
            "SELECT story_id FROM appearances WHERE briefing_date >= ? AND briefing_date < ? "
            "GROUP BY story_id ORDER BY MAX(briefing_date) DESC",
            (since, today.isoformat()),
        )
        return [self._story(story_id, today) for (story_id,) in rows]

    def due_candidates(self, today: dt.date, ahead_days: int) -> list[tuple[EarlierStory, KnownStep]]:
        """Every dated step from briefings before `today` dated from a month back to `ahead_days` on."""
        rows = self._query(
            "SELECT DISTINCT story_id FROM items WHERE kind = 'step' AND step_date >= ? AND step_date < ? "
            "AND briefing_date < ?",
            (
                (today - dt.timedelta(days=31)).isoformat(),
                (today + dt.timedelta(days=ahead_days)).isoformat(),
                today.isoformat(),
            ),
        )
        candidates = []
        for (story_id,) in rows:
            story = self._story(story_id, today)
            candidates += [(story, known) for known in story.steps if known.step.date is not None]
        return candidates

    def previous_briefing(self, today: dt.date) -> dt.date | None:
        [(day,)] = self._query(
            "SELECT MAX(briefing_date) FROM appearances WHERE briefing_date < ?", (today.isoformat(),)
        )
        return dt.date.fromisoformat(day) if day else None

    def dates(self) -> list[dt.date]:
        rows = self._query("SELECT DISTINCT briefing_date FROM appearances ORDER BY briefing_date", ())
        return [dt.date.fromisoformat(day) for (day,) in rows]

    def _story(self, story_id: str, today: dt.date) -> EarlierStory:
        before = today.isoformat()
        [(first_seen,)] = self._query("SELECT first_seen FROM stories WHERE id = ?", (story_id,))
        appearances = self._query(
            "SELECT briefing_date, headline, profile, actors FROM appearances "
            "WHERE story_id = ? AND briefing_date < ? ORDER BY briefing_date",
            (story_id, before),
        )
        last_date, headline, profile, _ = appearances[-1]
        keys = frozenset(key for row in appearances for key in json.loads(row[3]))
        positions, steps = [], []
        announced: dict[tuple[str, str, str | None], str] = {}
        for day, kind, actor, text, evidence, when, step_date in self._query(
            "SELECT briefing_date, kind, actor, text, evidence, when_text, step_date FROM items "
            "WHERE story_id = ? AND briefing_date < ? AND kind != 'actor' ORDER BY briefing_date",
            (story_id, before),
        ):
            if kind == "position":
                positions.append(Position(actor, text, evidence))
            elif (text, evidence, step_date) not in announced:
                announced[(text, evidence, step_date)] = day
                date = dt.date.fromisoformat(step_date) if step_date else None
                steps.append(KnownStep(NextStep(text, evidence, when, date, actor or None), dt.date.fromisoformat(day)))
        return EarlierStory(
            id=story_id,
            first_seen=dt.date.fromisoformat(first_seen),
            last_seen=dt.date.fromisoformat(last_date),
            days=len(appearances),
            headline=headline,
            profile=profile,
            actor_keys=keys,
            positions=tuple(positions),
            steps=tuple(steps),
        )

    # --- writing ----------------------------------------------------------------------

    def record(self, briefing: Briefing, texts: Sequence[str]) -> None:
        """Record `briefing` (its continuity says each story's id) in one transaction."""
        continuity = briefing.continuity
        stories = briefing.story_list
        if len(continuity.story_ids) != len(stories):
            raise HistoryError("the briefing has no story ids: it was made without the history")
        day = briefing.date.isoformat()
        with self._transaction() as db:
            self._forget_date(db, day)
            for story, story_id, first_seen in zip(stories, continuity.story_ids, continuity.first_seen, strict=True):
                lead = briefing.articles[story.articles[0]]
                db.execute(
                    "INSERT OR IGNORE INTO stories (id, first_seen) VALUES (?, ?)", (story_id, first_seen.isoformat())
                )
                db.execute(
                    "INSERT INTO appearances VALUES (?, ?, ?, ?, ?)",
                    (
                        day,
                        story_id,
                        " ".join((lead.title or lead.source).split()),
                        story_profile(story, briefing, texts),
                        json.dumps(sorted(actor_keys(story))),
                    ),
                )
                for index in story.articles:
                    article = briefing.articles[index]
                    db.execute(
                        "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?)",
                        (day, story_id, article.url or article.id, article.title),
                    )
                items = [("actor", actor.name, actor.role or "", "", None, None) for actor in story.actors]
                items += [("position", p.actor, p.statement, p.evidence, None, None) for p in story.positions]
                items += [
                    ("step", s.actor or "", s.text, s.evidence, s.when, s.date.isoformat() if s.date else None)
                    for s in story.next_steps
                ]
                db.executemany(
                    "INSERT OR IGNORE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(day, story_id, *item) for item in items],
                )

    def clear(self, before: dt.date | None = None) -> int:
        """Forget every briefing (or those dated before `before`); returns how many dates went."""
        with self._transaction() as db:
            days = [d for (d,) in db.execute("SELECT DISTINCT briefing_date FROM appearances")]
            gone = [d for d in days if before is None or d < before.isoformat()]
            for day in gone:
                self._forget_date(db, day)
        return len(gone)

    @staticmethod
    def _forget_date(db: sqlite3.Connection, day: str) -> None:
        for table in ("appearances", "articles", "items"):
            db.execute(f"DELETE FROM {table} WHERE briefing_date = ?", (day,))  # noqa: S608 (fixed names)
        db.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM appearances)")
        # A story's first day is its earliest remaining appearance.
        db.execute(
            "UPDATE stories SET first_seen = (SELECT MIN(briefing_date) FROM appearances WHERE story_id = stories.id)"
        )

    # --- plumbing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot write the story history ({exc})") from None

    def _query(self, sql: str, parameters: tuple[object, ...]) -> list[tuple]:  # type: ignore[type-arg]
        try:
            return list(self._db.execute(sql, parameters))
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot read the story history ({exc})") from None

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{self.path} was written by a newer version of briefing (schema {version})")
        if version == 0:
            self._db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
