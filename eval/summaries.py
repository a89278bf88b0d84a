"""Generate the summaries a model writes for the labelled faithfulness set, before any guard.

    python eval/summaries.py --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --input whole \\
        --out eval/faithfulness/summaries-whole.json

The articles are the samples and the development corpus (never the check set). Each summary
is split into the sentences a reader would see; `eval/faithfulness.py` scores the guard
against hand labels of those sentences. The time per article is recorded beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [REPO_ROOT / "samples" / "articles", REPO_ROOT / "eval" / "dev" / "articles"]
ANCHOR = dt.date(2026, 11, 27)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", choices=["whole", "selected"], default="whole")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from briefing.models import load_model
    from briefing.nlp.analyse import analyse_articles
    from briefing.options import GenerationSettings, ModelSpec
    from briefing.selection import select_sentences
    from briefing.sources import load_sources
    from briefing.summarise import summarise_articles
    from briefing.text import split_sentences

    loaded = load_sources([str(folder) for folder in FOLDERS], 10 * 1024 * 1024)
    articles = loaded.articles
    model = load_model(ModelSpec(name=args.model))
    settings = GenerationSettings()
    started = time.perf_counter()
    selections = None
    if args.input == "selected":  # the selection's own time counts: it is part of the method
        analyses = analyse_articles(articles, ANCHOR)
        selections = [
            select_sentences(a.text, an, model.count_tokens) for a, an in zip(articles, analyses, strict=True)
        ]
    summaries = summarise_articles(articles, model, settings, selections=selections)
    elapsed = time.perf_counter() - started
    records = [
        {
            "source": str(Path(article.source).resolve().relative_to(REPO_ROOT)),
            "title": article.title,
            "summary": summary.text,
            "selection": selections[index] if selections else None,
            "sentences": [" ".join(s.split()) for s in split_sentences(summary.text)],
        }
        for index, (article, summary) in enumerate(zip(articles, summaries, strict=True))
    ]
    document = {
        "model": Path(args.model).name,
        "input": args.input,
        "articles": len(records),
        "seconds_per_article": round(elapsed / len(records), 2),
        "summaries": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(records)} summaries, {elapsed / len(records):.2f} s per article -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
