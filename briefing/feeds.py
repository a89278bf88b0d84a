"""Feeds: RSS, Atom and JSON Feed URLs to the full articles their entries link to.

Feeds often carry only teasers, so every entry's page is fetched and read like any
other web page. A failing feed or page costs one error; the rest carry on.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.article import Article
from briefing.errors import InputError
from briefing.fetch import FEED_TYPES, FetchSettings, fetch, fetch_article, normalise_url
from briefing.sources import Loaded, load_sources

if TYPE_CHECKING:
    from briefing.options import Options

log = logging.getLogger(__name__)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_INLINE_COMMENT = re.compile(r"\s+#.*$")


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str | None = None
    published: dt.date | None = None
    guid: str | None = None


def read_feed_list(path: Path) -> list[str]:
    """A feeds file: one URL a line; blank lines and # comments are ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(path), "cannot read the feeds file (not UTF-8 text)") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read the feeds file ({exc.strerror or exc})") from None
    return parse_feed_list(text)


def parse_feed_list(text: str) -> list[str]:
    lines = (_INLINE_COMMENT.sub("", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_inputs(sources: Sequence[str], feeds_file: Path | None, options: Options) -> Loaded:
    """SOURCES (files, folders, stdin, URLs) and the feeds listed in `feeds_file`, together."""
    loaded = load_sources(sources, options.max_input_bytes, options.fetch) if sources else Loaded()
    if feeds_file is not None:
        feed_urls = read_feed_list(feeds_file)
        if not feed_urls:
            log.warning("%s: no feed URLs in the file", feeds_file)
        from_feeds = load_feeds(feed_urls, options.fetch)
        loaded.articles.extend(from_feeds.articles)
        loaded.errors.extend(from_feeds.errors)
    return loaded


def load_feeds(feed_urls: Sequence[str], settings: FetchSettings | None = None) -> Loaded:
    """Every entry of every feed, as full articles in the feeds' order."""
    settings = settings or FetchSettings()
    loaded = Loaded()
    entries: list[FeedEntry] = []
    with ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="feed") as pool:
        for result in pool.map(_read_feed_or_error(settings), _unique(feed_urls)):
            if isinstance(result, InputError):
                loaded.errors.append(result)
            else:
                entries.extend(result)
    entries = dedupe_entries(entries)
    for result in fetch_entries(entries, settings):
        if isinstance(result, InputError):
            loaded.errors.append(result)
        else:
            loaded.articles.append(result)
    return loaded


def read_feed(url: str, settings: FetchSettings) -> list[FeedEntry]:
    """One feed's entries (deduplicated, capped), or InputError for the feed."""
    page = fetch(url, settings, FEED_TYPES)
    try:
        entries = parse_feed(page.body, page.final_url, page.content_type)
    except InputError as exc:  # name the feed as the user wrote it, not where it redirected
        raise InputError(url, exc.reason) from None
    unique = dedupe_entries(entries)
    if len(unique) < len(entries):
        log.info("%s: %d duplicate entries taken once", url, len(entries) - len(unique))
    if len(unique) > settings.max_feed_entries:
        log.warning("%s: %d entries; using the first %d", url, len(unique), settings.max_feed_entries)
        unique = unique[: settings.max_feed_entries]
    return unique


def parse_feed(data: bytes, url: str, content_type: str = "") -> list[FeedEntry]:
    """RSS, Atom or JSON Feed bytes to entries with a link; `url` resolves relative links."""
    if "json" in content_type or data.lstrip()[:1] == b"{":
        return parse_json_feed(data, url)
    import feedparser

    # A BytesIO, never bytes or a URL: feedparser treats a bare string as a path or URL to open.
    # text/xml without a charset means US-ASCII to feedparser (RFC 3023), a needless "bozo"
    # for every UTF-8 feed; as application/xml the document's own declaration decides.
    declared = "application/xml" if content_type in ("", "text/xml") else content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url, "content-type": declared})
    if not parsed.entries:
        if parsed.bozo:
            raise InputError(url, f"not a feed: {_bozo_reason(parsed.bozo_exception)}")
        if not parsed.get("version"):  # absent, not empty, when the body is empty
            raise InputError(url, "not a feed: no RSS or Atom document found")
        log.warning("%s: the feed has no entries", url)
        return []
    if parsed.bozo:
        log.warning(
            "%s: the feed is not well-formed (%s); using its %d entries",
            url,
            _bozo_reason(parsed.bozo_exception),
            len(parsed.entries),
        )
    return _with_links(url, (_entry_from_feedparser(entry) for entry in parsed.entries))


