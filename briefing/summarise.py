"""Summarise articles with any Model: chunk by the model's own tokenizer, then
map-then-reduce, batching every request of a round across all articles.

Nothing is silently truncated: an article too long for one input is split at
sentence boundaries, each part is summarised, and the part summaries are
combined (repeatedly, if they are still too long).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.article import Article
from briefing.cache import SummaryCache, cache_key
from briefing.models.base import Model, SummaryRequest
from briefing.options import GenerationSettings
from briefing.text import split_sentences

_MAX_REDUCE_ROUNDS = 6
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Summary:
    text: str
    parts: int = 1  # how many pieces the article was split into
    warnings: tuple[str, ...] = ()


def chunk_text(text: str, model: Model, budget: int | None = None) -> list[str]:
    """Split `text` into pieces of at most `budget` tokens, at sentence boundaries
    where possible; a single over-long sentence is split between words."""
    budget = budget or model.max_input_tokens
    sentences = split_sentences(text) or [text]
    pieces: list[str] = []
    for sentence, size in zip(sentences, model.count_tokens(sentences), strict=True):
        pieces.extend(_split_long(sentence, model, budget) if size > budget else [sentence])
    sizes = model.count_tokens(pieces)
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for piece, size in zip(pieces, sizes, strict=True):
        # +1: joining pieces with a space can cost a token at the seam.
        if current and used + size + 1 > budget:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(piece)
        used += size + 1
    if current:
        chunks.append(" ".join(current))
    return chunks


def _split_long(sentence: str, model: Model, budget: int) -> list[str]:
    words = sentence.split()
    tokens_per_word = max(1.0, model.count_tokens([sentence])[0] / max(1, len(words)))
    step = max(1, int(budget / tokens_per_word * 0.9))
    pieces = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    # Rare: a piece of odd words can still be over; halve until it fits.
    result: list[str] = []
    for piece in pieces:
        if model.count_tokens([piece])[0] > budget and len(piece.split()) > 1:
            half = len(piece.split()) // 2
            result.extend(_split_long(" ".join(piece.split()[:half]), model, budget))
            result.extend(_split_long(" ".join(piece.split()[half:]), model, budget))
        else:
            result.append(piece)
    return result


class _CachedModel:
    """The model seen through the summary cache: only requests never seen before
    reach generate(), all of them in one batched call."""

    def __init__(self, model: Model, cache: SummaryCache, settings: GenerationSettings) -> None:
        self.model = model
        self.cache = cache
        self.identity = model.cache_identity(settings)
        self.hits = self.misses = 0

    def summarise(self, requests: Sequence[SummaryRequest], settings: GenerationSettings) -> list[str]:
        keys = [cache_key(self.identity, r.kind, r.title, r.text) for r in requests]
        found = self.cache.get_many(keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            fresh = self.model.summarise([requests[i] for i in missing], settings)
            new = {keys[i]: text for i, text in zip(missing, fresh, strict=True)}
            self.cache.put_many(new)
            found.update(new)
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        return [found[key] for key in keys]


def summarise_articles(
    articles: Sequence[Article], model: Model, settings: GenerationSettings, cache: SummaryCache | None = None
) -> list[Summary]:
    """One Summary per article, in order. With a cache, known requests are not generated again."""
    if cache is not None:
        cached = _CachedModel(model, cache, settings)
        summaries = _map_reduce(articles, cached, model, settings)  # type: ignore[arg-type]
        log.info("summary cache: %d hit(s), %d generated", cached.hits, cached.misses)
        return summaries
    return _map_reduce(articles, model, model, settings)


def _map_reduce(
    articles: Sequence[Article], generator: Model, model: Model, settings: GenerationSettings
) -> list[Summary]:
    """`generator` answers the requests; `model` tells how long a request may be."""
    chunked = [chunk_text(article.text, model) for article in articles]
    kinds = ["article" if len(chunks) == 1 else "part" for chunks in chunked]
    # Map: every first-round request of every article goes out in one batched call.
    requests = [
        SummaryRequest(chunk, kind, article.title)  # type: ignore[arg-type]
        for article, chunks, kind in zip(articles, chunked, kinds, strict=True)
        for chunk in chunks
    ]
    outputs = iter(generator.summarise(requests, settings))
    current = [[next(outputs) for _ in chunks] for chunks in chunked]
    # Reduce: combine part summaries until each article has one.
    for _ in range(_MAX_REDUCE_ROUNDS):
        pending = [i for i, parts in enumerate(current) if len(parts) > 1]
        if not pending:
            break
        plans = {i: chunk_text("\n\n".join(current[i]), model) for i in pending}
        requests = [SummaryRequest(chunk, "combine", articles[i].title) for i in pending for chunk in plans[i]]
        outputs = iter(generator.summarise(requests, settings))
        for i in pending:
            current[i] = [next(outputs) for _ in plans[i]]
    summaries = []
    for chunks, parts in zip(chunked, current, strict=True):
        warnings: tuple[str, ...] = ()
        if len(chunks) > 1:
            warnings = (f"long article: summarised in {len(chunks)} parts, then combined",)
        summaries.append(Summary(text=tidy(" ".join(parts)), parts=len(chunks), warnings=warnings))
    return summaries


def tidy(summary: str) -> str:
    """Collapse whitespace and drop a sentence cut off by the token limit."""
    text = " ".join(summary.split())
    sentences = split_sentences(text)
    if len(sentences) > 1 and not sentences[-1].rstrip("\"'”’)").endswith((".", "!", "?", "…")):
        text = " ".join(sentences[:-1])
    return text
