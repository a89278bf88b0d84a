"""`briefing digest` end to end, as cron runs it: a real feed over HTTP on 127.0.0.1, a real
SMTP server (aiosmtpd), the real state database, through the CLI. Plus config errors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from httpserver import TestServer, article_page
from test_mail import Inbox, assert_no_active_content, free_port, serving_smtp

from briefing.cli import main
from briefing.config import ConfigError, load_config
from briefing.errors import ExitCode
from briefing.state import State, run_lock, state_folder

pytest_plugins = ["httpserver"]  # the http_server fixture

TODAY = dt.date.today().isoformat()
XSS_TITLE = "<script>alert(1)</script> Council <img src=x onerror=alert(2)> vote"


# Different events with different people: articles about one event would be merged into one story.
STORIES = {
    "library": [
        "Harwick council voted on Tuesday to close the Riverside library, ending ninety years of lending on the quay.",
        "Council leader Jane Smith said the closure would save money. Readers will protest at the town hall on Friday.",
    ],
    "buses": [
        "Drivers at Northway Buses will strike for three days next week after rejecting a pay offer of four percent.",
        "Union organiser Tom Okafor said members had lost patience. Managers at the depot declined to comment.",
    ],
    "schools": [
        "Secondary teachers across the county have accepted a new pay deal worth six percent over two years.",
        "Head teacher Priya Shah welcomed the agreement, which ends months of disruption to lessons and exams.",
    ],
}


class Newsroom:
    """A news site on the test HTTP server: article pages and an RSS feed listing them."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.listed: list[tuple[str, str]] = []  # (slug, title)

    @property
    def feed_url(self) -> str:
        return self.server.url("/feed.xml")

    def publish(self, slug: str, title: str, paragraphs: list[str] | None = None) -> None:
        body = paragraphs or STORIES[slug]
        self.server.route(f"/news/{slug}.html", article_page(title, body))
        self.listed.append((slug, title))
        self._update_feed()

    def withdraw(self, slug: str) -> None:
        self.listed = [(s, t) for s, t in self.listed if s != slug]
        self._update_feed()

    def list_missing_page(self, slug: str) -> None:
        self.listed.append((slug, slug))
        self._update_feed()

    def _update_feed(self) -> None:
        items = "".join(
            f"<item><title>{escape(title)}</title><link>{self.server.url(f'/news/{slug}.html')}</link>"
            f"<guid>{self.server.url(f'/news/{slug}.html')}</guid></item>"
            for slug, title in self.listed
        )
        feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Gazette</title>'
            f"<link>{self.server.url('/')}</link><description>News</description>{items}</channel></rss>"
        )
        self.server.route("/feed.xml", feed, content_type="application/rss+xml")


@pytest.fixture
def newsroom(http_server: TestServer) -> Newsroom:
    site = Newsroom(http_server)
    site.publish("library", "Council closes Riverside library")
    site.publish("buses", "Bus drivers to strike over pay")
    return site


