"""Email: build the digest message and hand it to an SMTP server.

The HTML part is the renderer's page body passed through nh3 with an allow-list
of the tags the briefing template uses, then wrapped in a fixed shell that
carries the package's own stylesheet. The <style> element is kept (mail clients
need it for the layout) but never passes through the content path: only
briefing.css from this package goes in it, so nothing from an article can reach
it. No <script>, event handler or javascript: URL survives nh3.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import functools
import html
import importlib.resources
import logging
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from briefing.config import EmailConfig
from briefing.errors import BriefingError

log = logging.getLogger(__name__)

# Exactly what templates/briefing.html.j2 uses (plus harmless inline tags); anything else is dropped.
ALLOWED_TAGS = frozenset(
    {
        "main", "header", "nav", "section", "article", "footer",
        "h1", "h2", "h3", "h4", "p", "br", "blockquote",
        "ol", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
        "a", "strong", "em", "b", "i", "span", "time", "code", "q",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},  # the stylesheet's hooks and the in-page anchors (#a-<id>)
    "a": {"href", "title"},
    "span": {"title"},
    "time": {"datetime"},
    "li": {"title"},  # the source sentence behind a stance or a step, on hover
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them. Email clients show a <details> block unfolded,
# so the page's folded detail sections go (the body is the reading layer; the full page
# can be attached), and so does the timeline picture, which mail clients do not draw.
REMOVED_WITH_CONTENT = frozenset({"script", "style", "details", "svg"})
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
{body}
</body>
</html>
"""


class SendError(BriefingError):
    """The SMTP server did not accept the message."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    subtype: str  # of text/*: html, calendar


@dataclass(frozen=True)
class Delivery:
    """What the server said: accepted for everyone except `refused`."""

    attempts: int
    refused: Mapping[str, tuple[int, str]] = field(default_factory=dict)


# --- the message ---


def subject_for(title: str, date: dt.date) -> str:
    return f"{title} — {date:%A} {date.day} {date:%B %Y}"


def message_id_for(digest_id: int, token: str, sender: str) -> str:
    """The digest's Message-ID: derived from its id, so every resend of it carries the same one.

    `token` (random, stored with the digest) keeps ids unique across machines and
    reset state databases, where digest ids start again at 1: a mail client that
    saw <digest-1@...> before would otherwise hide a new digest as a duplicate."""
    domain = sender.rpartition("@")[2] or "briefing.local"
    return f"<digest-{digest_id}.{token}@{domain}>"


def build_message(
    *,
    subject: str,
    sender: str,
    to: Sequence[str],
    markdown: str,
    page: str,
    message_id: str,
    date: dt.datetime | None = None,
    note: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A multipart/alternative message: the Markdown as text/plain, the sanitised page as
    text/html (its reading layer, with `note` at the end); then any attachments."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = email.utils.format_datetime(date or dt.datetime.now().astimezone())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to a cron job
    message.set_content(markdown)
    message.add_alternative(email_html(page, subject, note), subtype="html")
    if attachments:
        message.make_mixed()
        for attachment in attachments:
            message.add_attachment(attachment.content, subtype=attachment.subtype, filename=attachment.filename)
    return message


def email_html(page: str, title: str, note: str | None = None) -> str:
    """The rendered briefing page -> a self-contained email body, sanitised."""
    match = _BODY.search(page)
    body = sanitise_html(match.group(1) if match else page).strip()
    if note:
        body += f'\n<p class="pointer meta">{html.escape(note)}</p>'
    return _SHELL.format(title=html.escape(title), css=_stylesheet(), body=body)


def sanitise_html(fragment: str) -> str:
    import nh3

    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        clean_content_tags=set(REMOVED_WITH_CONTENT),
    )


@functools.cache
def _stylesheet() -> str:
    css = (importlib.resources.files("briefing") / "templates" / "briefing.css").read_text(encoding="utf-8")
    if "</" in css:  # cannot happen with our file; would end the <style> element early
        raise ValueError("briefing.css must not contain '</'")
    return css.strip()


def describe(message: EmailMessage) -> str:
    """A few lines saying what would be sent (for --dry-run)."""
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Message-ID") if message[name]]
    for part in message.walk():
        if part.is_multipart():
            continue
        name = f" ({part.get_filename()})" if part.get_filename() else ""
        lines.append(f"part: {part.get_content_type()}{name}, {len(part.get_content())} characters")
    return "\n".join(lines)


# --- sending ---


def credentials_from_env(settings: EmailConfig, environ: Mapping[str, str] = os.environ) -> Credentials | None:
    """Log in only when both named environment variables are set and not empty."""
    if not settings.username_env or not settings.password_env:  # config.py requires both or neither
        return None
    username = environ.get(settings.username_env, "")
    password = environ.get(settings.password_env, "")
    if username and password:
        return Credentials(username, password)
    missing = [
        name for name, value in ((settings.username_env, username), (settings.password_env, password)) if not value
    ]
    log.warning("not logging in to the SMTP server: $%s not set", " and $".join(missing))
    return None


def send(
    message: EmailMessage,
    settings: EmailConfig,
    credentials: Credentials | None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Deliver `message` to the configured recipients, retrying transient failures with backoff.

    Returns once the server has accepted the message for at least one recipient;
    raises SendError otherwise."""
    attempts = settings.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            refused = _send_once(message, settings, credentials)
        except (smtplib.SMTPException, OSError) as exc:
            transient = is_transient(exc)
            reason = explain(exc)
            if not transient or attempt == attempts:
                kind = "temporary failure" if transient else "rejected"
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                raise SendError(
                    f"email not sent ({kind}{tries}): {settings.smtp_host}:{settings.smtp_port}: {reason}", transient
                ) from None
            delay = settings.retry_delay * 2 ** (attempt - 1)
            log.warning(
                "sending failed (%s); retrying in %.0f s (attempt %d of %d)", reason, delay, attempt + 1, attempts
            )
            sleep(delay)
        else:
            return Delivery(
                attempts=attempt,
                refused={rcpt: (code, _text(reply)) for rcpt, (code, reply) in refused.items()},
            )
    raise AssertionError("unreachable")  # the loop returns or raises


def _send_once(
    message: EmailMessage, settings: EmailConfig, credentials: Credentials | None
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()  # the server's capabilities may differ once encrypted
        if credentials:
            client.login(credentials.username, credentials.password)
        return client.send_message(message, from_addr=settings.sender, to_addrs=list(settings.to))
    finally:
        # Once the message is accepted, a failing QUIT must not turn into a retry (a duplicate).
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
        client.close()


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: connection trouble and 4xx replies; not 5xx, TLS or protocol errors."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):  # every recipient refused
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException | ssl.SSLError):  # e.g. no STARTTLS, certificate not trusted
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out, unreachable


def explain(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "all recipients refused: " + ", ".join(
            f"{rcpt} ({code} {_text(reply)})" for rcpt, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
