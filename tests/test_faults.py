"""Faults: an SMTP server that drops, refuses and stalls; runs killed with SIGKILL at every
stage; a full disk while writing; and a digest of 500 items.

What must hold every time: an item is never lost (it stays pending, its digest's files on
disk, until a server accepted it) and an accepted digest is never sent again. Every server
here counts what it accepted per Message-ID across all the runs of a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from httpserver import TestServer
from test_digest import STORIES, Newsroom, write_config
from test_mail import Inbox, free_port

from briefing.cli import main
from briefing.errors import ExitCode
from briefing.state import State, state_folder

pytest_plugins = ["httpserver"]

REPO = Path(__file__).resolve().parent.parent
MORE_STORIES = {
    "ferry": [
        "The harbour board approved a new ferry timetable for the island route after a long debate on Monday.",
        "Harbour master Anna Berg said the crossings would start in March and run four times a day.",
    ],
    "museum": [
        "The county museum will reopen its Roman gallery in June after a two year restoration of the mosaics.",
        "Curator Omar Haddad said the collection had been cleaned piece by piece by volunteers from the town.",
    ],
    "orchard": [
        "Growers in the Vale reported the smallest apple harvest in twenty years after a late frost in April.",
        "Farmer Ellen Price said cider makers would have to buy fruit from abroad for the first time.",
    ],
}


# --- an SMTP server with faults ---


@dataclass
class FaultyServer(Inbox):
    """Inbox (tests/test_mail.py) plus faults at DATA, after the message was transferred:

    drops: close the connection instead of replying, this many times;
    stall: wait this long before replying (a client that gives up meanwhile is not accepted);
    hold: never reply: wait until the client goes away (for the kill tests)."""

    drops: int = 0
    stall: float = 0.0
    hold: bool = False
    abandoned: int = 0  # DATA transfers the client gave up on: never accepted
    in_data: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.in_data.set()
        if self.drops:
            self.drops -= 1
            self.data_attempts += 1
            self.abandoned += 1
            server.transport.close()  # the reply never comes: smtplib sees the connection closed
            return "421 not sent"
        try:
            if self.hold:
                while True:
                    await asyncio.sleep(0.05)
            if self.stall:
                await asyncio.sleep(self.stall)
        except asyncio.CancelledError:  # aiosmtpd cancels the handler when the client hangs up
            self.abandoned += 1
            self.data_attempts += 1
            raise
        return await super().handle_DATA(server, session, envelope)

    def accepted(self) -> Counter[str]:
        return Counter(received.message["Message-ID"] for received in self.received)


@contextlib.contextmanager
def serving(handler: FaultyServer) -> Iterator[FaultyServer]:
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[FaultyServer]:
    with serving(FaultyServer()) as server:
        yield server


@pytest.fixture
def newsroom(http_server: TestServer) -> Newsroom:
    site = Newsroom(http_server)
    site.publish("library", "Council closes Riverside library")
    site.publish("buses", "Bus drivers to strike over pay")
    site.publish("schools", "Teachers accept new pay offer")
    return site


def digest(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["digest", "--config", str(config), *args], catch_exceptions=False)


def state_path() -> Path:
    return state_folder() / "default.sqlite3"


def check_state(server: FaultyServer) -> None:
    """The state database is sound and agrees with what the server accepted."""
    accepted = server.accepted()
    assert all(count == 1 for count in accepted.values()), f"a digest was accepted twice: {accepted}"
    if not state_path().exists():
        return
    with contextlib.closing(sqlite3.connect(state_path())) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with State.open(state_path()) as saved:
        digests = {d.id: d for d in saved.digests()}
        assert sum(d.status == "made" for d in digests.values()) <= 1
        for d in digests.values():
            items = saved.items_of(d.id)
            if d.status == "sent":
                assert d.message_id in accepted, f"digest {d.id} marked sent, but the server never accepted it"
                assert {item.status for item in items} <= {"sent"}
            else:
                assert d.message_id not in accepted or d.status == "made", d  # made: accepted, crash before mark
        for item in saved.pending_items():
            assert item.digest_id is None or digests[item.digest_id].status != "sent"
        sent_ids = {d.message_id for d in digests.values() if d.status == "sent"}
        assert sent_ids <= set(accepted)


def items_delivered(server: FaultyServer, newsroom: Newsroom) -> Counter[str]:
    """In how many accepted emails each item appeared (by its page's URL, in the plain part)."""
    counts: Counter[str] = Counter()
    for received in server.received:
        text = received.message.get_body(("plain",)).get_content()
        for slug, _ in newsroom.listed:
            counts[slug] += newsroom.server.url(f"/news/{slug}.html") in text
    return counts


def assert_pending_with_files(count: int, output: Path) -> None:
    with State.open(state_path()) as saved:
        assert len(saved.pending_items()) == count
        made = saved.unsent_digest()
        assert made is not None and all(path.is_file() for path in made.paths)
    assert not list(output.glob(".*.tmp"))


# --- SMTP faults ---


def test_connection_dropped_after_data_is_retried(tmp_path: Path, newsroom: Newsroom, smtp: FaultyServer) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)  # retries = 1, retry_delay = 0
    smtp.drops = 1
    result = digest(config)
    assert result.exit_code == 0, result.output
    assert "retrying" in result.stderr and smtp.data_attempts == 2
    assert sum(smtp.accepted().values()) == 1
    check_state(smtp)
    assert digest(config).exit_code == 0  # nothing new
    assert items_delivered(smtp, newsroom) == {"library": 1, "buses": 1, "schools": 1}
    check_state(smtp)


