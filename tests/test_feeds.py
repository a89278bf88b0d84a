"""Feeds: RSS, Atom and JSON Feed entries to full articles, fetched from a local server."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from httpserver import TestServer, article_page, local_fetch

from briefing.errors import InputError
from briefing.feeds import load_feeds, parse_feed_list, read_feed_list

pytest_plugins = ["httpserver"]  # the http_server fixture

QUICK = local_fetch(connect_timeout=2.0, read_timeout=5.0, deadline=5.0)  # the test servers are on 127.0.0.1
STORIES = {
    "library": "Council closes the central library. The council voted on Tuesday to close the central library "
    "after a long debate about next year's budget. Residents said they would protest on Friday outside the "
    "town hall, and a petition has gathered four thousand names.",
    "strike": "Bus drivers vote to strike. Bus drivers in Castlebridge will walk out for three days next month "
    "after rejecting a pay offer from the council-owned company. The union said talks could resume next week "
    "if the company improves its offer.",
    "bridge": "Old bridge to reopen after repairs. The old river bridge will reopen to traffic on Monday after "
    "eight months of repairs costing two million pounds. Engineers found the steel frame in better condition "
    "than expected, which shortened the work.",
    "school": "New school approved for the north side. Planners approved a new primary school for six hundred "
    "pupils on the north side of the city. Building work is due to start in the spring and finish before the "
    "autumn term of the following year.",
}


def serve_articles(server: TestServer, names: list[str] | None = None, titled: bool = True) -> dict[str, str]:
    """Each story as a page at /articles/<name>.html; returns name -> URL."""
    urls = {}
    for name in names or list(STORIES):
        headline, _, body = STORIES[name].partition(". ")
        paragraphs = [sentence + "." for sentence in body.rstrip(".").split(". ")]
        page = article_page(headline if titled else None, paragraphs, "2026-04-30" if titled else None)
        urls[name] = server.route(f"/articles/{name}.html", page)
    return urls


def rss(items: list[dict[str, str]], broken: bool = False) -> bytes:
    def item(fields: dict[str, str]) -> str:
        # isPermaLink="false": otherwise an RSS guid doubles as the entry's link.
        tags = (
            f'<guid isPermaLink="false">{value}</guid>' if key == "guid" else f"<{key}>{value}</{key}>"
            for key, value in fields.items()
        )
        return "<item>" + "".join(tags) + "</item>"

    # An unescaped '&' makes the XML not well-formed: feedparser still reads it, as a "bozo" feed.
    title = "News & more" if broken else "News"
    body = "".join(item(fields) for fields in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


def rss_items(urls: dict[str, str]) -> list[dict[str, str]]:
    return [{"title": f"Teaser {name}", "link": url, "guid": f"id-{name}"} for name, url in urls.items()]


def serve_feed(server: TestServer, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
    return server.route(path, body, content_type=content_type)


def test_rss_entries_become_full_articles_in_feed_order(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    urls = serve_articles(http_server)
    feed = serve_feed(http_server, "/rss.xml", rss(rss_items(urls)))
    with caplog.at_level(logging.INFO, logger="briefing"):
        loaded = load_feeds([feed], QUICK)
    assert loaded.errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # a clean feed is not "bozo"
    assert "fetched 4/4 article pages" in caplog.messages
    assert [a.url for a in loaded.articles] == list(urls.values())
    assert [a.source for a in loaded.articles] == list(urls.values())
    library = loaded.articles[0]
    assert library.title == "Council closes the central library"  # the page's title, not the teaser
    assert "petition has gathered four thousand names" in library.text  # the full page, not the teaser
    assert library.published == dt.date(2026, 4, 30)


def test_atom_feed_with_relative_links_and_dates(http_server: TestServer) -> None:
    urls = serve_articles(http_server, ["bridge", "school"], titled=False)
    entries = "".join(
        f"<entry><title>Feed title {name}</title><id>urn:{name}</id>"
        f'<link rel="alternate" href="/articles/{name}.html"/><updated>2026-05-0{n}T08:00:00Z</updated></entry>'
        for n, name in enumerate(urls, start=1)
    )
    atom = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
    feed = serve_feed(http_server, "/feeds/atom.xml", atom.encode(), "application/atom+xml")
    loaded = load_feeds([feed], QUICK)
    assert [a.url for a in loaded.articles] == list(urls.values())
    # The pages have neither title nor date: the feed's fill them in.
    assert [a.title for a in loaded.articles] == ["Feed title bridge", "Feed title school"]
    assert [a.published for a in loaded.articles] == [dt.date(2026, 5, 1), dt.date(2026, 5, 2)]


def test_json_feed(http_server: TestServer) -> None:
    urls = serve_articles(http_server, ["strike", "library"], titled=False)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "News",
        "items": [
            {"id": "1", "url": urls["strike"], "title": "Drivers strike", "content_text": "Teaser.",
             "date_published": "2026-03-02T10:00:00Z"},
            {"id": "2", "url": urls["library"], "title": "Library closes", "content_html": "<p>Teaser.</p>"},
            {"id": "3", "title": "No link here", "content_text": "Skipped."},
        ],
    }  # fmt: skip
    feed = serve_feed(http_server, "/feed.json", json.dumps(document).encode(), "application/feed+json")
    loaded = load_feeds([feed], QUICK)
    assert loaded.errors == []
    assert [(a.url, a.title, a.published) for a in loaded.articles] == [
        (urls["strike"], "Drivers strike", dt.date(2026, 3, 2)),
        (urls["library"], "Library closes", None),
    ]


def test_json_that_is_not_a_json_feed(http_server: TestServer) -> None:
    feed = serve_feed(http_server, "/x.json", b'{"items": []}', "application/json")
    [error] = load_feeds([feed], QUICK).errors
    assert (error.source, error.reason) == (feed, "not a feed: JSON without a JSON Feed version")


def test_bozo_feed_with_entries_is_used_with_a_warning(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    urls = serve_articles(http_server, ["library", "strike"])
    feed = serve_feed(http_server, "/bozo.xml", rss(rss_items(urls), broken=True))
    with caplog.at_level(logging.WARNING, logger="briefing"):
        loaded = load_feeds([feed], QUICK)
    assert [a.url for a in loaded.articles] == list(urls.values())
    assert any(feed in message and "not well-formed" in message for message in caplog.messages)


@pytest.mark.parametrize("body", [b"this is not XML at all", b"/etc/passwd", b"<html><body>hello</body></html>"])
def test_not_a_feed_is_an_error_for_that_feed(http_server: TestServer, body: bytes) -> None:
    # b"/etc/passwd" also checks feedparser never opens a path or URL it is handed.
    feed = serve_feed(http_server, "/broken.xml", body)
    loaded = load_feeds([feed], QUICK)
    assert loaded.articles == []
    [error] = loaded.errors
    assert error.source == feed
    assert error.reason.startswith("not a feed")


def test_entries_without_a_link_are_skipped(http_server: TestServer, caplog: pytest.LogCaptureFixture) -> None:
    urls = serve_articles(http_server, ["bridge"])
    items = [{"title": "Lost link", "guid": "x"}, *rss_items(urls)]
    feed = serve_feed(http_server, "/rss.xml", rss(items))
    with caplog.at_level(logging.WARNING, logger="briefing"):
        loaded = load_feeds([feed], QUICK)
    assert [a.url for a in loaded.articles] == [urls["bridge"]]
    assert loaded.errors == []
    assert any("without a link (Lost link)" in message for message in caplog.messages)


def test_duplicate_guids_and_links_are_taken_once(http_server: TestServer) -> None:
    urls = serve_articles(http_server, ["library", "strike"])
    items = [
        {"title": "A", "link": urls["library"], "guid": "one"},
        {"title": "A again, new link", "link": urls["strike"], "guid": "one"},  # same GUID
        {"title": "A again, new guid", "link": urls["library"] + "?utm_source=rss", "guid": "two"},  # same page
        {"title": "B", "link": urls["strike"], "guid": "three"},
    ]
    feed = serve_feed(http_server, "/rss.xml", rss(items))
    other = serve_feed(http_server, "/other.xml", rss([{"title": "B", "link": urls["strike"], "guid": "four"}]))
    loaded = load_feeds([feed, other], QUICK)
    assert [a.url for a in loaded.articles] == [urls["library"], urls["strike"]]
    assert http_server.requests.count("/articles/library.html") == 1
    assert http_server.requests.count("/articles/strike.html") == 1


def test_at_most_max_feed_entries(http_server: TestServer, caplog: pytest.LogCaptureFixture) -> None:
    urls = serve_articles(http_server)
    feed = serve_feed(http_server, "/rss.xml", rss(rss_items(urls)))
    with caplog.at_level(logging.WARNING, logger="briefing"):
        loaded = load_feeds([feed], local_fetch(max_feed_entries=2, deadline=5.0))
    assert [a.url for a in loaded.articles] == [urls["library"], urls["strike"]]
    assert any("4 entries; using the first 2" in message for message in caplog.messages)


def test_a_failing_entry_page_is_an_error_and_the_others_are_kept(http_server: TestServer) -> None:
    urls = serve_articles(http_server, ["library", "bridge"])
    missing = http_server.url("/articles/gone.html")
    pdf = http_server.route("/articles/report.pdf", b"%PDF-1.4", content_type="application/pdf")
    moved = http_server.redirect("/go/bridge", "/articles/bridge.html")
    links = {"library": urls["library"], "gone": missing, "pdf": pdf, "bridge": moved}
    feed = serve_feed(http_server, "/rss.xml", rss(rss_items(links)))
    loaded = load_feeds([feed], QUICK)
    assert [a.url for a in loaded.articles] == [urls["library"], urls["bridge"]]  # the page's final URL
    assert [(e.source, e.reason) for e in loaded.errors] == [
        (missing, "HTTP 404"),
        (pdf, "not an HTML page (application/pdf)"),
    ]


def test_a_failing_feed_does_not_stop_the_others(http_server: TestServer) -> None:
    urls = serve_articles(http_server, ["school"])
    good = serve_feed(http_server, "/rss.xml", rss(rss_items(urls)))
    bad = http_server.url("/missing.xml")
    loaded = load_feeds([bad, good], QUICK)
    assert [a.url for a in loaded.articles] == [urls["school"]]
    assert [(e.source, e.reason) for e in loaded.errors] == [(bad, "HTTP 404")]


def test_feed_list_file(tmp_path: Path) -> None:
    text = "# my feeds\n\nhttps://a.example/rss.xml\n  https://b.example/feed.json   # the JSON one\n#https://off\n"
    assert parse_feed_list(text) == ["https://a.example/rss.xml", "https://b.example/feed.json"]
    path = tmp_path / "feeds.txt"
    path.write_text(text)
    assert read_feed_list(path) == parse_feed_list(text)
    with pytest.raises(InputError, match="cannot read the feeds file"):
        read_feed_list(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    "content_type", ["text/xml", "text/xml; charset=utf-8", "application/xml", "application/rss+xml"]
)
def test_feed_content_types_are_not_bozo(
    http_server: TestServer, caplog: pytest.LogCaptureFixture, content_type: str
) -> None:
    urls = serve_articles(http_server, ["library"])
    items = [{"title": "Café société", "link": urls["library"], "guid": "1"}]
    body = rss(items).replace(b'version="1.0"?>', b'version="1.0" encoding="utf-8"?>')
    feed = serve_feed(http_server, "/rss.xml", body, content_type)
    with caplog.at_level(logging.WARNING, logger="briefing"):
        loaded = load_feeds([feed], QUICK)
    assert [a.url for a in loaded.articles] == [urls["library"]]
    assert caplog.messages == []
