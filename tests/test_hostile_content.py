"""Hostile content: classic XSS payloads in every untrusted field, through the HTML page,
the Markdown page and the digest email; then the page in a real browser, where a trusted
probe tells whether any payload ran.

Untrusted fields: article text, title, URL and author (a JSON source), a feed's title and
its entries' titles and links, the pages the entries link to (as text and as raw markup),
and the model's output (the fake model's canned answers).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from browser import FLAGS as BROWSER_FLAGS
from browser import require_chromium
from click.testing import CliRunner
from httpserver import TestServer, article_page
from markup import parse
from test_digest import html_of, text_of, write_config
from test_mail import Inbox, serving_smtp

from briefing.cli import main

pytest_plugins = ["httpserver"]

HERE = Path(__file__).resolve().parent
CSS = (HERE.parent / "briefing" / "templates" / "briefing.css").read_text(encoding="utf-8")
PAYLOADS = [
    line
    for line in (HERE / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
# URLs that look like http(s) but try to break out of the attribute they land in.
URL_PAYLOADS = [
    'https://example.com/"><script>window.__xss=1</script>',
    "https://example.com/' onmouseover='window.__xss=1",
    'http://example.com/ onmouseover="window.__xss=1"',
    "https://example.com/`onmouseover=window.__xss=1",
    "javascript://example.com/%0Awindow.__xss=1",
    "JaVaScRiPt:window.__xss=1",
    " javascript:window.__xss=1",
    "data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]
SENTENCES = [
    "The harbour board approved the new ferry timetable after a long debate on Tuesday.",
    "Harbour master Anna Berg said the timetable would start in March and cost little.",
    "Sailors said they would sail at dawn every day once the new schedule began.",
]

# Markup the templates never produce: any of these in the output came from an input.
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "img", "math",
    "form", "input", "button", "textarea", "select", "link", "base", "video", "audio", "source",
    "marquee", "noscript", "template", "animate", "set", "image", "xmp", "plaintext",
}  # fmt: skip
# Markup the templates produce only in one exact form: the collapsed detail and past-dates
# blocks, and the agenda's timeline (one <svg>, a <title> tooltip per mark). Any other
# <details> or <svg>, or a stray attribute on them, came from an input.
TEMPLATE_ELEMENTS = {"details": ({"class": "detail"}, {"class": "past"}), "svg": ()}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "background", "poster"}
INERT_ATTRIBUTES = {"title"}  # the templates put source titles and sentences there, escaped
_INVISIBLE = re.compile(r"[\x00-\x20]+")


def active_content(document: str, css: str) -> list[str]:
    """Everything in `document` that could run or load something; [] when it is inert."""
    markup = parse(document)
    problems = [f"<{tag}>" for tag in markup.tags if tag in FORBIDDEN_TAGS]
    for tag, attributes in markup.elements:
        if tag == "details" and attributes not in TEMPLATE_ELEMENTS["details"]:
            problems.append(f"<details {attributes}>")
        if tag == "svg" and attributes.get("class") != "timeline":
            problems.append(f"<svg {attributes}>")
    if markup.tags.count("svg") > 1:
        problems.append("a second <svg>")
    marks = sum(1 for tag, attributes in markup.elements if tag == "circle" and attributes.get("class") == "mark")
    for tag, name, value in markup.attributes:
        bare = _INVISIBLE.sub("", html.unescape(value)).lower()
        if name.startswith("on"):
            problems.append(f"<{tag} {name}=...>")
        if name == "style":
            problems.append(f"<{tag} style={value!r}>")  # the templates use none: a style attribute is injected
        if name in URL_ATTRIBUTES and not (bare.startswith(("http:", "https:", "#", "mailto:"))):
            problems.append(f"<{tag} {name}={value!r}>")
        if name in INERT_ATTRIBUTES:
            continue  # shown as a tooltip, never run or loaded: a payload there is just text
        if "javascript:" in bare or "vbscript:" in bare or bare.startswith("data:") or "expression(" in bare:
            problems.append(f"<{tag} {name}={value!r}>")
        if tag == "meta" and name == "http-equiv" and value.lower() != "content-security-policy":
            problems.append(f"<meta http-equiv={value!r}>")
    styles = ["".join(markup.styles).replace("\r\n", "\n").strip()]  # email parts arrive with CRLF
    if markup.tags.count("style") != 1 or styles != [css.strip()]:
        problems.append("a <style> element that is not exactly the package's stylesheet")
    if markup.tags.count("body") != 1 or markup.tags.count("title") != 1 + marks:
        problems.append("a second <body> or <title>")
    if "<script" in document.lower():
        problems.append("the text '<script' outside any escaping")
    return problems


def visible_text(document: str) -> str:
    return " ".join(" ".join(parse(document).text).split())


_WORDS = [
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
    "tram",
    "clinic",
    "stadium",
    "forest",
    "canal",
    "airport",
    "theatre",
    "quarry",
    "vineyard",
    "lighthouse",
    "brewery",
    "factory",
    "mill",
    "dairy",
    "reservoir",
    "castle",
    "garden",
    "tunnel",
    "festival",
    "bakery",
    "pier",
    "meadow",
    "chapel",
    "college",
    "hospital",
    "prison",
    "depot",
    "station",
    "wharf",
]


def story(index: int) -> str:
    """A sentence no other article shares, so every article is its own story."""
    import random

    chosen = random.Random(index).sample(_WORDS, 6)
    return f"Residents of {chosen[0].title()}ton debated the {chosen[1]}, the {chosen[2]} and the {chosen[3]} on day {index}."


def _article_records() -> list[dict[str, Any]]:
    return [
        {
            "title": payload,
            "url": URL_PAYLOADS[index % len(URL_PAYLOADS)] if index % 3 else payload,
            "author": payload,
            "published": "2026-03-02",
            "text": f"{story(index)} Case {index} reads {payload} in full.\n\n{payload}",
        }
        for index, payload in enumerate(PAYLOADS)
    ]


def _model_answers() -> list[str]:
    # The model "says" each payload, with a true sentence so the faithfulness guard has something to keep.
    return [f"{story(i)} {payload}" for i, payload in enumerate(PAYLOADS)] * 2


def render_page(tmp_path: Path, fake_model: Any) -> tuple[Path, Path]:
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(_article_records()), encoding="utf-8")
    fake_model.answers = _model_answers()
    page, markdown = tmp_path / "out" / "page.html", tmp_path / "out" / "page.md"
    result = CliRunner().invoke(
        main, ["daily", str(source), "--model", "fake", "--no-cache", "-o", str(page), "-o", str(markdown)]
    )
    assert result.exit_code == 0, result.output
    return page, markdown


def test_payloads_file_is_a_real_corpus() -> None:
    assert len(PAYLOADS) >= 40 and len(set(PAYLOADS)) == len(PAYLOADS)
    sample = "\n".join(PAYLOADS).lower()
    for needle in ("<script", "onerror", "<svg", "javascript:", "data:text/html", "<iframe", "expression(",
                   "jav", "ontoggle", "&#", '">', "</title>", "window.__xss=1"):  # fmt: skip
        assert needle in sample


def test_html_briefing_from_hostile_articles_is_inert(tmp_path: Path, fake_model: Any) -> None:
    page, markdown = render_page(tmp_path, fake_model)
    document = page.read_text(encoding="utf-8")
    assert active_content(document, CSS) == []
    text = visible_text(document)
    for payload in PAYLOADS:  # every payload reached the page, as text
        assert " ".join(payload.split()) in text, payload
    summaries = re.findall(r'<p class="summary">(.*?)</p>', document)
    assert len(summaries) >= 20 and sum("xss" in s for s in summaries) >= 20  # the model's output, payloads and all
    # Links: only plain http(s) URLs without quotes or spaces, or in-page anchors.
    hrefs = [value for tag, name, value in parse(document).attributes if name == "href"]
    assert hrefs and all(value.startswith("#") for value in hrefs)  # no URL above is a safe one

    # The Markdown page, rendered by a CommonMark renderer with raw HTML on, is inert too.
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown.read_text(encoding="utf-8"))
    problems = [p for p in active_content(f"<title>t</title><style>{CSS}</style><body>{rendered}</body>", CSS)]
    assert problems == []


def test_safe_urls_still_link(tmp_path: Path, fake_model: Any) -> None:
    source = tmp_path / "fine.json"
    source.write_text(json.dumps({"title": "Ferry", "url": "https://example.com/ferry?a=1&b=2", "text": SENTENCES[0]}))
    page = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["daily", str(source), "--model", "fake", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert 'href="https://example.com/ferry?a=1&amp;b=2"' in page.read_text()


# --- the digest email, from a hostile feed over HTTP ---


def _hostile_feed(server: TestServer) -> str:
    items = []
    for index, payload in enumerate(PAYLOADS):
        path = f"/news/{index}.html"
        paragraphs = [f"{SENTENCES[index % 3]} Case {index}: {payload}", SENTENCES[(index + 1) % 3]]
        if index % 2:  # a page with the payload as its title and as escaped text
            server.route(path, article_page(payload, paragraphs))
        else:  # a page without a title (the feed's title is used) and the payload as raw markup
            body = "".join(f"<p>{p}</p>" for p in [SENTENCES[index % 3], f"Case {index}: {payload}", SENTENCES[2]])
            server.route(path, f"<!doctype html><html><head></head><body><article>{body}</article></body></html>")
        items.append(f"<item><title>{html.escape(payload)}</title><link>{server.url(path)}</link></item>")
    for index, url in enumerate(URL_PAYLOADS):  # links that are not pages at all
        items.append(f"<item><title>bad link {index}</title><link>{html.escape(url)}</link></item>")
    feed = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(PAYLOADS[0])}</title>'
        f"<link>{server.url('/')}</link><description>{html.escape(PAYLOADS[1])}</description>{''.join(items)}"
        "</channel></rss>"
    )
    return server.route("/feed.xml", feed, content_type="application/rss+xml")


def test_digest_email_from_a_hostile_feed_is_inert(tmp_path: Path, http_server: TestServer, fake_model: Any) -> None:
    fake_model.answers = _model_answers()
    with serving_smtp() as inbox:
        config = write_config(tmp_path, _hostile_feed(http_server), inbox.port)
        result = CliRunner().invoke(main, ["digest", "--config", str(config), "--model", "fake"])
        assert result.exit_code in (0, 3), result.output
        _check_email(inbox)
    html_file = next((tmp_path / "briefings").glob("*.html"))
    page = html_file.read_text(encoding="utf-8")
    assert active_content(page, CSS) == []
    # Every hostile title is shown as text in the full page (the email's body is the
    # reading layer, which names only each story's lead report).
    text = visible_text(page)
    titled = [p for i, p in enumerate(PAYLOADS) if i % 2]
    # (A page's <title> comes back with its character references decoded once more: text all the same.)
    assert [p for p in titled if not any(" ".join(v.split()) in text for v in (p, html.unescape(p)))] == []


def _check_email(inbox: Inbox) -> None:
    (received,) = inbox.received
    body = html_of(inbox)
    from briefing.mail import _stylesheet

    assert active_content(body, _stylesheet()) == []
    shown = visible_text(body)
    assert any(payload in shown for payload in PAYLOADS)  # hostile titles are shown as text, not run
    assert "xss=1" in text_of(inbox)  # the plain part carries the text (Markdown-escaped), not markup


# --- in a real browser ---

FLAGS = [
    *BROWSER_FLAGS,
    "--virtual-time-budget=3000",  # let timers, load and error events run before the DOM is dumped
]
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
# Trusted, test-only scripts: alert/confirm/prompt become the flag; the probe reports it in the title.
SPY = "<script>window.alert = window.confirm = window.prompt = function () { window.__xss = 1 }</script>"
# The probe reports after load and a pause, so late events (img errors, ontoggle, timers) are counted too.
PROBE = (
    '<script>addEventListener("load", function () { setTimeout(function () {'
    ' document.title = "probe:" + (window.__xss ? "FIRED" : "clean") }, 500) })</script>'
)


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def dump_dom(chromium: str, page: Path, tmp_path: Path) -> str:
    profile = tmp_path / f"profile-{page.stem}"
    command = [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def title_of(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    assert match, dom[:500]
    return html.unescape(match.group(1))


@pytest.mark.browser
def test_no_payload_runs_in_a_browser(chromium: str, tmp_path: Path, fake_model: Any) -> None:
    page, _ = render_page(tmp_path, fake_model)
    rendered = page.read_text(encoding="utf-8")
    assert CSP.search(rendered), "the page lost its Content-Security-Policy"

    # 1. Escaping alone: the CSP removed (it would block the probe too), the spy and the probe added.
    bare = CSP.sub("", rendered).replace("<head>", "<head>\n" + SPY, 1).replace("</body>", PROBE + "\n</body>", 1)
    (tmp_path / "bare.html").write_text(bare, encoding="utf-8")
    dom = dump_dom(chromium, tmp_path / "bare.html", tmp_path)
    assert title_of(dom) == "probe:clean"
    assert not [a for a in parse(dom).attributes if a[1] == "data-xss"]

    # The probe works: one payload let through on purpose is caught.
    planted = bare.replace("</main>", '<img src="x" onerror="window.__xss=1"></main>', 1)
    (tmp_path / "planted.html").write_text(planted, encoding="utf-8")
    assert title_of(dump_dom(chromium, tmp_path / "planted.html", tmp_path)) == "probe:FIRED"

    # 2. As shipped, with the CSP: nothing changes the DOM (the probe cannot run either).
    dom = dump_dom(chromium, page, tmp_path)
    before = title_of(rendered)
    assert title_of(dom) == before and "XSS-FIRED" not in title_of(dom)
    assert not [a for a in parse(dom).attributes if a[1] == "data-xss"]
