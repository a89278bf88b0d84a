"""What the digest remembers between runs: which items it has seen and sent, and
the digests it made. SQLite in WAL mode, one transaction per state change, so a
crash at any point leaves either the old state or the new one, never a mixture.

Items keep a copy of their article: an item still pending after a failed send
can then go into tomorrow's digest even when its feed no longer lists it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefing.article import Article
from briefing.errors import BriefingError
from briefing.paths import data_dir

SCHEMA_VERSION = 1
ItemStatus = Literal["pending", "sent"]
# made: written, not (yet) accepted by the mail server; sent: accepted;
# superseded: never sent, its items moved on to a later digest.
DigestStatus = Literal["made", "sent", "superseded"]

_SCHEMA_V1 = """
CREATE TABLE digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    title TEXT NOT NULL,
    briefing_date TEXT NOT NULL,
    paths TEXT NOT NULL,
    message_id TEXT UNIQUE,  -- set in the transaction that creates the row
    status TEXT NOT NULL CHECK (status IN ('made', 'sent', 'superseded')),
    sent_at TEXT
);
CREATE TABLE items (
    key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
    digest_id INTEGER REFERENCES digests (id),
    title TEXT,
    source TEXT NOT NULL,
    article TEXT NOT NULL
);
CREATE INDEX items_by_status ON items (status, first_seen);
CREATE INDEX items_by_digest ON items (digest_id);
"""
# Index = the version it upgrades from; append, never edit, once released.
_MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1,)


class StateError(BriefingError):
    """The state database cannot be opened or was written by a newer version."""


@dataclass(frozen=True)
class Item:
    key: str
    article: Article
    first_seen: str
    status: ItemStatus
    digest_id: int | None


@dataclass(frozen=True)
class Digest:
    id: int
    created_at: str
    title: str
    briefing_date: dt.date
    paths: tuple[Path, ...]
    message_id: str
    status: DigestStatus
    sent_at: str | None


def state_folder() -> Path:
    return data_dir() / "digest"


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `path` for the block; yields False at once if another process holds it.

    flock locks belong to the open file, so the kernel releases them when the
    process dies: a crashed run never leaves a stale lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="ascii") as handle:  # "a+" creates without truncating another run's pid
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")  # for whoever wonders who holds it
            handle.flush()
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class State:
    """The digest's SQLite database. Open with `State.open(path)`; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path) -> State:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions; every change below is an explicit BEGIN..COMMIT.
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open the digest state {path}: {exc}") from None
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a digest marked sent stays marked after a power cut (NORMAL may lose the last commit).
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            state = cls(connection)
            state._migrate(path)
        except sqlite3.Error as exc:
            connection.close()
            raise StateError(f"cannot use the digest state {path}: {exc}") from None
        except BaseException:
            connection.close()
            raise
        return state

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self, path: Path) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{path} was written by a newer version of briefing (schema {version}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade briefing"
                )
            for script in _MIGRATIONS[version:]:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- items ---

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """The keys among `keys` already recorded (pending or sent)."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self._db.execute(f"SELECT key FROM items WHERE key IN ({marks})", chunk))
        return found

    def add_items(self, items: Sequence[tuple[str, Article]], now: str | None = None) -> int:
        """Record new items as pending; a still-pending item gets the fresher copy of its article.

        Sent items are left alone. Returns how many were new."""
        now = now or utc_now()
        with self._transaction() as db:
            new = 0
            for key, article in items:
                cursor = db.execute(
                    "INSERT INTO items (key, first_seen, status, title, source, article)"
                    " VALUES (?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, now, article.title, article.source, article_to_json(article)),
                )
                if cursor.rowcount:
                    new += 1
                else:
                    db.execute(
                        "UPDATE items SET title = ?, source = ?, article = ? WHERE key = ? AND status = 'pending'",
                        (article.title, article.source, article_to_json(article), key),
                    )
        return new

    def pending_items(self) -> list[Item]:
        """Every item not yet in a digest the server accepted, oldest first."""
        rows = self._db.execute("SELECT * FROM items WHERE status = 'pending' ORDER BY first_seen, rowid")
        return [_item(row) for row in rows]

    def items_of(self, digest_id: int) -> list[Item]:
        rows = self._db.execute("SELECT * FROM items WHERE digest_id = ? ORDER BY first_seen, rowid", (digest_id,))
        return [_item(row) for row in rows]

    def item(self, key: str) -> Item | None:
        row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return _item(row) if row else None

    # --- digests ---

    def create_digest(
        self,
        keys: Sequence[str],
        *,
        title: str,
        briefing_date: dt.date,
        paths_for: Callable[[int], Sequence[Path]],
        message_id_for: Callable[[int], str],
        now: str | None = None,
    ) -> Digest:
        """Record a new digest of the pending items `keys`, in one transaction.

        `paths_for(id)` and `message_id_for(id)` name its files and its Message-ID,
        both derived from the id the database assigns. Earlier digests that were
        never sent are marked superseded: their items now belong to this one."""
        now = now or utc_now()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO digests (created_at, title, briefing_date, paths, message_id, status)"
                " VALUES (?, ?, ?, '[]', NULL, 'made')",
                (now, title, briefing_date.isoformat()),
            )
            digest_id = int(cursor.lastrowid or 0)
            paths = [str(path) for path in paths_for(digest_id)]
            db.execute(
                "UPDATE digests SET paths = ?, message_id = ? WHERE id = ?",
                (json.dumps(paths), message_id_for(digest_id), digest_id),
            )
            for key in keys:
                db.execute("UPDATE items SET digest_id = ? WHERE key = ? AND status = 'pending'", (digest_id, key))
            db.execute("UPDATE digests SET status = 'superseded' WHERE status = 'made' AND id != ?", (digest_id,))
        digest = self.digest(digest_id)
        assert digest is not None
        return digest

    def digest(self, digest_id: int) -> Digest | None:
        row = self._db.execute("SELECT * FROM digests WHERE id = ?", (digest_id,)).fetchone()
        return _digest(row) if row else None

    def digests(self) -> list[Digest]:
        return [_digest(row) for row in self._db.execute("SELECT * FROM digests ORDER BY id")]

    def unsent_digest(self) -> Digest | None:
        """The digest made but not (known to be) accepted, if any: at most one is ever 'made'."""
        row = self._db.execute("SELECT * FROM digests WHERE status = 'made' ORDER BY id DESC LIMIT 1").fetchone()
        return _digest(row) if row else None

    def mark_sent(self, digest_id: int, now: str | None = None) -> int:
        """The server accepted digest `digest_id`: mark it and its items sent, atomically.

        Returns how many items were marked. Raises StateError if the digest was
        not waiting to be sent (already sent, or superseded)."""
        now = now or utc_now()
        with self._transaction() as db:
            row = db.execute("SELECT status FROM digests WHERE id = ?", (digest_id,)).fetchone()
            if row is None or row["status"] != "made":
                status = row["status"] if row else "unknown"
                raise StateError(f"digest {digest_id} is not waiting to be sent (it is {status})")
            db.execute("UPDATE digests SET status = 'sent', sent_at = ? WHERE id = ?", (now, digest_id))
            cursor = db.execute(
                "UPDATE items SET status = 'sent' WHERE digest_id = ? AND status = 'pending'", (digest_id,)
            )
            return cursor.rowcount


def _item(row: sqlite3.Row) -> Item:
    return Item(
        key=row["key"],
        article=article_from_json(row["article"]),
        first_seen=row["first_seen"],
        status=row["status"],
        digest_id=row["digest_id"],
    )


def _digest(row: sqlite3.Row) -> Digest:
    return Digest(
        id=row["id"],
        created_at=row["created_at"],
        title=row["title"],
        briefing_date=dt.date.fromisoformat(row["briefing_date"]),
        paths=tuple(Path(path) for path in json.loads(row["paths"])),
        message_id=row["message_id"],
        status=row["status"],
        sent_at=row["sent_at"],
    )


def article_to_json(article: Article) -> str:
    return json.dumps(
        {
            "text": article.text,
            "source": article.source,
            "title": article.title,
            "url": article.url,
            "published": article.published.isoformat() if article.published else None,
            "author": article.author,
            "warnings": list(article.warnings),
        },
        ensure_ascii=False,
    )


def article_from_json(text: str) -> Article:
    data = json.loads(text)
    return Article(
        text=data["text"],
        source=data["source"],
        title=data.get("title"),
        url=data.get("url"),
        published=dt.date.fromisoformat(data["published"]) if data.get("published") else None,
        author=data.get("author"),
        warnings=tuple(data.get("warnings") or ()),
    )
