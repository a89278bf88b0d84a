"""Property-based tests: the text helpers, the NLP stage, date resolution and the
renderers never crash on arbitrary text, and what they quote is verbatim."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markup import hrefs, parse

from briefing.document import Actor, ArticleBriefing, Briefing, ModelInfo, NextStep, Position, SourceError
from briefing.nlp.dates import resolve_date
from briefing.render import render
from briefing.text import sentence_spans, split_sentences, words

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that news text is full of, and that sentence and quote handling care about.
PUNCTUATION = list("“”‘’\"'.!?…,;:()[]-—–\n\n \t") + ["\r\n", "\u00a0", "\u2028", "Mr.", "No. 10", "U.S."]
NEWSY = st.lists(
    st.one_of(
        st.sampled_from(PUNCTUATION), st.characters(codec="utf-8"), st.sampled_from(["A", "b", "Zed", "09", " "])
    ),
    max_size=150,
).map("".join)
SENTENCES = [
    "“We will not back down,” said Mr Smith, the union's leader.",
    "The council will vote on the plan on Friday.",
    "Ms Jones said the talks had failed.",
    "“It is a disgrace,” she said. “We will appeal.”",
    "According to the BBC, the minister will resign next week.",
    "Talks are expected to resume in two weeks' time.",
    "The court will rule by the end of March.",
    "He said: 'the deal is off'.",
    "Dr. J. K. Rowling will speak at 10 a.m. on 3 June 2027.",
]
ARTICLE_TEXT = st.lists(st.one_of(st.sampled_from(SENTENCES), NEWSY.map(lambda s: s[:80])), min_size=1, max_size=6).map(
    " ".join
)


@QUICK
@given(NEWSY)
def test_split_sentences_never_crashes_and_quotes_verbatim(text: str) -> None:
    sentences = split_sentences(text)
    for sentence in sentences:
        assert sentence and sentence in text
        assert sentence == sentence.strip()
    spans = sentence_spans(text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))  # in order, never overlapping
    assert [w for s in sentences for w in words(s)] == words(" ".join(sentences))


@QUICK
@given(ARTICLE_TEXT)
def test_split_sentences_on_newsy_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert sentence and sentence in text
        assert "\n\n" not in sentence.replace("\r\n", "\n") or "\n \n" in sentence  # never across a paragraph break


@SLOW
@given(ARTICLE_TEXT, st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))))
def test_nlp_stage_never_crashes_and_evidence_is_verbatim(text: str, anchor: dt.date | None) -> None:
    from briefing.nlp.analyse import analyse_doc
    from briefing.nlp.spacy_model import load_nlp

    analysis = analyse_doc(load_nlp()(text), anchor)
    for position in analysis.positions:
        assert position.evidence and position.evidence in text
        assert position.actor and position.statement
    for step in analysis.next_steps:
        assert step.evidence and step.evidence in text
        assert step.date is None or isinstance(step.date, dt.date)
        assert step.when is None or step.when in text or " ".join(step.when.split()) in " ".join(text.split())


EXPRESSIONS = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "on",
                "by",
                "in",
                "within",
                "next",
                "last",
                "this",
                "the",
                "end",
                "of",
                "early",
                "late",
                "mid",
                "monday",
                "friday",
                "week",
                "weeks",
                "month",
                "fortnight",
                "days",
                "day",
                "year",
                "time",
                "from",
                "now",
                "tomorrow",
                "tonight",
                "31",
                "29",
                "0",
                "99999",
                "june",
                "february",
                "feb.",
                "march",
                "2027",
                "9999",
                "10000",
                "1",
                "two",
                "twenty",
                "'s",
                "’",
                "spring",
                "quarter",
                "q4",
                ",",
                ".",
                "-",
            ]
        ),
        max_size=6,
    ).map(" ".join),
)


@QUICK
@given(EXPRESSIONS, st.one_of(st.none(), st.dates()))
def test_resolve_date_never_raises(expression: str, anchor: dt.date | None) -> None:
    result = resolve_date(expression, anchor)
    assert result is None or isinstance(result, dt.date)


@QUICK
@given(st.sampled_from(["in 3 days", "next week", "on Friday", "tomorrow", "by the end of the year"]), st.dates())
def test_resolve_date_at_the_ends_of_the_calendar(expression: str, anchor: dt.date) -> None:
    result = resolve_date(expression, anchor)
    assert result is None or isinstance(result, dt.date)


# --- rendering ---

HOSTILE = ["<script>alert(1)</script>", "<SCRIPT src=x>", "</td><script>", "{{ 7*7 }}", "{% raw %}", "]]>", "&amp;"]
TEXT = st.one_of(st.text(max_size=80), st.sampled_from(HOSTILE), st.lists(st.sampled_from(HOSTILE)).map("".join))
ACTOR = st.builds(
    Actor,
    name=TEXT,
    type=st.sampled_from(["person", "organisation", "place", "group"]),
    aliases=st.lists(TEXT, max_size=2).map(tuple),
    role=st.one_of(st.none(), TEXT),
    mentions=st.integers(1, 9),
)
ARTICLE = st.builds(
    ArticleBriefing,
    id=st.text("0123456789abcdef", min_size=16, max_size=16),
    title=st.one_of(st.none(), TEXT),
    source=TEXT,
    published=st.one_of(st.none(), st.dates()),
    summary=TEXT,
    url=st.one_of(st.none(), TEXT, st.just("javascript:alert(1)")),
    actors=st.lists(ACTOR, max_size=3).map(tuple),
    positions=st.lists(st.builds(Position, actor=TEXT, statement=TEXT, evidence=TEXT), max_size=2).map(tuple),
    next_steps=st.lists(
        st.builds(
            NextStep,
            text=TEXT,
            evidence=TEXT,
            when=st.one_of(st.none(), TEXT),
            date=st.one_of(st.none(), st.dates()),
            actor=st.one_of(st.none(), TEXT),
        ),
        max_size=2,
    ).map(tuple),
    warnings=st.lists(TEXT, max_size=2).map(tuple),
)
BRIEFING = st.builds(
    Briefing,
    title=TEXT,
    date=st.dates(),
    generated_at=st.datetimes(timezones=st.just(dt.timezone.utc)),
    model=st.builds(ModelInfo, name=TEXT, backend=st.sampled_from(["seq2seq", "chat", "extractive"])),
    articles=st.lists(ARTICLE, max_size=3).map(tuple),
    errors=st.lists(st.builds(SourceError, source=TEXT, error=TEXT), max_size=2).map(tuple),
)


@QUICK
@given(BRIEFING)
def test_render_never_crashes_and_escapes_text(briefing: Briefing) -> None:
    data = json.loads(render(briefing, "json"))
    assert data["title"] == briefing.title
    assert [a["summary"] for a in data["articles"]] == [a.summary for a in briefing.articles]
    assert [e["source"] for e in data["errors"]] == [e.source for e in briefing.errors]

    html = render(briefing, "html")
    assert "<script" not in html.lower()
    markup = parse(html)
    assert "script" not in markup.tags
    assert not any(href.strip().lower().startswith("javascript") for href in hrefs(markup))

    markdown = render(briefing, "md")
    assert isinstance(markdown, str)
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in rendered.lower()
    assert 'href="javascript' not in rendered.lower()
