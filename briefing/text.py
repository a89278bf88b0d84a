"""Small text helpers shared by the stages: sentence spans and word counts.

Sentences are returned as spans into the original text, so anything quoted as
evidence is a verbatim substring of the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Abbreviations that end in a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "rev",
        "hon",
        "gov",
        "sen",
        "rep",
        "pres",
        "insp",
        "supt",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "plc",
        "dept",
        "est",
        "approx",
        "fig",
        "vol",
        "op",
        "cf",
        "al",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)
# A sentence ends at . ! ? (optionally with closing quotes/brackets) before whitespace
# and something that can start a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the non-empty paragraphs (blocks separated by blank lines)."""
    start = 0
    for match in re.finditer(r"\n\s*\n", text):
        if text[start : match.start()].strip():
            yield _trim(text, start, match.start())
        start = match.end()
    if text[start:].strip():
        yield _trim(text, start, len(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans in reading order; never crosses a paragraph break."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        start = p_start
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            if _is_abbreviation(text, start, match.start()):
                continue
            spans.append(_trim(text, start, match.end()))
            start = match.end()
        if text[start:p_end].strip():
            spans.append(_trim(text, start, p_end))
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def count_words(text: str) -> int:
    """Words as a reader (or `wc -w`) counts them: runs of non-space holding a letter or digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    token = text[start:dot].rsplit(None, 1)[-1] if text[start:dot].split() else ""
    token = token.lstrip("(\"'“‘").lower()
    if token in ("no", "nos"):  # "No. 10" is an abbreviation, "said no." is not
        return text[dot + 1 : dot + 3].strip()[:1].isdigit()
    # "J." in "J. K. Rowling" is an initial, not a sentence end.
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
