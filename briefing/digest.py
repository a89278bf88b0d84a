"""One run of the emailed digest: collect, keep what was not sent, brief, write, send, mark.

The order is what makes it safe to run from cron:

1. Take the run lock; if another run holds it, do nothing.
2. Record every item read as pending (with a copy of its article) before anything
   can fail, so an item is never lost, even when its feed drops it tomorrow.
3. Brief every pending item, record the digest, write its files.
4. Send; mark the digest and its items sent in one transaction right after the
   server accepted the message. A failed send leaves them pending for the next run.

The one duplicate risk left is a crash between the server's acceptance and that
transaction; the digest then keeps its Message-ID when resent (see _reusable).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from briefing import mail
from briefing.article import Article
from briefing.config import DigestConfig
from briefing.errors import ExitCode
from briefing.mail import Delivery, SendError
from briefing.sources import Loaded
from briefing.state import Digest, State, run_lock, state_folder

if TYPE_CHECKING:
    from briefing.pipeline import Result

log = logging.getLogger(__name__)
Sender = Callable[..., Delivery]


@dataclass(frozen=True)
class Outcome:
    exit_code: ExitCode
    digest_id: int | None = None
    items: int = 0
    preview: str | None = None  # --dry-run: what would have been sent


def run(
    config: DigestConfig,
    *,
    dry_run: bool = False,
    model: str | None = None,
    today: dt.date | None = None,
    send: Sender | None = None,
) -> Outcome:
    """One cron run of the digest described by `config`."""
    folder = state_folder()
    lock = folder / f"{config.name}.lock"
    with run_lock(lock) as locked:
        if not locked:
            log.warning("another digest run holds %s; leaving this run to it", lock)
            return Outcome(ExitCode.OK)
        with State.open(folder / f"{config.name}.sqlite3") as state:
            return _run_locked(config, state, dry_run, model, today or dt.date.today(), send)


def _run_locked(
    config: DigestConfig, state: State, dry_run: bool, model: str | None, today: dt.date, send: Sender | None
) -> Outcome:
    loaded = collect(config)
    fresh = keyed_articles(loaded.articles)
    done = ExitCode.PARTIAL if loaded.errors else ExitCode.OK  # the exit code if nothing else goes wrong
    if dry_run:  # touch nothing in the state: list what a real run would record as pending
        known = state.known_keys(fresh)
        pending = {item.key: item.article for item in state.pending_items()}
        pending.update((key, article) for key, article in fresh.items() if key not in known)
    else:
        new = state.add_items(list(fresh.items()))
        log.info("read %d item(s), %d of them new", len(fresh), new)
        pending = {item.key: item.article for item in state.pending_items()}
    if not pending:
        _log_errors(loaded)
        log.info("nothing new since the last digest; no email sent")
        return Outcome(done)

    digest = None if dry_run else _reusable(state, set(pending))
    made = None
    if digest is not None:
        _log_errors(loaded)
        log.info("resending digest %d, made %s and not yet sent", digest.id, digest.created_at)
        markdown, page = _read_back(digest)
    else:
        markdown, page, digest, made = _make(config, state, pending, loaded, model, today, dry_run)

    message = mail.build_message(
        subject=mail.subject_for(digest.title, digest.briefing_date),
        sender=config.email.sender,
        to=config.email.to,
        markdown=markdown,
        page=page,
        message_id=digest.message_id,
        note=_detail_note(config, digest),
        attachments=_attachments(config, digest, page),
    )
    if dry_run:
        titles = "\n".join(f"  - {article.title or article.source}" for article in pending.values())
        preview = f"{mail.describe(message)}\nitems ({len(pending)}):\n{titles}"
        log.info("dry run: nothing sent, nothing marked; the briefing is in %s", ", ".join(map(str, digest.paths)))
        return Outcome(done, None, len(pending), preview)
    outcome = _send(config, state, digest, message, send or mail.send, done)
    if made is not None and outcome.exit_code in (ExitCode.OK, ExitCode.PARTIAL):
        # What the reader was sent is what tomorrow's digest continues from.
        from briefing.pipeline import record_history

        record_history(made)
    return outcome


def collect(config: DigestConfig) -> Loaded:
    """Articles from the feeds and the local sources; a failing input becomes an error, the rest carry on."""
    loaded = Loaded()
    if config.feeds:
        from briefing.feeds import load_feeds
        from briefing.fetch import FetchSettings

        from_feeds = load_feeds(
            list(config.feeds), FetchSettings(**config.fetch, allow_private_addresses=config.allow_private_addresses)
        )
        loaded.articles.extend(from_feeds.articles)
        loaded.errors.extend(from_feeds.errors)
    if config.sources:
        from briefing.sources import load_sources

        from_files = load_sources([str(path) for path in config.sources], config.max_input_bytes)
        loaded.articles.extend(from_files.articles)
        loaded.errors.extend(from_files.errors)
    return loaded


def item_key(article: Article) -> str:
    """What "the same item" means across runs: the page's address, else the text's id."""
    if article.url:
        from briefing.fetch import normalise_url

        return normalise_url(article.url)
    return article.id


def keyed_articles(articles: Sequence[Article]) -> dict[str, Article]:
    """Articles by item key, the first of each key kept (in the order read)."""
    keyed: dict[str, Article] = {}
    for article in articles:
        keyed.setdefault(item_key(article), article)
    return keyed


def digest_paths(output_dir: Path, date: dt.date, digest_id: int | str) -> tuple[Path, Path]:
    stem = f"{date.isoformat()}-digest-{digest_id}"
    return output_dir / f"{stem}.html", output_dir / f"{stem}.md"


def calendar_path(digest: Digest) -> Path:
    """The digest's calendar of dated next steps, beside its page (written when attached)."""
    return digest.paths[0].with_suffix(".ics")


