from __future__ import annotations

import pytest

from briefing.text import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith said no. The vote failed.", ["Mr. Smith said no.", "The vote failed."]),
        ("“We had no choice,” he said. Talks end.", ["“We had no choice,” he said.", "Talks end."]),
        ("He said: “It is over.” Then he left.", ["He said: “It is over.”", "Then he left."]),
        ("J. K. Rowling spoke. Fans cheered!", ["J. K. Rowling spoke.", "Fans cheered!"]),
        ("Prices rose 3.5% in May. Why? Nobody knows.", ["Prices rose 3.5% in May.", "Why?", "Nobody knows."]),
        ("One paragraph\n\nAnother one", ["One paragraph", "Another one"]),
        ("the U.S. and the U.K. agreed. Good.", ["the U.S. and the U.K. agreed.", "Good."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_spans_are_verbatim_substrings() -> None:
    text = "  First one.  Second “quoted.” \n\n Third?  "
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip() and text[start:end]
