"""The digest's SQLite state: item and digest transitions, atomicity, schema, run lock."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from briefing.article import Article
from briefing.state import SCHEMA_VERSION, State, StateError, article_from_json, article_to_json, run_lock

TODAY = dt.date(2026, 11, 27)


def article(name: str, **fields: object) -> Article:
    return Article(
        text=f"The council voted on {name}. Residents will protest.", source=f"{name}.txt", title=name, **fields
    )  # type: ignore[arg-type]


@pytest.fixture
def state(tmp_path: Path):  # type: ignore[no-untyped-def]
    with State.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def make_digest(state: State, keys: list[str], tmp_path: Path = Path("/out")) -> int:
    digest = state.create_digest(
        keys,
        title="Morning",
        briefing_date=TODAY,
        paths_for=lambda digest_id: (tmp_path / f"d{digest_id}.html", tmp_path / f"d{digest_id}.md"),
        message_id_for=lambda digest_id: f"<digest-{digest_id}@test>",
    )
    return digest.id


def test_new_items_are_pending_and_counted_once(state: State) -> None:
    assert state.add_items([("a", article("a")), ("b", article("b"))]) == 2
    assert state.add_items([("a", article("a")), ("c", article("c"))]) == 1
    assert [item.key for item in state.pending_items()] == ["a", "b", "c"]
    assert state.known_keys(["a", "c", "z"]) == {"a", "c"}
    assert all(item.status == "pending" and item.digest_id is None for item in state.pending_items())


def test_a_digest_takes_its_items_and_sending_marks_both_at_once(state: State) -> None:
    state.add_items([("a", article("a")), ("b", article("b"))])
    digest_id = make_digest(state, ["a", "b"])
    digest = state.digest(digest_id)
    assert digest is not None
    assert (digest.status, digest.message_id, digest.briefing_date) == ("made", f"<digest-{digest_id}@test>", TODAY)
    assert digest.paths == (Path(f"/out/d{digest_id}.html"), Path(f"/out/d{digest_id}.md"))
    assert {item.key for item in state.items_of(digest_id)} == {"a", "b"}
    assert state.unsent_digest() == digest

    assert state.mark_sent(digest_id) == 2
    sent = state.digest(digest_id)
    assert sent is not None and sent.status == "sent" and sent.sent_at
    assert state.pending_items() == []
    assert state.unsent_digest() is None


def test_an_accepted_digest_cannot_be_marked_again(state: State) -> None:
    state.add_items([("a", article("a"))])
    digest_id = make_digest(state, ["a"])
    state.mark_sent(digest_id)
    with pytest.raises(StateError, match="not waiting to be sent"):
        state.mark_sent(digest_id)


def test_a_sent_item_seen_again_stays_sent(state: State) -> None:
    state.add_items([("a", article("a"))])
    state.mark_sent(make_digest(state, ["a"]))
    assert state.add_items([("a", article("a", author="changed"))]) == 0
    item = state.item("a")
    assert item is not None and item.status == "sent" and item.article.author is None
    assert state.pending_items() == []


def test_a_pending_item_keeps_first_seen_but_takes_the_fresher_article(state: State) -> None:
    state.add_items([("a", article("a"))], now="2026-11-26T06:15:00+00:00")
    state.add_items([("a", article("a", author="Jo Bloggs"))], now="2026-11-27T06:15:00+00:00")
    (item,) = state.pending_items()
    assert item.first_seen == "2026-11-26T06:15:00+00:00"
    assert item.article.author == "Jo Bloggs"


def test_a_failed_digest_is_superseded_by_the_next_one_which_takes_its_items(state: State) -> None:
    state.add_items([("a", article("a"))])
    first = make_digest(state, ["a"])  # ...and the send failed: nothing marked
    state.add_items([("b", article("b"))])
    second = make_digest(state, ["a", "b"])
    assert state.digest(first).status == "superseded"  # type: ignore[union-attr]
    assert state.unsent_digest().id == second  # type: ignore[union-attr]
    assert state.items_of(first) == []
    state.mark_sent(second)
    assert state.pending_items() == []
    with pytest.raises(StateError):
        state.mark_sent(first)


def test_a_crash_inside_a_transaction_leaves_the_state_as_it_was(state: State) -> None:
    state.add_items([("a", article("a"))])

    def crash(digest_id: int) -> tuple[Path, Path]:
        raise KeyboardInterrupt  # the process is killed halfway through recording the digest

    with pytest.raises(KeyboardInterrupt):
        state.create_digest(["a"], title="t", briefing_date=TODAY, paths_for=crash, message_id_for=str)
    assert state.digests() == []
    (item,) = state.pending_items()
    assert item.digest_id is None


def test_the_database_is_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    State.open(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    State.open(path).close()  # opening again does not re-run the schema


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    State.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StateError, match="newer version"):
        State.open(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="cannot use the digest state"):
        State.open(path)


def test_articles_round_trip_through_the_state() -> None:
    original = Article(
        text="Body.\n\nMore body – ünïcode.",
        source="http://127.0.0.1/a",
        title="Title",
        url="http://127.0.0.1/a",
        published=dt.date(2026, 11, 26),
        author="Jo",
        warnings=("w",),
    )
    assert article_from_json(article_to_json(original)) == original


def test_the_run_lock_is_exclusive_and_released_afterwards(tmp_path: Path) -> None:
    lock = tmp_path / "sub" / "digest.lock"
    with run_lock(lock) as first:
        assert first
        with run_lock(lock) as second:  # flock conflicts between open files, even in one process
            assert not second
    with run_lock(lock) as again:
        assert again