def _make(
    config: DigestConfig,
    state: State,
    pending: dict[str, Article],
    loaded: Loaded,
    model: str | None,
    today: dt.date,
    dry_run: bool,
) -> tuple[str, str, Digest, Result]:
    """Brief the pending items, record the digest (not in a dry run), and write its files."""
    from briefing import pipeline
    from briefing.deliver import write_atomic
    from briefing.options import GenerationSettings, ModelSpec, Options
    from briefing.render import Layout, render

    options = Options(
        model=ModelSpec(name=model or config.model, device=config.device, endpoint=config.endpoint),
        generation=GenerationSettings(concurrency=config.concurrency),
        fallback=config.fallback,
        history=config.history,
        history_days=config.history_days,
        title=config.title,
        date=today,
        max_input_bytes=config.max_input_bytes,
    )
    result = pipeline.brief(
        Loaded(articles=list(pending.values()), errors=list(loaded.errors)), options, described="the pending items"
    )
    if dry_run:
        paths = digest_paths(config.output_dir, today, "dry-run")
        digest = Digest(0, "", config.title, today, paths, "<dry-run@briefing.local>", "made", None)
    else:
        token = secrets.token_hex(6)
        digest = state.create_digest(
            list(pending),
            title=config.title,
            briefing_date=today,
            paths_for=lambda digest_id: digest_paths(config.output_dir, today, digest_id),
            message_id_for=lambda digest_id: mail.message_id_for(digest_id, token, config.email.sender),
        )
    html_path, markdown_path = digest.paths
    # The page keeps everything (folded); the Markdown, which is also the email's text
    # part, is the reading layer and points to the page.
    page = render(result.briefing, "html", Layout("full"))
    markdown = render(result.briefing, "md", Layout("brief", full_detail_at=html_path.name))
    write_atomic(html_path, page)
    write_atomic(markdown_path, markdown)
    written = [html_path, markdown_path]
    if config.email.attach_calendar:
        write_atomic(calendar_path(digest), render(result.briefing, "ics"))
        written.append(calendar_path(digest))
    log.info("wrote %s", ", ".join(map(str, written)))
    return markdown, page, digest, result


def _detail_note(config: DigestConfig, digest: Digest) -> str:
    name = digest.paths[0].name
    if config.email.attach_html:
        return f"The full briefing, with every actor, position and source sentence, is attached ({name})."
    return f"The full briefing, with every actor, position and source sentence, is {name} in the digest's folder."


def _attachments(config: DigestConfig, digest: Digest, page: str) -> list[mail.Attachment]:
    attachments = []
    if config.email.attach_html:
        attachments.append(mail.Attachment(digest.paths[0].name, page, "html"))
    if config.email.attach_calendar:
        path = calendar_path(digest)
        try:
            attachments.append(mail.Attachment(path.name, path.read_text(encoding="utf-8"), "calendar"))
        except OSError as exc:  # a resend whose calendar file went missing: send the rest
            log.warning("cannot attach %s: %s", path, exc.strerror or exc)
    return attachments


def _reusable(state: State, pending_keys: set[str]) -> Digest | None:
    """The unsent digest of exactly these items, if its files are still there.

    Resending it (rather than briefing again) keeps its Message-ID, so if the
    server had in fact accepted it before a crash, mail clients can drop the copy;
    and the model does not run twice for the same items."""
    digest = state.unsent_digest()
    if digest is None or not all(path.is_file() for path in digest.paths):
        return None
    if {item.key for item in state.items_of(digest.id)} != pending_keys:
        return None
    return digest


def _read_back(digest: Digest) -> tuple[str, str]:
    from briefing.errors import OutputError

    html_path, markdown_path = digest.paths
    try:
        return markdown_path.read_text(encoding="utf-8"), html_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot read digest {digest.id} back: {exc}") from None


def _send(
    config: DigestConfig, state: State, digest: Digest, message: EmailMessage, send: Sender, done: ExitCode
) -> Outcome:
    current = state.digest(digest.id)
    if current is None or current.status != "made":  # belt and braces: an accepted digest never goes twice
        log.warning("digest %d is already %s; not sending it again", digest.id, current.status if current else "gone")
        return Outcome(done, digest.id)
    items = len(state.items_of(digest.id))
    credentials = mail.credentials_from_env(config.email)
    try:
        delivery = send(message, config.email, credentials)
    except SendError as exc:
        log.error("%s", exc)
        log.error(
            "digest %d (%d item(s)) stays pending for the next run; it is in %s",
            digest.id,
            items,
            ", ".join(map(str, digest.paths)),
        )
        return Outcome(ExitCode.SEND_FAILED, digest.id, items)
    state.mark_sent(digest.id)  # first thing after acceptance: this is the duplicate window
    for recipient, (code, reply) in delivery.refused.items():
        log.warning("the server refused recipient %s: %d %s", recipient, code, reply)
    accepted = [address for address in config.email.to if address not in delivery.refused]
    log.info("sent digest %d (%d item(s)) to %s", digest.id, items, ", ".join(accepted))
    return Outcome(done, digest.id, items)


def _log_errors(loaded: Loaded) -> None:
    # pipeline.brief() logs them when it runs; these paths do not call it.
    for error in loaded.errors:
        log.error("%s", error)
