"""Articles: parse the text formats we accept into one plain-text `Article`.

Pure functions over bytes; sources.py does the reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from briefing.errors import InputError

# Magic numbers of formats people drop into a news folder by mistake.
_BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
}
_TITLE_MAX_CHARS = 200
# trafilatura falls back to whatever text a page has (menu labels, cookie notices);
# fewer words than this is not an article.
_HTML_MIN_WORDS = 20
# The publication date comes from the page's metadata and markup only (meta tags,
# JSON-LD, <time>, the canonical URL): htmldate's extensive search also reads the
# text, and took "the 2013 train disaster" for a date, 1 January 2013.
_DATE_FROM_MARKUP = {"original_date": True, "extensive_search": False}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Article:
    text: str  # plain text, paragraphs separated by a blank line
    source: str  # where it came from, as the user named it
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    author: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return article_id(self.text)


def article_id(text: str) -> str:
    """A stable id: the same story with different spacing gets the same id."""
    normalised = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def decode_text(data: bytes, source: str) -> str:
    """Bytes to text, naming the problem when the bytes are not text at all."""
    if not data.strip():
        raise InputError(source, "empty file")
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise InputError(source, f"binary file ({kind}), not an article")
    text = _decode(data)
    if text is None:
        raise InputError(source, "not text: unknown encoding or binary data")
    controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > max(2, len(text[:20000]) // 100):
        raise InputError(source, "binary data, not an article")
    if not text.strip():
        raise InputError(source, "empty file (whitespace only)")
    return text


def _decode(data: bytes) -> str | None:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    zeros_even, zeros_odd = data[0:4000:2].count(0), data[1:4000:2].count(0)
    if zeros_odd > len(data[:4000]) // 4 or zeros_even > len(data[:4000]) // 4:
        # UTF-16 without a BOM: ASCII text leaves every other byte zero.
        encoding = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes (a truncated character, a stray byte): keep the
    # good characters and mark the broken ones, rather than misread the whole file.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd") - data.count("\ufffd".encode())
    if sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd") >= broken:
        return lenient
    import charset_normalizer  # only needed for the rare non-UTF-8 file

    results = charset_normalizer.from_bytes(data)
    best = results.best()
    if best is None:
        return None
    # Short Western text fits many legacy code pages equally well (é is ķ in cp775);
    # when Windows-1252 reads it as cleanly as the best guess, it is the likelier one.
    western = _decode_western(data)
    if any(m.chaos <= best.chaos and str(m) == western for m in results):
        return western
    return str(best)


def _decode_western(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def normalise_paragraphs(text: str) -> str:
    """One paragraph per block, blank line between; hard-wrapped lines joined."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = re.split(r"\n\s*\n", text)
    paragraphs = (" ".join(block.split()) for block in blocks)
    return "\n\n".join(p for p in paragraphs if p)


def parse_plain(text: str, source: str) -> Article:
    """`.txt`: the first line is the title when a blank line follows it."""
    title, body = _split_title(text)
    body = normalise_paragraphs(body)
    if not body:
        raise InputError(source, "no article text (only a title)")
    return Article(text=body, source=source, title=title)


def parse_markdown(text: str, source: str) -> Article:
    """`.md`: like .txt, with Markdown syntax reduced to its visible text."""
    title, body = _split_title(text)
    if title:
        title = title.lstrip("#").strip() or None
    body = normalise_paragraphs(_markdown_to_text(body))
    if not body:
        raise InputError(source, "no article text (only a title)")
    return Article(text=body, source=source, title=title)


def _split_title(text: str) -> tuple[str | None, str]:
    lines = text.strip().split("\n")
    first = lines[0].strip()
    if len(lines) > 2 and not lines[1].strip() and len(first) <= _TITLE_MAX_CHARS:
        return first, "\n".join(lines[2:])
    return None, text


def _markdown_to_text(text: str) -> str:
    from markdown_it import MarkdownIt

    blocks: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "inline":
            blocks.append(
                "".join(
                    child.content
                    if child.type in ("text", "code_inline")
                    else " "
                    if child.type in ("softbreak", "hardbreak")
                    else ""
                    for child in token.children or []
                )
            )
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content)
    return "\n\n".join(blocks)


