"""The summary cache: generated summaries in SQLite, so a run over articles
already summarised (cron runs, a re-render in another format) generates nothing.

A key covers everything that decides the output: the request text, its kind and
title, the model's identity and weights, the effective generation settings and
the prompt templates. Change any of them and the old entries are simply not hit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from briefing.paths import cache_dir

log = logging.getLogger(__name__)
SCHEMA = "CREATE TABLE IF NOT EXISTS summaries (key TEXT PRIMARY KEY, summary TEXT NOT NULL, created REAL NOT NULL)"


def cache_path() -> Path:
    return cache_dir() / "summaries.sqlite3"


def cache_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class SummaryCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")  # a reader never blocks a concurrent writer
        self._db.execute(SCHEMA)

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # SQLite caps bound parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, summary FROM summaries WHERE key IN ({marks})", chunk))
        return found

    def put_many(self, items: Mapping[str, str]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO summaries (key, summary, created) VALUES (?, ?, ?)",
                [(key, value, time.time()) for key, value in items.items()],
            )

    def clear(self) -> int:
        with self._db:
            count = self._db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0]
            self._db.execute("DELETE FROM summaries")
        self._db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


def open_cache() -> SummaryCache | None:
    """The cache, or None (with a warning) if it cannot be opened: it only ever saves time."""
    try:
        return SummaryCache()
    except (OSError, sqlite3.Error) as exc:
        log.warning("summary cache unavailable (%s); generating without it", exc)
        return None
