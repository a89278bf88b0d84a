"""The Jinja2 environment shared by the template-based renderers."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import PurePath
from urllib.parse import urlsplit

import jinja2

from briefing import __version__
from briefing.editor import ROLE_WORDS, clip, short_date


@functools.cache
def environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("briefing", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["version"] = __version__
    env.filters["md"] = markdown_escape
    env.filters["safe_url"] = safe_url
    env.filters["longdate"] = lambda d: f"{d:%A} {d.day} {d:%B %Y}" if d else ""
    env.filters["shortdate"] = short_date
    env.filters["role"] = short_role
    env.filters["outlet"] = outlet
    env.filters["days"] = lambda n: dt.timedelta(days=n)
    return env


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def markdown_escape(value: object) -> str:
    """Untrusted text as literal Markdown: no emphasis, links, tables or raw HTML."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


_HTTP_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


def safe_url(value: object) -> str:
    """The URL if it is plain http(s), else "" (no javascript:, data: or file: links)."""
    text = str(value or "").strip()
    return text if _HTTP_URL.fullmatch(text) else ""


_ROLE_HEAD = re.compile(r"^(.+?)\s+(?:of|at|for|in)\s+")


def short_role(role: str) -> str:
    """A role as it follows a name: 'The local MP' -> 'the local MP'; a long one
    keeps its head ('president of the Association of School Heads' -> 'president')."""
    first, _, rest = role.partition(" ")
    if first in ("The", "A", "An") and rest:
        role = f"{first.lower()} {rest}"
    if len(role.split()) <= ROLE_WORDS:
        return role
    head = _ROLE_HEAD.match(role)
    return head.group(1) if head and len(head.group(1).split()) <= 3 else clip(role, ROLE_WORDS)


def outlet(source: str, url: str | None = None) -> str:
    """Where a report comes from, in a word or two: the site's host, or the file's name."""
    if url and safe_url(url):
        host = urlsplit(url).hostname or url
        return host.removeprefix("www.")
    return PurePath(source.split(":", 1)[0] if not source.startswith("/") else source).name or source
