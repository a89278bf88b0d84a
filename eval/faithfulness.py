"""How far the faithfulness guard can be trusted, against sentences labelled by hand.

    python eval/faithfulness.py [--floors eval/faithfulness/floors.json] [--json]

For each labelled set in eval/faithfulness/ (the summaries SmolLM2 wrote from whole articles
and from selected sentences; labels-*.json written by reading, before this guard existed), the
guard judges every sentence and the script reports:

- caught: unsupported and degenerate sentences the guard drops / all such sentences;
- kept: supported sentences the guard keeps / all supported sentences;
- flag precision: bad sentences among those the guard drops;
- shown unsupported: of the sentences a reader would see after the guard (the model's sentences
  it keeps, or the extractive lead where nothing is left), the share labelled unsupported or
  degenerate (the lead's own sentences are the article's, so supported);
- unsupported before: the same share with no guard at all.

Time per article is benchmarks/summary_input.py's to measure (both inputs in one run).

The exit status is 1 when a figure falls outside eval/faithfulness/floors.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
FOLDER = REPO_ROOT / "eval" / "faithfulness"
SOURCES = [REPO_ROOT / "samples" / "articles", REPO_ROOT / "eval" / "dev" / "articles"]
BAD = ("unsupported", "degenerate")


def judge_set(summaries: dict[str, Any], labels: list[dict[str, Any]]) -> dict[str, Any]:
    sys.path.insert(0, str(REPO_ROOT))
    from briefing.guard import judge_sentences, lead_first_additions
    from briefing.models.extractive import lead_summary
    from briefing.sources import load_sources
    from briefing.text import split_sentences

    articles = {
        str(Path(a.source).resolve().relative_to(REPO_ROOT)): a
        for a in load_sources([str(folder) for folder in SOURCES], 10 * 1024 * 1024).articles
    }
    by_sentence = {(label["source"], label["index"]): label for label in labels}
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for record in summaries["summaries"]:
        article = articles[record["source"]]
        verdicts = judge_sentences(record["sentences"], article.text, article.title)
        # Lead first: the article's lead, then the checked sentences that add to it (guard.py).
        lead = lead_summary(article.text)
        kept_sentences = [s for s, v in zip(record["sentences"], verdicts, strict=True) if v is None]
        added = lead_first_additions(lead, kept_sentences)
        counts["lead_shown"] += len(split_sentences(lead)) + len(added)
        counts["lead_shown_bad"] += sum(
            by_sentence[(record["source"], record["sentences"].index(s))]["label"] in BAD for s in added
        )
        counts["lead_added"] += len(added)
        kept_any = False
        for index, (sentence, verdict) in enumerate(zip(record["sentences"], verdicts, strict=True)):
            label = by_sentence[(record["source"], index)]
            assert label["sentence"] == sentence, (record["source"], index)
            bad = label["label"] in BAD
            flagged = verdict is not None
            counts["bad"] += bad
            counts["good"] += not bad
            counts["caught"] += bad and flagged
            counts["kept"] += (not bad) and not flagged
            counts["flagged"] += flagged
            counts["shown"] += not flagged
            counts["shown_bad"] += bad and not flagged
            kept_any = kept_any or not flagged
            if bad and not flagged:
                kinds[label.get("kind") or label["label"]] += 1
        if not kept_any:
            counts["fallbacks"] += 1
            counts["shown"] += 1  # the extractive lead: a sentence of the article itself
    return {
        "sentences": counts["bad"] + counts["good"],
        "supported": counts["good"],
        "unsupported_or_degenerate": counts["bad"],
        "caught": counts["caught"] / counts["bad"] if counts["bad"] else 1.0,
        "kept": counts["kept"] / counts["good"] if counts["good"] else 1.0,
        "flag_precision": counts["caught"] / counts["flagged"] if counts["flagged"] else 1.0,
        "unsupported_before": counts["bad"] / (counts["bad"] + counts["good"]),
        "shown_unsupported": counts["shown_bad"] / counts["shown"] if counts["shown"] else 0.0,
        "fallback_summaries": counts["fallbacks"],
        "shown_unsupported_lead_first": counts["lead_shown_bad"] / counts["lead_shown"]
        if counts["lead_shown"]
        else 0.0,
        "generated_sentences_added_to_lead": counts["lead_added"],
        "summaries": len(summaries["summaries"]),
        "missed_kinds": dict(kinds),
    }


def combined(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The guard's figures over every labelled sentence together."""
    bad = sum(r["unsupported_or_degenerate"] for r in results.values())
    good = sum(r["supported"] for r in results.values())
    return {
        "sentences": bad + good,
        "supported": good,
        "unsupported_or_degenerate": bad,
        "caught": sum(r["caught"] * r["unsupported_or_degenerate"] for r in results.values()) / bad,
        "kept": sum(r["kept"] * r["supported"] for r in results.values()) / good,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--floors", type=Path, default=FOLDER / "floors.json")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    for labels_path in sorted(FOLDER.glob("labels-*.json")):
        name = labels_path.stem.removeprefix("labels-")
        summaries = json.loads((FOLDER / f"summaries-{name}.json").read_text(encoding="utf-8"))
        labels = json.loads(labels_path.read_text(encoding="utf-8"))["labels"]
        results[name] = judge_set(summaries, labels)
    if len(results) > 1:
        results["all"] = combined(results)
    floors = json.loads(args.floors.read_text(encoding="utf-8")) if args.floors.is_file() else {}
    problems = []
    for name, bounds in floors.items():
        for metric, bound in bounds.items():
            value = results.get(name, {}).get(metric)
            if value is None:
                problems.append(f"{name}: no figure {metric}")
            elif "min" in bound and value < bound["min"] or "max" in bound and value > bound["max"]:
                problems.append(f"{name}: {metric} = {value:.3f} outside {bound}")
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, figures in results.items():
            print(f"== {name}")
            for metric, value in figures.items():
                print(f"  {metric:<28} {value:.3f}" if isinstance(value, float) else f"  {metric:<28} {value}")
    for problem in problems:
        print(problem)
    summary = " ".join(f"{name}:caught={f['caught']:.3f},kept={f['kept']:.3f}" for name, f in results.items())
    print(f"faithfulness: {summary} {'FAIL' if problems else 'PASS'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