def test_connection_always_dropped_leaves_a_pending_digest(
    tmp_path: Path, newsroom: Newsroom, smtp: FaultyServer
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)
    smtp.drops = 10
    result = digest(config)
    assert result.exit_code == ExitCode.SEND_FAILED, result.output
    assert "stays pending" in result.stderr and smtp.received == []
    assert_pending_with_files(3, tmp_path / "briefings")
    check_state(smtp)
    smtp.drops = 0
    assert digest(config).exit_code == 0
    assert digest(config).exit_code == 0
    assert items_delivered(smtp, newsroom) == {"library": 1, "buses": 1, "schools": 1}
    check_state(smtp)


def test_some_recipients_refused_is_sent_and_logged(tmp_path: Path, newsroom: Newsroom, smtp: FaultyServer) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)
    smtp.refuse = {"editor@example.com": "550 5.1.1 No such user"}
    result = digest(config)
    assert result.exit_code == 0, result.output
    assert "refused recipient editor@example.com: 550" in result.stderr
    (received,) = smtp.received
    assert received.rcpt_tos == ["desk@example.com"]
    with State.open(state_path()) as saved:
        assert saved.pending_items() == [] and [d.status for d in saved.digests()] == ["sent"]
    assert digest(config).exit_code == 0
    assert len(smtp.received) == 1
    check_state(smtp)


@pytest.mark.parametrize(("code", "attempts"), [("550 5.1.1 No such user", 1), ("450 4.2.1 Mailbox busy", 2)])
def test_all_recipients_refused_keeps_everything_pending(
    tmp_path: Path, newsroom: Newsroom, smtp: FaultyServer, code: str, attempts: int
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)
    smtp.refuse = {"desk@example.com": code, "editor@example.com": code}
    result = digest(config)
    assert result.exit_code == ExitCode.SEND_FAILED, result.output
    assert "all recipients refused" in result.stderr
    assert result.stderr.count("retrying") == attempts - 1  # 5xx: not retried; 4xx: retried
    assert smtp.received == []
    assert_pending_with_files(3, tmp_path / "briefings")
    check_state(smtp)
    smtp.refuse = {}
    assert digest(config).exit_code == 0
    assert items_delivered(smtp, newsroom) == {"library": 1, "buses": 1, "schools": 1}
    check_state(smtp)


def test_a_server_slower_than_the_timeout_is_retried_then_left_pending(
    tmp_path: Path, newsroom: Newsroom, smtp: FaultyServer
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port).read_text().replace("timeout = 5", "timeout = 1")
    (tmp_path / "digest.toml").write_text(config)
    smtp.stall = 2.5
    started = time.monotonic()
    result = digest(tmp_path / "digest.toml")
    assert result.exit_code == ExitCode.SEND_FAILED, result.output
    assert time.monotonic() - started < 30  # two 1 s timeouts, not the server's 2.5 s stalls (or worse) each
    assert "retrying" in result.stderr and "temporary failure after 2 attempts" in result.stderr
    deadline = time.monotonic() + 5
    while smtp.abandoned < 2 and time.monotonic() < deadline:  # let the server notice the client left
        time.sleep(0.02)
    assert smtp.received == [] and smtp.abandoned == 2
    assert_pending_with_files(3, tmp_path / "briefings")
    check_state(smtp)
    smtp.stall = 0
    assert digest(tmp_path / "digest.toml").exit_code == 0
    assert items_delivered(smtp, newsroom) == {"library": 1, "buses": 1, "schools": 1}
    check_state(smtp)


