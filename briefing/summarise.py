"""Summarise articles with any Model: chunk by the model's own tokenizer, then
map-then-reduce, batching every request of a round across all articles.

Nothing is silently truncated: an article too long for one input is split at
sentence boundaries, each part is summarised, and the part summaries are
combined (repeatedly, if they are still too long).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.article import Article
from briefing.cache import SummaryCache, cache_key
from briefing.models.base import FollowUp, Model, SummaryRequest
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
    reach the model; cached ones are answered at once, and so are their follow-ups."""

    def __init__(self, model: Model, cache: SummaryCache, settings: GenerationSettings) -> None:
        self.model = model
        self.cache = cache
        self.identity = model.cache_identity(settings)
        self.hits = self.misses = 0

    def summarise_chained(
        self, requests: Sequence[SummaryRequest], settings: GenerationSettings, follow_up: FollowUp
    ) -> list[str]:
        summaries: list[str] = []
        keys: list[str] = []
        sent: list[int] = []  # the model's index for a request -> ours

        def admit(batch: Sequence[SummaryRequest]) -> list[SummaryRequest]:
            """Index `batch`; answer what the cache knows (follow-ups included); return the rest."""
            asked = {self._key(request) for request in batch}
            known = self.cache.get_many(list(asked))
            queue, misses = deque(batch), []
            while queue:
                request = queue.popleft()
                index, key = len(summaries), self._key(request)
                keys.append(key)
                hit = known.get(key) if key in asked else self.cache.get_many([key]).get(key)
                summaries.append(hit or "")
                if hit is None:
                    self.misses += 1
                    sent.append(index)
                    misses.append(request)
                else:
                    self.hits += 1
                    queue.extend(follow_up(index, hit))
            return misses

        def answered(sent_index: int, summary: str) -> list[SummaryRequest]:
            index = sent[sent_index]
            summaries[index] = summary
            self.cache.put_many({keys[index]: summary})  # kept at once: a killed run loses nothing done
            return admit(follow_up(index, summary))

        unknown = admit(requests)
        if unknown:
            self.model.summarise_chained(unknown, settings, answered)
        return summaries

    def _key(self, request: SummaryRequest) -> str:
        return cache_key(self.identity, request.kind, request.title, request.text)


def summarise_articles(
    articles: Sequence[Article],
    model: Model,
    settings: GenerationSettings,
    cache: SummaryCache | None = None,
    selections: Sequence[Sequence[str]] | None = None,
) -> list[Summary]:
    """One Summary per article, in order. With a cache, known requests are not generated again.

    With `selections` (each article's key sentences, see selection.py) the model condenses
    those instead of summarising the whole article; an empty selection means the whole."""
    if cache is not None:
        cached = _CachedModel(model, cache, settings)
        summaries = _map_reduce(articles, cached, model, settings, selections)
        log.info("summary cache: %d hit(s), %d generated", cached.hits, cached.misses)
        return summaries
    return _map_reduce(articles, model, model, settings, selections)


def _map_reduce(
    articles: Sequence[Article],
    generator: Model | _CachedModel,
    model: Model,
    settings: GenerationSettings,
    selections: Sequence[Sequence[str]] | None = None,
) -> list[Summary]:
    """`generator` answers the requests; `model` tells how long a request may be.

    Every article's parts go out at once; an article's combining request goes out
    as soon as its own parts are answered, so a backend that streams can decode
    it alongside other articles' parts."""
    chosen = list(selections) if selections is not None else [[] for _ in articles]
    chunked = [
        ["\n".join(selection)] if selection else chunk_text(article.text, model)
        for article, selection in zip(articles, chosen, strict=True)
    ]
    requests: list[SummaryRequest] = []
    owner: list[int] = []  # request index -> article number
    current: list[list[int]] = []  # each article's requests in its latest round
    for number, (article, chunks) in enumerate(zip(articles, chunked, strict=True)):
        kind = "selection" if chosen[number] else "article" if len(chunks) == 1 else "part"
        current.append(list(range(len(requests), len(requests) + len(chunks))))
        requests += [SummaryRequest(chunk, kind, article.title) for chunk in chunks]  # type: ignore[arg-type]
        owner += [number] * len(chunks)
    answers: dict[int, str] = {}
    rounds = [0] * len(articles)

    def follow_up(index: int, summary: str) -> list[SummaryRequest]:
        """Reduce: once all of an article's parts are in, combine them (again if still too long)."""
        answers[index] = summary
        number = owner[index]
        parts = current[number]
        if len(parts) == 1 or rounds[number] == _MAX_REDUCE_ROUNDS or any(i not in answers for i in parts):
            return []
        rounds[number] += 1
        chunks = chunk_text("\n\n".join(answers[i] for i in parts), model)
        current[number] = list(range(len(owner), len(owner) + len(chunks)))
        owner.extend([number] * len(chunks))
        return [SummaryRequest(chunk, "combine", articles[number].title) for chunk in chunks]

    generator.summarise_chained(requests, settings, follow_up)
    summaries = []
    for number, chunks in enumerate(chunked):
        warnings: tuple[str, ...] = ()
        if len(chunks) > 1:
            warnings = (f"long article: summarised in {len(chunks)} parts, then combined",)
        text = tidy(" ".join(answers[i] for i in current[number]))
        summaries.append(Summary(text=text, parts=len(chunks), warnings=warnings))
    return summaries


def tidy(summary: str) -> str:
    """Collapse whitespace and drop a sentence cut off by the token limit."""
    text = " ".join(summary.split())
    sentences = split_sentences(text)
    if len(sentences) > 1 and not sentences[-1].rstrip("\"'”’)").endswith((".", "!", "?", "…")):
        text = " ".join(sentences[:-1])
    return text
