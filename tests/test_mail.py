"""Email: the message, the HTML sanitising, and SMTP delivery against a real local server (aiosmtpd)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest

from briefing import mail
from briefing.config import EmailConfig
from briefing.mail import Credentials, SendError

# --- a real SMTP server on 127.0.0.1 (also used by test_digest.py) ---


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every accepted message.

    `refuse` maps a recipient to the reply that refuses it; `data_replies` is a queue of
    replies to DATA (e.g. "451 ..."), used before the server starts accepting."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    data_attempts: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.data_attempts += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == ("desk", "s3cret"), handled=False)  # False: reply 535


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving_smtp() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, for the block."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # the test server has no certificate; login over loopback only
    )
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    with serving_smtp() as inbox:
        yield inbox


def settings_for(port: int, **changes: Any) -> EmailConfig:
    base = EmailConfig(
        to=("desk@example.com", "editor@example.com"),
        sender="briefing@example.com",
        smtp_host="127.0.0.1",
        smtp_port=port,
        security="none",
        timeout=5,
        retries=2,
        retry_delay=0.5,
    )
    return replace(base, **changes)


class TagCollector(HTMLParser):
    """Every element and attribute in an HTML document, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def markup_of(document: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(document)
    collector.close()
    return collector


def assert_no_active_content(document: str) -> None:
    found = markup_of(document)
    assert not found.tags & {"script", "iframe", "object", "embed", "img", "svg", "form", "link", "meta", "base"} - {
        "meta"
    }
    assert [a for a in found.attributes if a[1].startswith("on")] == []
    # (A title attribute is a tooltip's text, never run: a payload there is shown, escaped.)
    assert [a for a in found.attributes if "javascript:" in a[2].lower().replace(" ", "") and a[1] != "title"] == []
    assert "<script" not in document.lower()


PAGE = """<!DOCTYPE html><html><head><title>x</title><style>body{}</style></head><body>
<main class="briefing"><h1>Morning</h1>
<p class="summary">Fine &lt;script&gt;alert(1)&lt;/script&gt; text</p>
<script>alert(1)</script>
<img src=x onerror="alert(2)">
<a href="javascript:alert(3)" onclick="alert(4)">bad link</a>
<a href="https://example.com/story">good link</a>
<a href="#a-1">anchor</a>
<p style="background:url(javascript:alert(5))" onmouseover="alert(6)">styled</p>
<svg onload="alert(7)"><circle/></svg>
<iframe src="https://evil.example"></iframe>
<style>body { background: url(https://evil.example/track.png) }</style>
</main></body></html>"""


# --- the message ---


def build(page: str = PAGE, **changes: Any) -> EmailMessage:
    arguments: dict[str, Any] = {
        "subject": mail.subject_for("Morning", dt.date(2026, 11, 27)),
        "sender": "briefing@example.com",
        "to": ["desk@example.com", "editor@example.com"],
        "markdown": "# Morning\n\nFine text\n",
        "page": page,
        "message_id": mail.message_id_for(7, "a1b2c3", "briefing@example.com"),
    }
    arguments.update(changes)
    return mail.build_message(**arguments)


def test_the_message_is_multipart_alternative_with_text_then_html() -> None:
    message = build()
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content() == "# Morning\n\nFine text\n"
    assert message["Subject"] == "Morning — Friday 27 November 2026"
    assert message["From"] == "briefing@example.com"
    assert message["To"] == "desk@example.com, editor@example.com"
    assert message["Message-ID"] == "<digest-7.a1b2c3@example.com>"
    assert message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"


def test_the_message_id_depends_only_on_the_digest() -> None:
    first = mail.message_id_for(7, "a1b2c3", "briefing@example.com")
    assert first == mail.message_id_for(7, "a1b2c3", "other@example.com".replace("other", "briefing"))
    assert first != mail.message_id_for(8, "a1b2c3", "briefing@example.com")
    assert re.fullmatch(r"<digest-7\.a1b2c3@example\.com>", first)


def test_the_html_part_has_no_script_handler_or_javascript_url() -> None:
    html = build().get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert_no_active_content(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # escaped text stays text
    assert 'href="https://example.com/story"' in html
    assert 'href="#a-1"' in html
    assert "evil.example" not in html  # the injected <style> and <iframe> are gone with their content
    assert "styled" in html and "bad link" in html


def test_the_stylesheet_is_the_package_css_only() -> None:
    html = build().get_body(("html",)).get_content()  # type: ignore[union-attr]
    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1
    assert ".briefing {" in styles[0]
    assert "body{}" not in styles[0]


def test_every_tag_and_class_of_a_real_briefing_survives_sanitising() -> None:
    """If the template grows a tag the allow-list lacks, the email would silently lose it."""
    from briefing.article import Article
    from briefing.options import ModelSpec, Options
    from briefing.pipeline import brief
    from briefing.render import render
    from briefing.sources import Loaded

    text = (
        "The council voted on Tuesday to close the Riverside library, council leader Jane Smith said. "
        '"We had no choice," said Jane Smith, the council leader. Residents will protest on Friday.'
    )
    other = "Harbour Ferries will cut its winter timetable, chief executive Lena Park said. The board meets on Monday."
    loaded = Loaded(
        articles=[
            Article(text=text, source="a.txt", title="Council closes library", url="https://x.example/a"),
            Article(text=other, source="b.txt", title="Ferry timetable cut"),
        ]
    )
    page = render(
        brief(loaded, Options(model=ModelSpec(name="extractive"), date=dt.date(2026, 11, 27))).briefing, "html"
    )
    body = re.search(r"<body>(.*)</body>", page, re.DOTALL).group(1)  # type: ignore[union-attr]
    assert "<details" in body and "<svg" in body  # the page folds its detail away and draws a timeline
    # The email drops those blocks whole (clients unfold <details> and do not draw SVG) ...
    reading_layer = re.sub(r"<(details|svg)\b.*?</\1>", "", body, flags=re.DOTALL)
    before, after = markup_of(reading_layer), markup_of(mail.sanitise_html(body))
    # ... and keeps every other tag and attribute.
    assert before.tags == after.tags
    assert {a for a in before.attributes if a[1] != "rel"} <= set(after.attributes)


# --- sending ---


def test_sends_to_a_real_smtp_server(smtp_server: Inbox) -> None:
    delivery = mail.send(build(), settings_for(smtp_server.port), None)
    assert delivery.attempts == 1 and delivery.refused == {}
    (received,) = smtp_server.received
    assert received.mail_from == "briefing@example.com"
    assert received.rcpt_tos == ["desk@example.com", "editor@example.com"]
    assert received.message["Message-ID"] == "<digest-7.a1b2c3@example.com>"
    assert [part.get_content_type() for part in received.message.iter_parts()] == ["text/plain", "text/html"]
    assert_no_active_content(received.message.get_body(("html",)).get_content())  # type: ignore[union-attr]


def test_logs_in_with_the_credentials_from_the_environment(smtp_server: Inbox) -> None:
    settings = settings_for(smtp_server.port, username_env="SMTP_USER", password_env="SMTP_PASSWORD")
    credentials = mail.credentials_from_env(settings, {"SMTP_USER": "desk", "SMTP_PASSWORD": "s3cret"})
    assert credentials == Credentials("desk", "s3cret")
    assert "s3cret" not in repr(credentials)
    mail.send(build(), settings, credentials)
    assert smtp_server.logins == [("desk", "s3cret")]
    assert len(smtp_server.received) == 1


def test_a_rejected_login_is_permanent(smtp_server: Inbox) -> None:
    with pytest.raises(SendError) as caught:
        mail.send(build(), settings_for(smtp_server.port), Credentials("desk", "wrong"), sleep=pytest.fail)
    assert not caught.value.transient and "535" in str(caught.value)
    assert smtp_server.received == []


def test_no_login_unless_both_variables_are_set(caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(25, username_env="SMTP_USER", password_env="SMTP_PASSWORD")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert mail.credentials_from_env(settings, {"SMTP_USER": "desk"}) is None
    assert "$SMTP_PASSWORD not set" in caplog.text
    assert mail.credentials_from_env(settings_for(25), {"SMTP_USER": "desk", "SMTP_PASSWORD": "x"}) is None


def test_a_temporary_4xx_is_retried_with_backoff(smtp_server: Inbox) -> None:
    smtp_server.data_replies = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    delays: list[float] = []
    delivery = mail.send(build(), settings_for(smtp_server.port, retries=3), None, sleep=delays.append)
    assert delivery.attempts == 3
    assert delays == [0.5, 1.0]
    assert len(smtp_server.received) == 1


def test_a_permanent_5xx_is_not_retried(smtp_server: Inbox) -> None:
    smtp_server.data_replies = ["554 5.7.1 Message rejected"]
    with pytest.raises(SendError, match="rejected.*554") as caught:
        mail.send(build(), settings_for(smtp_server.port, retries=3), None, sleep=pytest.fail)
    assert not caught.value.transient
    assert smtp_server.data_attempts == 1 and smtp_server.received == []


def test_connection_refused_is_retried_then_reported() -> None:
    delays: list[float] = []
    with pytest.raises(SendError, match="temporary failure after 3 attempts") as caught:
        mail.send(build(), settings_for(free_port(), retries=2), None, sleep=delays.append)
    assert caught.value.transient
    assert delays == [0.5, 1.0]


def test_some_recipients_refused_is_still_sent(smtp_server: Inbox) -> None:
    smtp_server.refuse = {"editor@example.com": "550 5.1.1 No such user"}
    delivery = mail.send(build(), settings_for(smtp_server.port), None)
    assert delivery.refused == {"editor@example.com": (550, "5.1.1 No such user")}
    (received,) = smtp_server.received
    assert received.rcpt_tos == ["desk@example.com"]


def test_every_recipient_refused_is_a_failure(smtp_server: Inbox) -> None:
    smtp_server.refuse = {address: "550 5.1.1 No such user" for address in ("desk@example.com", "editor@example.com")}
    with pytest.raises(SendError, match="all recipients refused") as caught:
        mail.send(build(), settings_for(smtp_server.port), None, sleep=pytest.fail)
    assert not caught.value.transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (ConnectionResetError(104, "Connection reset by peer"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPDataError(451, b"later"), True),
        (smtplib.SMTPDataError(554, b"no"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPConnectError(421, b"too busy"), True),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), False),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), False),
    ],
)
def test_which_failures_are_transient(error: BaseException, transient: bool) -> None:
    assert mail.is_transient(error) is transient


