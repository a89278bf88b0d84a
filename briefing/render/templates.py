"""The Jinja2 environment shared by the template-based renderers."""

from __future__ import annotations

import functools
import re

import jinja2

from briefing import __version__


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
