from __future__ import annotations

import datetime as dt
import json

import pytest

from briefing.article import article_id, decode_text, parse_html, parse_json, parse_jsonl, parse_markdown, parse_plain
from briefing.errors import InputError

BODY = "The council voted on Tuesday to close the library. Residents will protest on Friday."


def test_plain_text_title_is_first_line_followed_by_blank_line() -> None:
    article = parse_plain(f"Council closes library\n\n{BODY}\n", "a.txt")
    assert article.title == "Council closes library"
    assert article.text == BODY


def test_plain_text_without_blank_line_has_no_title() -> None:
    article = parse_plain(f"{BODY}\nA second line of body.\n", "a.txt")
    assert article.title is None
    assert article.text.startswith("The council voted")


def test_hard_wrapped_lines_join_and_paragraphs_stay_apart() -> None:
    article = parse_plain("Title\n\nFirst line\nwrapped here.\n\n\nSecond paragraph.", "a.txt")
    assert article.text == "First line wrapped here.\n\nSecond paragraph."


def test_markdown_is_reduced_to_visible_text() -> None:
    article = parse_markdown(
        "# Strike called\n\nThe **union** said [today](http://x) it *will* strike.\n\n## More\n\nTalks resume.", "a.md"
    )
    assert article.title == "Strike called"
    assert article.text == "The union said today it will strike.\n\nMore\n\nTalks resume."


def test_id_ignores_spacing_and_case_but_not_words() -> None:
    assert article_id("Talks  resume\n\nTODAY.") == article_id("talks resume today.")
    assert article_id("Talks resume today.") != article_id("Talks resume tomorrow.")


def test_html_main_text_and_metadata_by_trafilatura() -> None:
    paragraphs = "".join(f"<p>{BODY} Paragraph number {i} adds more detail about the vote.</p>" for i in range(6))
    page = (
        '<html><head><title>Site | Library</title><meta property="og:title" content="Council closes library">'
        '<meta name="author" content="Jo Bloggs">'
        '<meta property="article:published_time" content="2021-11-26T10:30:00Z">'
        "</head><body><nav><a href='/'>Home</a><a href='/w'>World</a></nav>"
        f"<article><h1>Council closes library</h1>{paragraphs}"
        "</article><footer>Copyright 2021 Example News</footer></body></html>"
    ).encode()
    article = parse_html(page, "page.html")
    assert article.title == "Council closes library"
    assert article.published == dt.date(2021, 11, 26)
    assert "Paragraph number 5" in article.text
    assert "Copyright" not in article.text and "Home" not in article.text


def news_page(head: str = "", first: str = BODY, title: str = "Train line reopens") -> bytes:
    """A page with `head` in its <head> and `first` as its first paragraph."""
    more = "Engineers said the track was safe again after months of repairs. Trains will run every hour."
    paragraphs = "".join(f"<p>{text}</p>" for text in (first, more, more + " Tickets cost less."))
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


DISASTER = "Survivors of the 2013 train disaster met on Monday and said the line would reopen next week."


@pytest.mark.parametrize(
    ("page", "published"),
    [
        pytest.param(news_page(), None, id="no-date"),
        pytest.param(news_page(first=DISASTER), None, id="only-a-year-in-the-text"),
        pytest.param(news_page(title="The 2013 disaster, ten years on"), None, id="only-a-year-in-the-title"),
        pytest.param(news_page(first="Published 4 May 2022. " + BODY), None, id="a-date-in-the-text-only"),
        pytest.param(
            news_page('<link rel="canonical" href="https://news.example.com/2024/03/05/train.html">'),
            dt.date(2024, 3, 5),
            id="a-date-only-in-the-canonical-url",
        ),
        pytest.param(
            news_page('<link rel="canonical" href="https://news.example.com/2024/03/train.html">'),
            None,
            id="a-year-and-month-only-in-the-url",
        ),
        pytest.param(
            news_page('<meta property="article:published_time" content="2021-11-26T10:30:00Z">', first=DISASTER),
            dt.date(2021, 11, 26),
            id="article-published-time",
        ),
        pytest.param(
            news_page('<meta property="article:published_time" content="2013-01-01T08:00:00Z">'),
            dt.date(2013, 1, 1),
            id="a-real-1-january",
        ),
        pytest.param(
            news_page('<meta property="article:published_time" content="2013-05">'),
            None,
            id="a-month-without-its-day",
        ),
        pytest.param(
            news_page(first=f'<time datetime="2022-05-04">4 May 2022</time> {BODY}'),
            dt.date(2022, 5, 4),
            id="a-time-element",
        ),
    ],
)
def test_the_publication_date_comes_only_from_markup_with_its_day(page: bytes, published: dt.date | None) -> None:
    # Never a year read as 1 January, nor a month given a day: an unknown date leaves
    # `published` empty, and relative dates are anchored on --date instead.
    assert parse_html(page, "page.html").published == published