# --- TLS modes (no certificate on the test server: checked with a stand-in for smtplib) ---


class FakeSMTP:
    calls: list[tuple[str, Any]] = []

    def __init__(self, host: str, port: int, timeout: float, context: ssl.SSLContext | None = None) -> None:
        FakeSMTP.calls.append(("connect", (type(self).__name__, host, port, timeout, context is not None)))

    def ehlo(self) -> None:
        FakeSMTP.calls.append(("ehlo", None))

    def starttls(self, context: ssl.SSLContext) -> None:
        assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        FakeSMTP.calls.append(("starttls", None))

    def login(self, username: str, password: str) -> None:
        FakeSMTP.calls.append(("login", username))

    def send_message(self, message: EmailMessage, from_addr: str, to_addrs: list[str]) -> dict[str, Any]:
        FakeSMTP.calls.append(("send", (from_addr, to_addrs)))
        return {}

    def quit(self) -> None:
        raise smtplib.SMTPServerDisconnected("a failing QUIT after acceptance is not a failure")

    def close(self) -> None:
        FakeSMTP.calls.append(("close", None))


class FakeSMTPSSL(FakeSMTP):
    pass


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    FakeSMTP.calls = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTPSSL)
    return FakeSMTP.calls


def test_starttls_encrypts_before_logging_in(fake_smtp: list[tuple[str, Any]]) -> None:
    settings = settings_for(587, security="starttls", smtp_host="smtp.example.com", timeout=12)
    mail.send(build(), settings, Credentials("desk", "s3cret"))
    assert [name for name, _ in fake_smtp] == ["connect", "ehlo", "starttls", "ehlo", "login", "send", "close"]
    assert fake_smtp[0][1] == ("FakeSMTP", "smtp.example.com", 587, 12, False)


def test_tls_connects_encrypted_from_the_start(fake_smtp: list[tuple[str, Any]]) -> None:
    mail.send(build(), settings_for(465, security="tls", smtp_host="smtp.example.com"), None)
    assert fake_smtp[0][1] == ("FakeSMTPSSL", "smtp.example.com", 465, 5, True)
    assert "starttls" not in [name for name, _ in fake_smtp]
    assert "login" not in [name for name, _ in fake_smtp]