def parse_html(data: bytes, source: str) -> Article:
    """`.html`: main text and metadata by trafilatura (it also sniffs the charset)."""
    import trafilatura

    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise InputError(source, f"binary file ({kind}), not a web page")
    tree = trafilatura.load_html(data)
    if tree is None:
        raise InputError(source, "no article text found in the page (not readable as HTML)")
    _escape_ampersands(tree)
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        date_extraction_params={**_DATE_FROM_MARKUP, "max_date": dt.date.today().isoformat()},
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise InputError(source, "no article text found in the page (navigation, script or boilerplate only)")
    title = (document.title or "").strip() or None
    # trafilatura returns one paragraph per line; the headline may repeat as the first one.
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and title in lines[:3]:
        # The headline, and any section label ("kicker") above it, are not body text.
        lines = lines[lines.index(title) + 1 :]
    body = normalise_paragraphs("\n\n".join(lines))
    if len(body.split()) < _HTML_MIN_WORDS:
        raise InputError(source, f"no article text found in the page (only {len(body.split())} words of text)")
    published, warnings = _parse_date(document.date)
    if published is not None and not _states_the_day(data, published):
        # htmldate fills in what a partial date lacks: 1 January for a year, a day for a
        # month. A guessed day would anchor every "on Monday" in the article wrongly.
        published = None
    return Article(
        text=body,
        source=source,
        title=title,
        url=document.url,
        published=published,
        author=(document.author or None),
        warnings=warnings,
    )


def _escape_ampersands(tree: Any) -> None:
    """Escape every "&" in the parsed page once more, in place.

    lxml has already decoded the page's entities, and trafilatura unescapes the text
    and metadata it returns once more (html.unescape): a title written "&amp;#60;"
    (shown as "&#60;") came out as "<", and "&amp;amp;" as "&". Escaped once more
    here, each comes out as the page showed it."""
    for element in tree.iter():
        if element.text and "&" in element.text:
            element.text = element.text.replace("&", "&amp;")
        if element.tail and "&" in element.tail:
            element.tail = element.tail.replace("&", "&amp;")
        for name, value in element.attrib.items():
            if "&" in value:
                element.set(name, value.replace("&", "&amp;"))


def _states_the_day(page: bytes, date: dt.date) -> bool:
    """Whether the page writes out `date` with its day: 2021-11-26, 2021/11/26, 20211126,
    26/11/2021, 11/26/2021, 26 November 2021, Nov. 26th, 2021 and the like."""
    text = page.decode("utf-8", errors="replace")
    year, month, day = str(date.year), date.month, date.day
    m, d = rf"0?{month}", rf"0?{day}"
    numeric = (
        rf"{year}[-/.]{m}[-/.]{d}(?!\d)",
        rf"{year}{month:02d}{day:02d}(?!\d)",
        rf"(?<!\d){d}[-/.]{m}[-/.]{year}",
        rf"(?<!\d){m}[-/.]{d}[-/.]{year}",
    )
    name = rf"{_MONTHS[month - 1]}[a-z]*\.?"
    ordinal = rf"{d}(?:st|nd|rd|th)?\.?"
    textual = (
        rf"(?<!\d){ordinal}\s+(?:of\s+)?{name},?\s+{year}",
        rf"{name}\s+{ordinal},?\s+{year}",
    )
    return any(re.search(pattern, text, re.IGNORECASE) for pattern in (*numeric, *textual))


def parse_json(text: str, source: str) -> list[Article]:
    """`.json`: one article object, or a list of them."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    records = value if isinstance(value, list) else [value]
    if not records:
        raise InputError(source, "empty JSON list")
    return [
        _from_record(record, f"{source}[{i}]" if isinstance(value, list) else source)
        for i, record in enumerate(records)
    ]


def parse_jsonl(text: str, source: str) -> tuple[list[Article], list[InputError]]:
    """`.jsonl`: one article per line; a broken line costs only that line."""
    articles: list[Article] = []
    errors: list[InputError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            articles.append(_from_record(json.loads(line), where))
        except json.JSONDecodeError as exc:
            errors.append(InputError(where, f"not valid JSON ({exc.msg})"))
        except InputError as exc:
            errors.append(exc)
    if not articles and not errors:
        raise InputError(source, "empty file")
    return articles, errors


def _from_record(record: Any, source: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(source, "expected a JSON object with a 'text' field")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, "JSON record has no 'text'")
    body = normalise_paragraphs(text)
    published, warnings = _parse_date(record.get("published"))
    return Article(
        text=body,
        source=source,
        title=_optional_str(record.get("title")),
        url=_optional_str(record.get("url")),
        published=published,
        author=_optional_str(record.get("author")),
        warnings=warnings,
    )


def _optional_str(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _parse_date(value: Any) -> tuple[dt.date | None, tuple[str, ...]]:
    if not value:
        return None, ()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]), ()
        except ValueError:
            pass
    return None, (f"could not read the publication date {str(value)[:40]!r}; treated as unknown",)