# --- runs killed with SIGKILL ---


def spawn(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "digest", "--config", str(config), "-q"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before the kill point: {process.stderr}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the kill point never came")
        time.sleep(0.005)


def kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert process.stderr is not None
    process.stderr.close()


def test_runs_killed_at_every_stage_lose_nothing_and_send_nothing_twice(
    tmp_path: Path, http_server: TestServer, newsroom: Newsroom, smtp: FaultyServer
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)
    output = tmp_path / "briefings"
    smtp.hold = True  # DATA never completes while a run is to be killed: no acceptance to race with
    pages = lambda: [p for p in http_server.requests if p.startswith("/news/")]  # noqa: E731
    feed_body = http_server.routes["/feed.xml"]

    def stalled(path: str) -> Callable[[], None]:
        route = http_server.routes[path]
        http_server.routes[path] = type(route)(route.status, route.body, route.headers, stall=30)
        return lambda: http_server.routes.__setitem__(path, route)

    kills: list[str] = []

    def killed_when(name: str, condition: Callable[[], bool], after: float = 0.0) -> None:
        http_server.requests.clear()
        smtp.in_data.clear()
        process = spawn(config)
        wait_for(condition, process)
        time.sleep(after)
        kill(process)
        kills.append(name)
        time.sleep(0.1)  # the SMTP server notices the client's death
        check_state(smtp)

    # 1-2. While fetching: the feed, then an article page, hang.
    restore = stalled("/feed.xml")
    killed_when("reading the feed", lambda: "/feed.xml" in http_server.requests)
    restore()
    restore = stalled("/news/buses.html")
    killed_when("fetching a page", lambda: "/news/buses.html" in http_server.requests)
    restore()
    assert http_server.routes["/feed.xml"] == feed_body
    # 3-5. After every page was read: briefing, writing, connecting; at increasing delays.
    for delay in (0.05, 0.4, 1.0):
        killed_when(f"{delay} s after fetching", lambda: len(pages()) >= len(newsroom.listed), delay)
    # 6. Once the digest's files are being written.
    killed_when("writing the files", lambda: any(output.glob("*-digest-*.html")) if output.exists() else False)
    # 7. In the middle of DATA.
    killed_when("sending (in DATA)", smtp.in_data.is_set)
    assert smtp.received == []
    with State.open(state_path()) as saved:
        assert len(saved.pending_items()) == 3
        made = saved.unsent_digest()
        assert made is not None and all(path.is_file() for path in made.paths)
    # 8. A new item arrives, and that run is killed in DATA too: its digest supersedes the old one.
    newsroom.publish("ferry", "Ferry timetable approved", MORE_STORIES["ferry"])
    killed_when("sending a bigger digest", smtp.in_data.is_set)
    assert len(kills) == 8 and smtp.abandoned >= 2

    smtp.hold = False
    final = spawn(config)
    assert final.wait(timeout=30) == 0
    final.stderr.close()  # type: ignore[union-attr]
    check_state(smtp)
    delivered = items_delivered(smtp, newsroom)
    assert delivered == {"library": 1, "buses": 1, "schools": 1, "ferry": 1}, delivered  # lost: 0, twice: 0
    assert sum(smtp.accepted().values()) == 1
    with State.open(state_path()) as saved:
        assert saved.pending_items() == []
        assert [d.status for d in saved.digests()][-1] == "sent"
    assert digest(config).exit_code == 0 and len(smtp.received) == 1  # nothing left to send


# --- a full disk ---


def disk_full(*args: object, **kwargs: object) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullFile:
    """A file object whose writes fill the disk after `room` characters."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle, self._room = handle, room

    def write(self, text: str) -> int:
        if len(text) > self._room:
            self._handle.write(text[: self._room])
            self._handle.flush()
            disk_full()
        return self._handle.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def full_on_write(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FullFile(real(*a, **k), 100))


def full_on_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    def fdopen(*args: Any, **kwargs: Any) -> Any:
        handle = _FullFile(real(*args, **kwargs), 10**9)
        handle.flush = disk_full  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen)


def full_on_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", disk_full)


def full_on_create(monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", disk_full)


DISK_FAULTS = [full_on_write, full_on_flush, full_on_fsync, full_on_create]


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "error" in line.lower()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("fault", DISK_FAULTS, ids=lambda f: f.__name__)
def test_a_full_disk_keeps_yesterdays_briefing(
    tmp_path: Path, fake_model: Any, monkeypatch: pytest.MonkeyPatch, fault: Callable[[pytest.MonkeyPatch], None]
) -> None:
    source = tmp_path / "in" / "a.txt"
    source.parent.mkdir()
    source.write_text("Council closes library\n\n" + " ".join(STORIES["library"]))
    out = tmp_path / "out"
    out.mkdir()
    target = out / "out.html"
    yesterday = b"<!DOCTYPE html><title>yesterday</title>\n" + os.urandom(64).hex().encode()
    target.write_bytes(yesterday)
    with monkeypatch.context() as patch:
        fault(patch)
        result = CliRunner().invoke(main, ["daily", str(source), "--model", "fake", "-o", str(target)])
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert "cannot write" in line and "No space left on device" in line and str(target) in line
    assert target.read_bytes() == yesterday
    assert sorted(p.name for p in out.iterdir()) == ["out.html"]  # no temporary file left behind


@pytest.mark.parametrize("fault", DISK_FAULTS, ids=lambda f: f.__name__)
def test_a_full_disk_in_a_digest_run_marks_nothing_sent(
    tmp_path: Path,
    newsroom: Newsroom,
    smtp: FaultyServer,
    monkeypatch: pytest.MonkeyPatch,
    fault: Callable[[pytest.MonkeyPatch], None],
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp.port)
    digest(config).exit_code == 0  # noqa: B015 (yesterday's digest, sent)
    newsroom.publish("ferry", "Ferry timetable approved", MORE_STORIES["ferry"])
    before = sorted(p.name for p in (tmp_path / "briefings").iterdir())
    with monkeypatch.context() as patch:
        fault(patch)
        result = digest(config)
    assert result.exit_code == 1
    assert "No space left on device" in one_error_line(result.output)
    assert len(smtp.received) == 1  # only yesterday's
    with State.open(state_path()) as saved:
        assert [item.key.rsplit("/", 1)[1] for item in saved.pending_items()] == ["ferry.html"]
        assert [d.status for d in saved.digests()][0] == "sent"
        assert all(d.status != "sent" for d in saved.digests()[1:])
    assert not [p for p in (tmp_path / "briefings").iterdir() if p.name.startswith(".")]
    assert all(name in sorted(p.name for p in (tmp_path / "briefings").iterdir()) for name in before)
    check_state(smtp)
    assert digest(config).exit_code == 0  # the disk has room again
    assert items_delivered(smtp, newsroom) == {"library": 1, "buses": 1, "schools": 1, "ferry": 1}
    check_state(smtp)


# --- load ---

# 500 items take 30-45 s here (fetching and reading 500 pages is most of it; peak RSS about 360 MB),
# too slow for every run: 100 by default; BRIEFING_LOAD_ITEMS=500 for the full size.
LOAD_ITEMS = int(os.environ.get("BRIEFING_LOAD_ITEMS", "100"))


def test_a_digest_of_many_items_finishes_in_bounded_memory(
    tmp_path: Path, http_server: TestServer, smtp: FaultyServer
) -> None:
    site = Newsroom(http_server)
    words = [
        "harbour",
        "ferry",
        "council",
        "library",
        "budget",
        "railway",
        "orchard",
        "river",
        "bridge",
        "school",
        "market",
        "museum",
    ]
    for index in range(LOAD_ITEMS):
        a, b, c = words[index % 12], words[(index // 12) % 12], words[(index // 144) % 12]
        site.publish(
            f"item-{index}",
            f"Item {index}: the {a} and the {b}",
            [
                f"Officials in district {index} said the {a} near the {b} would be rebuilt by the {c} trust.",
                f"The work on the {a} in district {index} is expected to take {index % 9 + 2} months and cost little.",
            ],
        )
    config = write_config(tmp_path, site.feed_url, smtp.port)
    text = config.read_text().replace("[email]", "[fetch]\nmax_feed_entries = 1000\nworkers = 8\n\n[email]")
    config.write_text(text)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    process = spawn(config)
    try:
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            kill(process)
    elapsed = time.monotonic() - started
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert code == 0, errors
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"\n{LOAD_ITEMS}-item digest: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB (before: {before / 1024:.0f})")
    assert peak_mb < 1536
    (received,) = smtp.received
    plain = received.message.get_body(("plain",)).get_content()
    missing = [i for i in range(LOAD_ITEMS) if http_server.url(f"/news/item-{i}.html") not in plain]
    assert missing == []
    with State.open(state_path()) as saved:
        assert saved.pending_items() == []
    assert re.search(rf"\b{LOAD_ITEMS} articles\b", plain)
