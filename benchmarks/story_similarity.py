"""Which similarity separates "same event" from "different event" better?

Compares TF-IDF cosine and all-MiniLM-L6-v2 embeddings (with and without the
actor-overlap term) on tests/data/stories (3 outlets on one event + 2 unrelated)
plus samples/articles (8 unrelated stories). Prints, for each method, the lowest
same-event similarity, the highest different-event similarity, and the margin.

    python benchmarks/story_similarity.py
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from briefing.nlp.analyse import analyse_articles
from briefing.sources import load_sources
from briefing.stories import actor_overlap, embedding_similarity, tfidf_similarity

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    loaded = load_sources([str(REPO / "tests/data/stories"), str(REPO / "samples/articles")], 10_000_000)
    articles = loaded.articles
    same_event = {i for i, a in enumerate(articles) if "port-strike" in a.source}
    analyses = list(analyse_articles(articles, None))
    overlap = actor_overlap([a.actors for a in analyses])
    texts = [f"{a.title or ''}\n\n{a.text}" for a in articles]
    methods = {}
    started = time.perf_counter()
    methods["tfidf"] = tfidf_similarity(texts)
    tfidf_s = time.perf_counter() - started
    started = time.perf_counter()
    methods["minilm"] = embedding_similarity(texts)
    minilm_s = time.perf_counter() - started
    for name in list(methods):
        methods[f"{name}+actors"] = [
            [0.7 * methods[name][i][j] + 0.3 * overlap[i][j] for j in range(len(articles))]
            for i in range(len(articles))
        ]
    print(
        f"{len(articles)} articles, {len(same_event)} about one event; tfidf {tfidf_s:.2f} s, minilm {minilm_s:.2f} s"
    )
    print(f"{'method':16} {'min same':>9} {'max different':>14} {'margin':>7}")
    for name, matrix in methods.items():
        pairs = list(itertools.combinations(range(len(articles)), 2))
        same = [matrix[i][j] for i, j in pairs if i in same_event and j in same_event]
        different = [matrix[i][j] for i, j in pairs if not (i in same_event and j in same_event)]
        print(f"{name:16} {min(same):9.3f} {max(different):14.3f} {min(same) - max(different):7.3f}")


if __name__ == "__main__":
    main()
