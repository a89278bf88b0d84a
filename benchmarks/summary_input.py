"""Whole article or selected sentences: time per article, in one run on one loaded model.

    python benchmarks/summary_input.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf [--articles 40]

The articles are the labelled faithfulness set's (the samples and the development corpus).
Both inputs go through summarise_articles with no cache; the NLP stage, which the pipeline runs
either way, is timed apart and left out of both; the selection itself counts for "selected".
The last line is `seconds_per_article_whole=… selected=… speedup=…`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [REPO_ROOT / "samples" / "articles", REPO_ROOT / "eval" / "dev" / "articles"]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--articles", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from briefing.models import load_model
    from briefing.nlp.analyse import analyse_articles
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.selection import select_sentences
    from briefing.sources import load_sources
    from briefing.summarise import summarise_articles

    articles = load_sources([str(f) for f in FOLDERS], 10 * 1024 * 1024).articles[: args.articles]
    model = load_model(ModelSpec(name=args.model))
    settings = GenerationSettings()
    started = time.perf_counter()
    analyses = list(analyse_articles(articles, dt.date(2026, 11, 27)))
    nlp_seconds = time.perf_counter() - started

    started = time.perf_counter()
    summarise_articles(articles, model, settings)
    whole = (time.perf_counter() - started) / len(articles)

    started = time.perf_counter()
    selections = [select_sentences(a.text, an, model.count_tokens) for a, an in zip(articles, analyses, strict=True)]
    summarise_articles(articles, model, settings, selections=selections)
    selected = (time.perf_counter() - started) / len(articles)

    print(f"{len(articles)} articles; NLP stage (both): {nlp_seconds / len(articles):.2f} s per article")
    print(f"seconds_per_article_whole={whole:.2f} selected={selected:.2f} speedup={whole / selected:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