def write_config(folder: Path, feed_url: str, port: int, **extra: str) -> Path:
    email_extra = "".join(f"{key} = {value}\n" for key, value in extra.items())
    path = folder / "digest.toml"
    path.write_text(
        f"""
title = "Morning briefing"
model = "extractive"
feeds = ["{feed_url}"]
allow_private_addresses = true  # the test feed is served from 127.0.0.1
sources = []
output_dir = "briefings"

[email]
to = ["desk@example.com", "editor@example.com"]
from = "briefing@example.com"
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
timeout = 5
retries = 1
retry_delay = 0
{email_extra}""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    with serving_smtp() as inbox:
        yield inbox


@pytest.fixture
def config(tmp_path: Path, newsroom: Newsroom, smtp_server: Inbox) -> Path:
    return write_config(tmp_path, newsroom.feed_url, smtp_server.port)


def run(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["digest", "--config", str(config), *args], catch_exceptions=False)


def html_of(inbox: Inbox, index: int = -1) -> str:
    return inbox.received[index].message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def text_of(inbox: Inbox, index: int = -1) -> str:
    return inbox.received[index].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def state() -> State:
    return State.open(state_folder() / "default.sqlite3")


def test_first_run_sends_a_digest_of_every_item(config: Path, smtp_server: Inbox) -> None:
    result = run(config)
    assert result.exit_code == 0, result.output
    (received,) = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["desk@example.com", "editor@example.com"]
    assert message["From"] == "briefing@example.com"
    assert message["To"] == "desk@example.com, editor@example.com"
    assert message["Subject"].startswith("Morning briefing — ")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    for title in ("Council closes Riverside library", "Bus drivers to strike over pay"):
        assert title in html_of(smtp_server)
        assert title in text_of(smtp_server)
    assert re.fullmatch(r"<digest-1\.[0-9a-f]{12}@example\.com>", message["Message-ID"])

    written = sorted(path.name for path in (config.parent / "briefings").iterdir())
    assert written == [f"{TODAY}-digest-1.html", f"{TODAY}-digest-1.md"]
    with state() as saved:
        (digest,) = saved.digests()
        assert (digest.status, digest.message_id) == ("sent", message["Message-ID"])
        assert saved.pending_items() == []
        assert {item.status for item in saved.items_of(digest.id)} == {"sent"}
    assert "sent digest 1 (2 item(s))" in result.stderr


def test_a_second_run_with_nothing_new_sends_nothing(config: Path, smtp_server: Inbox) -> None:
    assert run(config).exit_code == 0
    result = run(config)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.received) == 1
    assert "nothing new" in result.stderr
    assert len(list((config.parent / "briefings").iterdir())) == 2


def test_new_items_make_a_new_digest_of_only_them(config: Path, newsroom: Newsroom, smtp_server: Inbox) -> None:
    assert run(config).exit_code == 0
    newsroom.publish("schools", "Teachers accept new pay offer")
    result = run(config)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.received) == 2
    html = html_of(smtp_server)
    assert "Teachers accept new pay offer" in html
    assert "Riverside library" not in html and "Bus drivers" not in html
    assert smtp_server.received[1].message["Message-ID"].startswith("<digest-2.")
    assert (config.parent / "briefings" / f"{TODAY}-digest-2.html").is_file()


def test_smtp_down_leaves_everything_pending_and_the_next_run_sends_it(
    tmp_path: Path, newsroom: Newsroom, smtp_server: Inbox
) -> None:
    down = write_config(tmp_path, newsroom.feed_url, free_port())  # nothing listens there
    result = run(down)
    assert result.exit_code == ExitCode.SEND_FAILED, result.output
    assert "email not sent" in result.stderr and "stays pending" in result.stderr
    assert (tmp_path / "briefings" / f"{TODAY}-digest-1.html").is_file()
    assert (tmp_path / "briefings" / f"{TODAY}-digest-1.md").is_file()
    with state() as saved:
        assert len(saved.pending_items()) == 2
        (digest,) = saved.digests()
        assert digest.status == "made"

    up = write_config(tmp_path, newsroom.feed_url, smtp_server.port)
    result = run(up)
    assert result.exit_code == 0, result.output
    (received,) = smtp_server.received
    assert received.message["Message-ID"] == digest.message_id  # the same digest, resent
    assert "Council closes Riverside library" in html_of(smtp_server)
    with state() as saved:
        assert saved.pending_items() == []
        assert [d.status for d in saved.digests()] == ["sent"]
    assert run(up).exit_code == 0
    assert len(smtp_server.received) == 1


def test_a_pending_item_is_sent_even_after_its_feed_dropped_it(
    tmp_path: Path, newsroom: Newsroom, smtp_server: Inbox
) -> None:
    assert run(write_config(tmp_path, newsroom.feed_url, free_port())).exit_code == ExitCode.SEND_FAILED
    newsroom.withdraw("library")
    newsroom.publish("schools", "Teachers accept new pay offer")
    result = run(write_config(tmp_path, newsroom.feed_url, smtp_server.port))
    assert result.exit_code == 0, result.output
    html = html_of(smtp_server)
    for title in (
        "Council closes Riverside library",
        "Bus drivers to strike over pay",
        "Teachers accept new pay offer",
    ):
        assert title in html
    with state() as saved:
        assert [d.status for d in saved.digests()] == ["superseded", "sent"]
        assert saved.pending_items() == []


def test_a_permanent_rejection_fails_the_run_and_keeps_the_items(config: Path, smtp_server: Inbox) -> None:
    smtp_server.data_replies = ["554 5.7.1 Message rejected as spam"]
    result = run(config)
    assert result.exit_code == ExitCode.SEND_FAILED, result.output
    assert "554" in result.stderr
    assert smtp_server.data_attempts == 1  # not retried
    with state() as saved:
        assert len(saved.pending_items()) == 2
    assert run(config).exit_code == 0
    assert len(smtp_server.received) == 1


def test_a_crash_after_acceptance_resends_with_the_same_message_id(
    config: Path, smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one duplicate the design allows: it keeps the Message-ID, so mail clients can drop it."""

    def crash(self: State, digest_id: int, now: str | None = None) -> int:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(State, "mark_sent", crash)
        assert run(config).exit_code == 130
    assert len(smtp_server.received) == 1
    assert run(config).exit_code == 0
    first, second = smtp_server.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert run(config).exit_code == 0
    assert len(smtp_server.received) == 2


def test_a_run_while_another_holds_the_lock_exits_quietly(config: Path, smtp_server: Inbox) -> None:
    with run_lock(state_folder() / "default.lock") as held:
        assert held
        result = run(config)
    assert result.exit_code == 0, result.output
    assert "another digest run" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert smtp_server.received == []
    assert not (config.parent / "briefings").exists()


def test_dry_run_writes_the_briefing_but_sends_and_marks_nothing(config: Path, smtp_server: Inbox) -> None:
    result = run(config, "--dry-run")
    assert result.exit_code == 0, result.output
    assert smtp_server.received == []
    assert "Subject: Morning briefing — " in result.stderr
    assert "To: desk@example.com, editor@example.com" in result.stderr
    assert "Council closes Riverside library" in result.stderr
    written = sorted(path.name for path in (config.parent / "briefings").iterdir())
    assert written == [f"{TODAY}-digest-dry-run.html", f"{TODAY}-digest-dry-run.md"]
    with state() as saved:
        assert saved.pending_items() == [] and saved.digests() == []
    assert run(config).exit_code == 0
    assert len(smtp_server.received) == 1


def test_a_failed_feed_entry_is_a_partial_success(config: Path, newsroom: Newsroom, smtp_server: Inbox) -> None:
    newsroom.list_missing_page("gone")
    result = run(config)
    assert result.exit_code == ExitCode.PARTIAL, result.output
    assert len(smtp_server.received) == 1
    assert "Council closes Riverside library" in html_of(smtp_server)
    assert "gone" in result.stderr


def test_markup_in_an_article_never_reaches_the_email_as_markup(
    config: Path, newsroom: Newsroom, smtp_server: Inbox, fake_model: Any
) -> None:
    newsroom.publish(
        "xss",
        XSS_TITLE,
        [
            "The harbour board approved the new ferry timetable <script>alert(3)</script> after a long debate.",
            'Sailors said <a href="javascript:alert(4)">click</a> they would sail at dawn <b onmouseover=alert(5)>daily</b>.',
            "Harbour master Anna Berg said the timetable <iframe src=https://evil.example></iframe> starts in March.",
        ],
    )
    result = run(config, "--model", "fake")
    assert result.exit_code == 0, result.output
    html = html_of(smtp_server)
    assert_no_active_content(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title arrived, as text
    assert "<iframe" not in html


def test_the_model_option_overrides_the_config(config: Path, smtp_server: Inbox, fake_model: Any) -> None:
    assert run(config, "--model", "fake").exit_code == 0
    assert fake_model.calls >= 1


def test_local_sources_are_items_too(tmp_path: Path, smtp_server: Inbox) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(
        "Council closes library\n\nThe council voted on Tuesday to close the library. Residents will protest on Friday.\n"
    )
    path = tmp_path / "digest.toml"
    path.write_text(
        f'sources = ["news"]\nmodel = "extractive"\n[email]\nto = ["desk@example.com"]\nfrom = "b@example.com"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_server.port}\nsecurity = "none"\n'
    )
    assert run(path).exit_code == 0
    assert run(path).exit_code == 0
    assert len(smtp_server.received) == 1
    assert "Council closes library" in text_of(smtp_server)


# --- config ---


def config_text(top: str = "", email: str = "") -> str:
    return (
        f'feeds = ["http://127.0.0.1:8000/feed.xml"]\n{top}\n'
        f'[email]\nto = ["desk@example.com"]\nfrom = "briefing@example.com"\nsmtp_host = "127.0.0.1"\n{email}'
    )


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_example_config_loads() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "digest.toml"
    config = load_config(example)
    assert config.email.security == "none" and config.email.smtp_port == 8025
    assert config.email.password_env == "BRIEFING_SMTP_PASSWORD"
    assert config.output_dir == example.parent / "briefings"


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = load(tmp_path, config_text('sources = ["news"]'))
    assert config.output_dir == tmp_path / "briefings"
    assert config.sources == (tmp_path / "news",)
    assert (config.email.security, config.email.smtp_port, config.email.retries) == ("starttls", 587, 3)
    assert config.title == "Daily briefing"


def test_fetch_settings_can_be_overridden(tmp_path: Path) -> None:
    config = load(tmp_path, config_text() + "\n[fetch]\nconnect_timeout = 2.5\n")
    assert config.fetch == {"connect_timeout": 2.5}


def test_private_addresses_are_refused_unless_the_config_allows_them(tmp_path: Path) -> None:
    assert load(tmp_path, config_text()).allow_private_addresses is False
    assert load(tmp_path, config_text("allow_private_addresses = true")).allow_private_addresses is True


def test_a_digest_without_the_opt_in_refuses_a_feed_on_loopback(
    tmp_path: Path, newsroom: Newsroom, smtp_server: Inbox
) -> None:
    config = write_config(tmp_path, newsroom.feed_url, smtp_server.port)
    config.write_text(config.read_text().replace("allow_private_addresses = true", ""))
    result = run(config)
    assert result.exit_code == ExitCode.PARTIAL
    assert (
        f"briefing: error: {newsroom.feed_url}: refused: 127.0.0.1 is a loopback address; "
        "pass --allow-private-addresses (digest: allow_private_addresses = true) to fetch intranet addresses"
    ) in result.stderr.splitlines()
    assert newsroom.server.requests == []
    assert smtp_server.received == []


@pytest.mark.parametrize(
    ("top", "email", "message"),
    [
        ("colour = 'red'", "", "`colour` is not a known key"),
        ("", "smtp_prot = 25", "`email.smtp_prot` is not a known key"),
        ("", "password = 'hunter2'", "secrets are never read from the config file.*email.password_env"),
        ("", "security = 'ssl'", "`email.security` must be one of 'none', 'starttls', 'tls'"),
        ("", "smtp_port = 'x'", "`email.smtp_port` must be a whole number"),
        ("", "smtp_port = 70000", "`email.smtp_port` must be at most 65535"),
        ("", "username_env = 'SMTP_USER'", "`email.password_env` is needed too"),
        ("", "username_env = 'not a name'", "`email.username_env` has an invalid value"),
        ("title = 3", "", "`title` must be a non-empty string"),
        ("sources = 5", "", "`sources` must be a list"),
        ("model = 'x'\n[fetch]\nconect_timeout = 1", "", "unknown key `fetch.conect_timeout`"),
        ("allow_private_addresses = 'yes'", "", "`allow_private_addresses` must be true or false"),
        (
            "[fetch]\nallow_private_addresses = true",
            "",
            "`fetch.allow_private_addresses` belongs at the top level of the file: allow_private_addresses = true",
        ),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, top: str, email: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, config_text(top, email))


def test_missing_required_keys_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing required key `email`"):
        load(tmp_path, 'feeds = ["http://x/feed"]\n')
    with pytest.raises(ConfigError, match="missing required key `email.smtp_host`"):
        load(tmp_path, 'feeds = ["http://x/feed"]\n[email]\nto = ["a@b.c"]\nfrom = "b@b.c"\n')
    with pytest.raises(ConfigError, match="set `feeds` or `sources`"):
        load(tmp_path, config_text().replace('feeds = ["http://127.0.0.1:8000/feed.xml"]', ""))


def test_no_password_over_an_unencrypted_connection_to_another_host(tmp_path: Path) -> None:
    text = config_text(email="username_env = 'U'\npassword_env = 'P'\nsecurity = 'none'\n")
    with pytest.raises(ConfigError, match="unencrypted"):
        load(tmp_path, text.replace('smtp_host = "127.0.0.1"', 'smtp_host = "smtp.example.com"'))
    assert load(tmp_path, text).email.username_env == "U"  # loopback: a local relay


def test_config_problems_are_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.toml")
    assert result.exit_code == 1
    assert "no such config file" in result.stderr
    (tmp_path / "bad.toml").write_text("title = ")
    result = run(tmp_path / "bad.toml")
    assert result.exit_code == 1 and "not valid TOML" in result.stderr


def test_the_email_is_the_reading_layer_with_the_full_page_and_calendar_attached(
    tmp_path: Path, newsroom: Newsroom, smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icalendar import Calendar

    config = write_config(tmp_path, newsroom.feed_url, smtp_server.port, attach_html="true", attach_calendar="true")

    def crash(self: State, digest_id: int, now: str | None = None) -> int:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:  # the first send is accepted, then the run dies: it is resent
        patch.setattr(State, "mark_sent", crash)
        assert run(config).exit_code == 130
    assert run(config).exit_code == 0
    page_name = f"{TODAY}-digest-1.html"
    written = sorted(path.name for path in (tmp_path / "briefings").iterdir())
    assert written == [page_name, f"{TODAY}-digest-1.ics", f"{TODAY}-digest-1.md"]
    for received in smtp_server.received:  # the resend carries the same parts
        message = received.message
        assert message.get_content_type() == "multipart/mixed"
        body, page, calendar = message.iter_parts()
        assert [part.get_content_type() for part in body.iter_parts()] == ["text/plain", "text/html"]
        plain, html = (part.get_content() for part in body.iter_parts())
        # The body is the reading layer: folded detail and the timeline picture do not travel.
        assert "<details" not in html and "<svg" not in html and "# Detail" not in plain
        assert "**Who:**" in plain and f"Full detail (every actor, position and source sentence): {page_name}" in plain
        assert f"is attached ({page_name})" in html
        assert (page.get_filename(), page.get_content_type()) == (page_name, "text/html")
        assert '<details class="detail">' in page.get_content()
        assert (calendar.get_filename(), calendar.get_content_type()) == (f"{TODAY}-digest-1.ics", "text/calendar")
        events = list(Calendar.from_ical(calendar.get_content()).walk("VEVENT"))
        assert events and all("Story: " in str(event["description"]) for event in events)


def test_attachments_are_off_by_default_and_config_keys_are_checked(tmp_path: Path) -> None:
    assert load(tmp_path, config_text()).email.attach_html is False
    assert load(tmp_path, config_text(email="attach_calendar = true")).email.attach_calendar is True
    with pytest.raises(ConfigError, match="attach_html"):
        load(tmp_path, config_text(email='attach_html = "yes"'))