@pytest.mark.parametrize(
    ("title_html", "title"),
    [
        ("Fish &amp;#60; chips", "Fish &#60; chips"),  # shown as "&#60;" in a browser
        ("Fish &amp;amp; chips", "Fish &amp; chips"),
        ("Fish &amp; chips &lt;b&gt;", "Fish & chips <b>"),
        ("R&amp;D at AT&T", "R&D at AT&T"),
    ],
)
def test_titles_are_unescaped_once(title_html: str, title: str) -> None:
    assert parse_html(news_page(title=title_html), "page.html").title == title


def test_body_text_is_unescaped_once() -> None:
    first = "To write &amp;lt;b&amp;gt; in a page, escape it; &amp;amp; is an ampersand, and so is &amp; here."
    article = parse_html(news_page(first=first), "page.html")
    assert article.text.startswith("To write &lt;b&gt; in a page, escape it; &amp; is an ampersand, and so is & here.")


def test_html_without_article_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no article text"):
        parse_html(b"<html><body><nav><a href='/'>Home</a></nav><script>var x = 1;</script></body></html>", "nav.html")


def test_json_object_and_list() -> None:
    record = {"title": "T", "text": BODY, "url": "https://example.com/a", "published": "2026-11-20T08:00:00Z"}
    (article,) = parse_json(json.dumps(record), "a.json")
    assert (article.title, article.url, article.published) == ("T", "https://example.com/a", dt.date(2026, 11, 20))
    assert len(parse_json(json.dumps([record, record]), "b.json")) == 2


def test_json_bad_date_is_a_warning_not_a_failure() -> None:
    (article,) = parse_json(json.dumps({"text": BODY, "published": "last Tuesday"}), "a.json")
    assert article.published is None
    assert "publication date" in article.warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"title": "no text"}', "no 'text'"),
        ("[]", "empty JSON list"),
        ("42", "JSON object"),
    ],
)
def test_bad_json_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_json(text, "a.json")


def test_jsonl_broken_line_costs_only_that_line() -> None:
    good = json.dumps({"title": "A", "text": BODY})
    articles, errors = parse_jsonl(f"{good}\n{{broken\n\n{good.replace('A', 'B')}\n", "feed.jsonl")
    assert [a.title for a in articles] == ["A", "B"]
    assert [e.source for e in errors] == ["feed.jsonl:2"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"   \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (bytes(range(256)) * 20, "binary|not text"),
    ],
)
def test_non_text_bytes_are_rejected_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_text(data, "x.txt")


@pytest.mark.parametrize(
    "data",
    [
        "Café society: “quotes” and naïve text.".encode("utf-16-le"),  # UTF-16 without a BOM
        "Café society: “quotes” and naïve text.".encode("utf-16"),  # with a BOM
        "Café society and naïve text in Latin-1, with more words here.".encode("latin-1"),
        "\ufeffCafé society: “quotes” and naïve text.".encode("utf-8"),
    ],
)
def test_common_encodings_decode(data: bytes) -> None:
    assert "Caf" in decode_text(data, "x.txt") and "society" in decode_text(data, "x.txt")
