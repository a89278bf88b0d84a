"""A summary built only from source sentences: needs no model, invents nothing."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from briefing.models import register
from briefing.models.base import Model, SummaryRequest
from briefing.options import GenerationSettings, ModelSpec
from briefing.text import split_sentences, words

DEFAULT_MAX_WORDS = 80
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "said",
        "says",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "not",
        "no",
        "more",
        "than",
        "also",
        "after",
        "before",
        "over",
        "about",
        "there",
        "what",
        "when",
        "where",
        "while",
        "mr",
        "mrs",
        "ms",
    ]
)


_PRONOUNS = frozenset(["he", "she", "they", "it", "his", "her", "their", "its", "this", "these", "those"])


def extractive_summary(text: str, max_words: int = DEFAULT_MAX_WORDS) -> str:
    """The highest-scoring sentences, in article order, within `max_words`.

    A sentence scores by how many of the article's frequent content words it
    holds, with a bonus for coming early: news copy puts the point first.
    """
    sentences = split_sentences(text)
    if not sentences:
        return ""
    frequency = Counter(w.lower() for w in words(text) if w.lower() not in _STOPWORDS and len(w) > 2)

    def score(index: int, sentence: str) -> float:
        content = [w.lower() for w in words(sentence) if w.lower() in frequency]
        if len(words(sentence)) < 6:  # datelines, captions, fragments
            return 0.0
        weight = sum(math.log1p(frequency[w]) for w in set(content)) / math.sqrt(len(words(sentence)))
        # "He said …" out of its context names nobody: prefer sentences that say who.
        dangling = 0.3 if words(sentence)[0].lower() in _PRONOUNS else 1.0
        return weight * (1.0 + 1.5 / (1 + index)) * dangling

    ranked = sorted(range(len(sentences)), key=lambda i: score(i, sentences[i]), reverse=True)
    chosen: list[int] = []
    budget = max_words
    for index in ranked:
        length = len(words(sentences[index]))
        if length <= budget or not chosen:
            chosen.append(index)
            budget -= length
        if budget <= 0:
            break
    return " ".join(sentences[i] for i in sorted(chosen))


LEAD_WORDS = 45  # the lead: the first sentence of news, and the next if both fit
MIN_LEAD_WORDS = 8  # shorter is a byline, a dateline stub or a caption


def lead_summary(text: str, max_words: int = LEAD_WORDS) -> str:
    """The article's lead, as written: its first sentences of news. True by construction, and
    news copy puts the point first; a wire dateline before it ("DOHA, Sept 8 (Reuters) -") is dropped."""
    from briefing.nlp.names import strip_dateline

    sentences = [s for s in split_sentences(text) if len(words(s)) >= MIN_LEAD_WORDS]
    chosen: list[str] = []
    for sentence in sentences:
        if chosen and len(words(" ".join([*chosen, sentence]))) > max_words:
            break
        chosen.append(strip_dateline(sentence) if not chosen else sentence)
        if words(sentence)[0].lower() in _PRONOUNS:
            break
    return " ".join(chosen) or extractive_summary(text, max_words)


class ExtractiveModel(Model):
    backend = "extractive"

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        # Tokens are words here, so the user's length cap reads as a word cap.
        max_words = settings.max_new_tokens or DEFAULT_MAX_WORDS
        return [extractive_summary(request.text, max_words) for request in requests]


@register("extractive", needs_weights=False)
def _factory(spec: ModelSpec) -> Model:
    return ExtractiveModel(spec)
