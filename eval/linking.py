"""How well stories are linked across days: the samples/days sequence (3 briefing days,
8 stories a day; gold labels in samples/days/gold.json) run through `briefing daily
--date` with the extractive model and a fresh history, at several link thresholds.

    python eval/linking.py            # the sweep, then the gate on the default threshold
    python eval/linking.py --json

An article links when its story_id was given to an article of an earlier day. The link
is right when that earlier article carries the same gold label. Precision: right links
over links made; recall: right links over the articles whose story was briefed before.
The floors (eval/linking_floors.json) hold the default threshold's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DAYS = REPO / "samples" / "days"
FLOORS = Path(__file__).resolve().parent / "linking_floors.json"
SWEEP = (0.08, 0.10, 0.12, 0.15, 0.18, 0.20, 0.25)


def margins() -> dict[str, float]:
    """The blended similarity (continuity.similarity's blend) between each article and every
    article of the earlier days: the lowest for the same story, the highest for another."""
    from briefing.nlp.analyse import analyse_doc
    from briefing.nlp.spacy_model import load_nlp
    from briefing.stories import actor_keys, blend, jaccard, tfidf_similarity

    gold = json.loads((DAYS / "gold.json").read_text(encoding="utf-8"))
    nlp = load_nlp()
    profile, keys = {}, {}
    for path in gold["articles"]:
        article = json.loads((DAYS / path).read_text(encoding="utf-8"))
        profile[path] = f"{article['title']}\n{article['title']}\n\n{article['text']}"[:3200]
        actors = analyse_doc(nlp(article["text"]), None).actors
        keys[path] = actor_keys(actors)
    same, other = [], []
    for number, day in enumerate(gold["days"][1:], 1):
        today = [p for p in gold["articles"] if p.startswith(f"{day}/")]
        earlier = [p for p in gold["articles"] if p.split("/")[0] in gold["days"][:number]]
        text = tfidf_similarity([profile[p] for p in today + earlier])
        for i, a in enumerate(today):
            for j, b in enumerate(earlier, len(today)):
                score = blend(text[i][j], jaccard(keys[a], keys[b]))
                (same if gold["articles"][a] == gold["articles"][b] else other).append(score)
    return {"lowest_same_story": min(same), "highest_other_story": max(other)}


def run_sequence(threshold: float) -> dict[str, str]:
    """Article path (relative to samples/days) -> story_id, for the whole sequence."""
    from click.testing import CliRunner

    from briefing import continuity
    from briefing.cli import main

    gold = json.loads((DAYS / "gold.json").read_text(encoding="utf-8"))
    story_of: dict[str, str] = {}
    previous = continuity.LINK_THRESHOLD
    continuity.LINK_THRESHOLD = threshold
    try:
        with tempfile.TemporaryDirectory() as home:
            os.environ["BRIEFING_HOME"] = home
            for day in gold["days"]:
                out = Path(home) / f"{day}.json"
                args = ["daily", str(DAYS / day), "--model", "extractive", "--date", day, "-o", str(out), "-q"]
                result = CliRunner().invoke(main, args)
                if result.exit_code != 0:
                    raise SystemExit(f"{day}: briefing daily failed: {result.output}")
                for article in json.loads(out.read_text(encoding="utf-8"))["articles"]:
                    story_of[f"{day}/{Path(article['source']).name}"] = article["story_id"]
    finally:
        continuity.LINK_THRESHOLD = previous
    return story_of


def score(story_of: dict[str, str], labels: dict[str, str], days: list[str]) -> dict[str, float | int]:
    made = right = wanted = 0
    for day_number, day in enumerate(days):
        earlier = [path for path in labels if path.split("/")[0] in days[:day_number]]
        for path in (p for p in labels if p.startswith(f"{day}/")):
            label = labels[path]
            continues = any(labels[e] == label for e in earlier)
            linked_to = [e for e in earlier if story_of.get(e) == story_of[path]]
            wanted += continues
            if linked_to:
                made += 1
                right += all(labels[e] == label for e in linked_to)
    return {
        "links_made": made,
        "links_right": right,
        "links_wanted": wanted,
        "precision": right / made if made else 1.0,
        "recall": right / wanted if wanted else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from briefing.continuity import LINK_THRESHOLD

    gold = json.loads((DAYS / "gold.json").read_text(encoding="utf-8"))
    labels, days = gold["articles"], gold["days"]
    results = {
        threshold: score(run_sequence(threshold), labels, days) for threshold in sorted({*SWEEP, LINK_THRESHOLD})
    }
    if args.json:
        print(json.dumps({str(k): v for k, v in results.items()}, indent=2))
    else:
        print("threshold  precision  recall  (right/made/wanted)")
        for threshold, figures in results.items():
            mark = "  <- default" if threshold == LINK_THRESHOLD else ""
            print(
                f"{threshold:9.2f}  {figures['precision']:9.2f}  {figures['recall']:6.2f}  "
                f"({figures['links_right']}/{figures['links_made']}/{figures['links_wanted']}){mark}"
            )
    if not args.json:
        edges = margins()
        print(
            f"blended similarity to earlier days' articles: same story at least {edges['lowest_same_story']:.2f}, "
            f"another story at most {edges['highest_other_story']:.2f} (default threshold {LINK_THRESHOLD})"
        )
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    chosen = results[LINK_THRESHOLD]
    failed = [f"{key} {chosen[key]:.2f} < {floor}" for key, floor in floors.items() if chosen[key] < floor]
    if failed:
        print("LINKING FLOOR VIOLATION: " + "; ".join(failed), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