def parse_json_feed(data: bytes, url: str) -> list[FeedEntry]:
    """JSON Feed (https://jsonfeed.org), which feedparser does not read."""
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(url, f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(_JSON_FEED_VERSION):
        raise InputError(url, "not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise InputError(url, "not a feed: JSON Feed without an 'items' list")
    return _with_links(url, (_entry_from_json(item, url) for item in items if isinstance(item, dict)))


def dedupe_entries(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Each story once: a repeated GUID or (normalised) link is dropped."""
    seen: set[str] = set()
    unique: list[FeedEntry] = []
    for entry in entries:
        keys = {f"link:{normalise_url(entry.link)}"} | ({f"guid:{entry.guid}"} if entry.guid else set())
        if keys & seen:
            continue
        seen |= keys
        unique.append(entry)
    return unique


def fetch_entries(entries: Sequence[FeedEntry], settings: FetchSettings) -> list[Article | InputError]:
    """Each entry's page as an article (or the error), in the entries' order.

    A small bounded pool: a few pages at once is polite to one news site and hides
    most of the network wait.
    """
    if not entries:
        return []
    results: dict[int, Article | InputError] = {}
    with (
        ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="page") as pool,
        Progress(len(entries)) as progress,
    ):
        futures: dict[Future[Article | InputError], int] = {
            pool.submit(_article_or_error, entry, settings): index for index, entry in enumerate(entries)
        }
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress.advance()
        except BaseException:  # Ctrl-C: do not start the pages still queued
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[index] for index in range(len(entries))]


def entry_article(entry: FeedEntry, settings: FetchSettings) -> Article:
    """The entry's page; the feed's title and date fill what the page lacks."""
    article = fetch_article(entry.link, settings)
    return replace(
        article,
        title=article.title or entry.title,
        published=article.published or entry.published,
    )


def _article_or_error(entry: FeedEntry, settings: FetchSettings) -> Article | InputError:
    try:
        return entry_article(entry, settings)
    except InputError as exc:
        return exc


def _read_feed_or_error(settings: FetchSettings) -> Callable[[str], list[FeedEntry] | InputError]:
    def read(url: str) -> list[FeedEntry] | InputError:
        try:
            return read_feed(url, settings)
        except InputError as exc:
            return exc

    return read


def _unique(urls: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for url in urls:
        if normalise_url(url) not in seen:
            seen.add(normalise_url(url))
            unique.append(url)
    return unique


def _with_links(url: str, entries: Iterable[FeedEntry | str]) -> list[FeedEntry]:
    """Entries that have a link; each one without is a warning (a str: its title)."""
    kept: list[FeedEntry] = []
    for entry in entries:
        if isinstance(entry, FeedEntry):
            kept.append(entry)
        else:
            log.warning("%s: skipped an entry without a link (%s)", url, entry or "untitled")
    return kept


def _entry_from_feedparser(entry: Any) -> FeedEntry | str:
    title = _clean(entry.get("title"))
    link = _clean(entry.get("link"))
    if not link:
        return title or ""
    parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
    published = dt.date(*parsed_date[:3]) if parsed_date else None
    return FeedEntry(link=link, title=title, published=published, guid=_clean(entry.get("id")))


def _entry_from_json(item: dict[str, Any], url: str) -> FeedEntry | str:
    from urllib.parse import urljoin

    title = _clean(item.get("title"))
    link = _clean(item.get("url")) or _clean(item.get("external_url"))
    if not link:
        return title or ""
    return FeedEntry(
        link=urljoin(url, link),
        title=title,
        published=_iso_date(item.get("date_published") or item.get("date_modified")),
        guid=str(item["id"]) if item.get("id") is not None else None,
    )


def _iso_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _clean(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _bozo_reason(exc: Any) -> str:
    message = getattr(exc, "getMessage", None)
    reason = message() if callable(message) else str(exc)
    return " ".join(reason.split())[:120] or type(exc).__name__


class Progress:
    """A progress bar on a terminal; otherwise a few 'fetched 12/40' log lines."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar: Any = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            import click

            self.bar = click.progressbar(length=self.total, label="fetching articles", file=sys.stderr)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)

    def advance(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            log.info("fetched %d/%d article pages", self.done, self.total)
