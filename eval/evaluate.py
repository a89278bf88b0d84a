"""Score a briefing's actors, positions and next steps against hand-annotated gold files.

    python eval/evaluate.py                        # every set: samples, dev, check
    python eval/evaluate.py --set dev [--json]     # one set
    python eval/evaluate.py --gold G --floors F [--briefing FILE.json]

The sets: `samples` (eval/gold.json, the sample articles), `dev` (eval/dev/, tune on it freely) and
`check` (eval/check/, never tuned on: it is reported in aggregate only, never article by article).
Without --briefing each set's articles are briefed in-process with the extractive model. Every
metric is micro-averaged over the gold articles; each is compared with its bound in the set's
floors file, and the exit status is 1 when any bound is violated.

The scoring functions are pure and work on plain dicts: the gold file's articles and the briefing's
JSON articles (`Briefing.to_dict()`), so tests can feed them small hand-made examples.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO_ROOT / "eval" / "gold.json"
DEFAULT_FLOORS = REPO_ROOT / "eval" / "floors.json"
# name -> (gold file, floors file, scored article by article?)
SETS: dict[str, tuple[Path, Path, bool]] = {
    "samples": (DEFAULT_GOLD, DEFAULT_FLOORS, True),
    "dev": (REPO_ROOT / "eval" / "dev" / "gold.json", REPO_ROOT / "eval" / "dev" / "floors.json", True),
    "check": (REPO_ROOT / "eval" / "check" / "gold.json", REPO_ROOT / "eval" / "check" / "floors.json", False),
}
DEFAULT_ANCHOR = dt.date(2026, 11, 27)
MODEL_NAME = "extractive"

# Evidence matching: equal, one contains the other, or token Jaccard at least this.
JACCARD_THRESHOLD = 0.6
# A fragment this short ("He said.") is contained in too many sentences to count as a match by containment.
MIN_CONTAINED_TOKENS = 4
# A predicted fragment of the gold sentence must hold most of it, not a 4-word piece of a long sentence.
MIN_GOLD_COVERAGE = 0.6
# A statement or a `when` is right when its words overlap the gold's this much (token F1).
TEXT_F1_THRESHOLD = 0.5
# Slack when comparing a metric with its floor, so 0.9 achieved meets a 0.9 floor despite float rounding.
FLOOR_TOLERANCE = 1e-9

Json = Mapping[str, Any]

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_GENERIC_PREFIX = "the "


# --- names -------------------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """An actor name reduced for comparison: "The Northern Teachers’ Union's " -> "northern teachers union"."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).casefold()
    text = " ".join(text.split())
    if text.startswith(_GENERIC_PREFIX):
        text = text[len(_GENERIC_PREFIX) :]
    text = re.sub(r"'s\b", "", text)  # possessive
    text = text.replace("'", "").replace(".", "")  # "Teachers' Union", "Mr. Lee"
    return " ".join(text.split())


def is_generic_descriptor(alias: str) -> bool:
    """A descriptor such as "the union" or "the minister": names no one in particular."""
    return " ".join(alias.split()).casefold().startswith(_GENERIC_PREFIX)


def gold_actor_names(actor: Json) -> set[str]:
    """The gold actor's name and proper-name aliases, normalised; generic descriptor aliases left out."""
    aliases = [alias for alias in actor.get("aliases", []) if not is_generic_descriptor(alias)]
    return {normalise_name(name) for name in [actor["name"], *aliases]} - {""}


def predicted_actor_names(actor: Json) -> set[str]:
    """The predicted actor's name and all its aliases, normalised."""
    return {normalise_name(name) for name in [actor.get("name") or "", *actor.get("aliases", [])]} - {""}


def actor_matches(predicted: Json, gold: Json) -> bool:
    return bool(predicted_actor_names(predicted) & gold_actor_names(gold))


def has_proper_alias(gold: Json) -> bool:
    """True when the gold actor goes by more than one proper name ("Boris Johnson", "Mr Johnson")."""
    return len(gold_actor_names(gold)) > 1


def names_of_speaker(speaker: str | None, predicted_actors: Sequence[Json]) -> set[str]:
    """The speaker string plus the names of every predicted actor it refers to (by name or alias)."""
    if not speaker:
        return set()
    own = normalise_name(speaker)
    names = {own} - {""}
    for actor in predicted_actors:
        actor_names = predicted_actor_names(actor)
        if own in actor_names:
            names |= actor_names
    return names


def acceptable_actors(item: Json, gold_actors: Sequence[Json]) -> list[Json]:
    """The gold actors an attribution may name: the item's actor and its also_acceptable alternatives."""
    by_name = {actor["name"]: actor for actor in gold_actors}
    wanted = [item.get("actor"), *item.get("also_acceptable", [])]
    return [by_name.get(name, {"name": name, "aliases": []}) for name in wanted if name]


def attribution_correct(speaker: str | None, acceptable: Sequence[Json], predicted_actors: Sequence[Json]) -> bool:
    """The predicted speaker resolves, directly or through the predicted actor list, to an acceptable actor."""
    speaker_names = names_of_speaker(speaker, predicted_actors)
    return any(speaker_names & gold_actor_names(actor) for actor in acceptable)


# --- evidence ----------------------------------------------------------------------------------------------


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def normalise_evidence(text: str) -> str:
    """Evidence reduced for comparison: Unicode-normalised, straight quotes, single spaces, case-folded."""
    return collapse_whitespace(unicodedata.normalize("NFKC", text).translate(_QUOTES)).casefold()


def evidence_tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", normalise_evidence(text)))


def token_jaccard(first: str, second: str) -> float:
    a, b = evidence_tokens(first), evidence_tokens(second)
    return len(a & b) / len(a | b) if a | b else 0.0


def evidence_matches(predicted: str | None, gold: str) -> bool:
    """Same sentence: equal, one contains the other (if not a tiny fragment), or token Jaccard >= 0.6."""
    if not predicted:
        return False
    a, b = normalise_evidence(predicted), normalise_evidence(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    if a in b:  # a fragment of the gold sentence: it must carry most of it
        covered = len(evidence_tokens(a)) / max(1, len(evidence_tokens(b)))
        return len(evidence_tokens(a)) >= MIN_CONTAINED_TOKENS and covered >= MIN_GOLD_COVERAGE
    if b in a and len(evidence_tokens(b)) >= MIN_CONTAINED_TOKENS:
        return True  # the gold clause inside a longer predicted sentence (a quote's speaker tag, say)
    return token_jaccard(a, b) >= JACCARD_THRESHOLD


def best_match(items: Sequence[Json], gold_item: Json) -> Json:
    """Of the predictions that match a gold item, the one whose evidence is closest to it."""
    return max(
        items,
        key=lambda p: max(token_jaccard(p.get("evidence") or "", sentence) for sentence in gold_evidence(gold_item)),
    )


def token_f1(predicted: str | None, gold: str | None) -> float:
    a, b = evidence_tokens(predicted or ""), evidence_tokens(gold or "")
    if not a or not b:
        return float(not a and not b)
    overlap = len(a & b)
    return 2 * overlap / (len(a) + len(b))


def gold_evidence(item: Json) -> list[str]:
    """Every sentence that may stand as the item's evidence: its evidence and any alt_evidence."""
    return [item["evidence"], *item.get("alt_evidence", [])]


def matches_item(predicted_evidence: str | None, item: Json) -> bool:
    return any(evidence_matches(predicted_evidence, sentence) for sentence in gold_evidence(item))


def is_verbatim(evidence: str, article_text: str) -> bool:
    """The evidence is copied from the article (only runs of whitespace may differ)."""
    return bool(evidence.strip()) and collapse_whitespace(evidence) in collapse_whitespace(article_text)


def is_required(item: Json) -> bool:
    """optional=true gold entries are acceptable but not required: recall does not count them."""
    return not item.get("optional", False)


# --- counting ----------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """Raw tallies for one article or many; `metrics()` turns them into ratios."""

    gold_articles: int = 0
    missing_articles: int = 0
    gold_actors: int = 0
    gold_actors_found: int = 0
    core_actors: int = 0
    core_actors_found: int = 0
    minor_actors: int = 0
    minor_actors_found: int = 0
    predicted_actors: int = 0
    predicted_actors_correct: int = 0
    mergeable_actors: int = 0
    merged_actors: int = 0
    must_not_listed: int = 0
    gold_positions: int = 0
    gold_positions_found: int = 0
    gold_positions_found_right_speaker: int = 0
    positions_matched: int = 0
    positions_matched_right_speaker: int = 0
    statements_scored: int = 0
    statements_right: int = 0
    predicted_positions: int = 0
    predicted_positions_correct: int = 0
    gold_steps: int = 0
    gold_steps_found: int = 0
    steps_matched: int = 0
    steps_matched_right_date: int = 0
    steps_matched_with_actor: int = 0
    steps_matched_right_actor: int = 0
    steps_matched_right_when: int = 0
    predicted_steps: int = 0
    predicted_steps_correct: int = 0
    not_next_step_hits: int = 0
    evidence_checked: int = 0
    evidence_verbatim: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def score_actors(gold: Json, predicted_actors: Sequence[Json]) -> Counts:
    gold_actors = gold.get("actors", [])
    matchers = [[p for p in predicted_actors if actor_matches(p, actor)] for actor in gold_actors]
    forbidden = {normalise_name(name) for name in gold.get("must_not_be_actors", [])}
    core = [found for actor, found in zip(gold_actors, matchers, strict=True) if actor.get("core", True)]
    minor = [found for actor, found in zip(gold_actors, matchers, strict=True) if not actor.get("core", True)]
    mergeable = [found for actor, found in zip(gold_actors, matchers, strict=True) if found and has_proper_alias(actor)]
    return Counts(
        gold_actors=len(gold_actors),
        gold_actors_found=sum(1 for found in matchers if found),
        core_actors=len(core),
        core_actors_found=sum(1 for found in core if found),
        minor_actors=len(minor),
        minor_actors_found=sum(1 for found in minor if found),
        predicted_actors=len(predicted_actors),
        predicted_actors_correct=sum(1 for p in predicted_actors if any(actor_matches(p, g) for g in gold_actors)),
        mergeable_actors=len(mergeable),
        merged_actors=sum(1 for found in mergeable if len(found) == 1),
        must_not_listed=sum(1 for p in predicted_actors if predicted_actor_names(p) & forbidden),
    )


def paired_positions(gold: Json, predicted_positions: Sequence[Json], predicted_actors: Sequence[Json]):  # type: ignore[no-untyped-def]
    """Each gold position with the prediction it is scored on (None when none matches).

    The one prediction closest to the gold sentence, not "any of them": a sentence
    attributed to two speakers is right for one of them at most. Only where the gold itself
    gives the sentence as many speakers ("Chad and Sudan agreed") is each gold item paired
    with its own prediction, one to one."""
    gold_positions = gold.get("positions", [])
    used: set[int] = set()
    for item in gold_positions:
        matching = [p for p in predicted_positions if matches_item(p.get("evidence"), item)]
        if not matching:
            yield item, None
            continue
        acceptable = acceptable_actors(item, gold.get("actors", []))
        best = best_match(matching, item)
        sharing = [g for g in gold_positions if any(matches_item(p.get("evidence"), g) for p in matching)]
        if len(matching) <= len(sharing):
            own = [
                p
                for p in matching
                if id(p) not in used and attribution_correct(p.get("actor"), acceptable, predicted_actors)
            ]
            best = own[0] if own else best
        used.add(id(best))
        yield item, best


def score_positions(gold: Json, predicted_positions: Sequence[Json], predicted_actors: Sequence[Json]) -> Counts:
    counts = Counts(predicted_positions=len(predicted_positions))
    gold_positions = gold.get("positions", [])
    for item, best in paired_positions(gold, predicted_positions, predicted_actors):
        counts.gold_positions += is_required(item)
        if best is None:
            continue
        acceptable = acceptable_actors(item, gold.get("actors", []))
        right_speaker = attribution_correct(best.get("actor"), acceptable, predicted_actors)
        if item.get("statement"):
            counts.statements_scored += 1
            counts.statements_right += token_f1(best.get("statement"), item["statement"]) >= TEXT_F1_THRESHOLD
        counts.positions_matched += 1
        counts.positions_matched_right_speaker += right_speaker
        counts.gold_positions_found += is_required(item)
        counts.gold_positions_found_right_speaker += right_speaker and is_required(item)
    counts.predicted_positions_correct = sum(
        1 for p in predicted_positions if any(matches_item(p.get("evidence"), item) for item in gold_positions)
    )
    return counts


def score_next_steps(gold: Json, predicted_steps: Sequence[Json], predicted_actors: Sequence[Json]) -> Counts:
    counts = Counts(predicted_steps=len(predicted_steps))
    gold_steps = gold.get("next_steps", [])
    for item in gold_steps:
        matching = [p for p in predicted_steps if matches_item(p.get("evidence"), item)]
        counts.gold_steps += is_required(item)
        if not matching:
            continue
        counts.gold_steps_found += is_required(item)
        counts.steps_matched += 1
        # A date where the gold has none is a guess, and wrong: None must equal None.
        counts.steps_matched_right_date += any(p.get("date") == item.get("date") for p in matching)
        best = best_match(matching, item)
        counts.steps_matched_right_when += token_f1(best.get("when"), item.get("when")) >= TEXT_F1_THRESHOLD
        if item.get("actor"):
            acceptable = acceptable_actors(item, gold.get("actors", []))
            counts.steps_matched_with_actor += 1
            counts.steps_matched_right_actor += attribution_correct(best.get("actor"), acceptable, predicted_actors)
    counts.predicted_steps_correct = sum(
        1 for p in predicted_steps if any(matches_item(p.get("evidence"), item) for item in gold_steps)
    )
    not_next = gold.get("not_next_steps", [])
    counts.not_next_step_hits = sum(
        1 for p in predicted_steps if any(evidence_matches(p.get("evidence"), sentence) for sentence in not_next)
    )
    return counts


def score_evidence_verbatim(predicted: Json, article_text: str | None) -> Counts:
    if article_text is None:
        return Counts()
    items = [*predicted.get("positions", []), *predicted.get("next_steps", [])]
    evidence = [item.get("evidence") or "" for item in items]
    return Counts(
        evidence_checked=len(evidence),
        evidence_verbatim=sum(1 for sentence in evidence if is_verbatim(sentence, article_text)),
    )


def score_article(gold: Json, predicted: Json | None, article_text: str | None = None) -> Counts:
    """All tallies for one gold article; a missing prediction scores as an article with nothing extracted."""
    missing = predicted is None
    predicted = predicted or {}
    actors = predicted.get("actors", [])
    return (
        Counts(gold_articles=1, missing_articles=int(missing))
        + score_actors(gold, actors)
        + score_positions(gold, predicted.get("positions", []), actors)
        + score_next_steps(gold, predicted.get("next_steps", []), actors)
        + score_evidence_verbatim(predicted, article_text)
    )


# --- metrics -----------------------------------------------------------------------------------------------


def ratio(numerator: int, denominator: int) -> float:
    """0/0 is 0.0: an empty extraction must not pass a floor."""
    return numerator / denominator if denominator else 0.0


# metric -> (numerator, denominator) count fields; the counts below are reported as they are.
RATIOS: dict[str, tuple[str, str]] = {
    "actor_recall": ("gold_actors_found", "gold_actors"),
    "core_actor_recall": ("core_actors_found", "core_actors"),
    "minor_actor_recall": ("minor_actors_found", "minor_actors"),
    "actor_precision": ("predicted_actors_correct", "predicted_actors"),
    "alias_merging": ("merged_actors", "mergeable_actors"),
    "position_recall": ("gold_positions_found", "gold_positions"),
    "speaker_accuracy": ("positions_matched_right_speaker", "positions_matched"),
    "position_with_right_speaker_recall": ("gold_positions_found_right_speaker", "gold_positions"),
    "position_precision": ("predicted_positions_correct", "predicted_positions"),
    "statement_accuracy": ("statements_right", "statements_scored"),
    "next_step_recall": ("gold_steps_found", "gold_steps"),
    "next_step_precision": ("predicted_steps_correct", "predicted_steps"),
    "date_accuracy": ("steps_matched_right_date", "steps_matched"),
    "when_accuracy": ("steps_matched_right_when", "steps_matched"),
    "next_step_actor_accuracy": ("steps_matched_right_actor", "steps_matched_with_actor"),
    "evidence_verbatim": ("evidence_verbatim", "evidence_checked"),
}
COUNT_METRICS = ("must_not_listed", "not_next_step_hits", "missing_articles")


def metrics(counts: Counts) -> dict[str, float | int]:
    values: dict[str, float | int] = {
        name: ratio(getattr(counts, top), getattr(counts, bottom)) for name, (top, bottom) in RATIOS.items()
    }
    values.update({name: getattr(counts, name) for name in COUNT_METRICS})
    return values


# --- matching the briefing to the gold ---------------------------------------------------------------------


def gold_source(gold: Json) -> str:
    """The briefing's `source` for a gold article: the path, plus ":line" for JSON Lines."""
    return f"{gold['file']}:{gold['line']}" if gold.get("line") else gold["file"]


def same_source(first: str, second: str) -> bool:
    """The same file (and line), whether named relative to the repo root, to another folder, or absolutely."""
    a, b = (Path(s).as_posix().removeprefix("./") for s in (first, second))
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def find_by_source(source: str, items: Sequence[tuple[str, Any]]) -> Any | None:
    exact = [value for key, value in items if key == source]
    if exact:
        return exact[0]
    return next((value for key, value in items if same_source(key, source)), None)


@dataclass
class Report:
    articles: list[tuple[str, Counts]]
    total: Counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": metrics(self.total),
            "counts": asdict(self.total),
            "articles": [
                {"article": name, "metrics": metrics(counts), "counts": asdict(counts)}
                for name, counts in self.articles
            ],
        }


def evaluate(gold_doc: Json, briefing: Json, texts: Mapping[str, str] | None = None) -> Report:
    """Score every gold article against the briefing's article from the same source."""
    predicted = [(article.get("source", ""), article) for article in briefing.get("articles", [])]
    text_items = list((texts or {}).items())
    rows = []
    for gold in gold_doc["articles"]:
        source = gold_source(gold)
        counts = score_article(gold, find_by_source(source, predicted), find_by_source(source, text_items))
        rows.append((source, counts))
    return Report(articles=rows, total=sum((counts for _, counts in rows), Counts()))


# --- floors ------------------------------------------------------------------------------------------------


def floor_violations(values: Mapping[str, float | int], floors: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One line per broken bound; an unknown metric or bound is a violation too, so a typo cannot pass."""
    violations = []
    for name, bounds in floors.items():
        if name not in values:
            violations.append(f"floor for unknown metric {name!r}")
            continue
        for kind, bound in bounds.items():
            value = values[name]
            if kind == "min" and value < bound - FLOOR_TOLERANCE:
                violations.append(f"FLOOR VIOLATION: {name} = {value:.3f} < min {bound}")
            elif kind == "max" and value > bound + FLOOR_TOLERANCE:
                violations.append(f"FLOOR VIOLATION: {name} = {value:.3f} > max {bound}")
            elif kind not in ("min", "max"):
                violations.append(f"floor for {name} has unknown bound {kind!r} (use min or max)")
    return violations


def summary_line(values: Mapping[str, float | int], floors: Mapping[str, Any], violations: Sequence[str]) -> str:
    shown = [name for name in floors if name in values]
    parts = [f"{name}={values[name]:.2f}" if name in RATIOS else f"{name}={values[name]}" for name in shown]
    verdict = f"FAIL ({len(violations)} violation{'s' if len(violations) != 1 else ''})" if violations else "PASS"
    return " ".join(["eval:", *parts, verdict])


# --- the table ---------------------------------------------------------------------------------------------

# column heading -> metric (a ratio shown as "found/total", or a count)
COLUMNS: dict[str, str] = {
    "act R": "actor_recall",
    "core": "core_actor_recall",
    "act P": "actor_precision",
    "merge": "alias_merging",
    "banned": "must_not_listed",
    "pos R": "position_recall",
    "spkr": "speaker_accuracy",
    "stmt": "statement_accuracy",
    "pos P": "position_precision",
    "step R": "next_step_recall",
    "step P": "next_step_precision",
    "past": "not_next_step_hits",
    "date": "date_accuracy",
    "when": "when_accuracy",
    "s.act": "next_step_actor_accuracy",
    "verb": "evidence_verbatim",
}


def cell(counts: Counts, metric: str) -> str:
    if metric in RATIOS:
        top, bottom = RATIOS[metric]
        return f"{getattr(counts, top)}/{getattr(counts, bottom)}"
    return str(getattr(counts, metric))


def format_table(report: Report) -> str:
    rows = [[Path(name).name, *(cell(counts, m) for m in COLUMNS.values())] for name, counts in report.articles]
    rows.append(["TOTAL", *(cell(report.total, m) for m in COLUMNS.values())])
    header = ["article", *COLUMNS]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join([row[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True))])

    rule = "-" * len(line(header))
    body = [line(header), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])]
    values = metrics(report.total)
    legend = [
        f"{name:<36} {values[name]:.3f}  ({cell(report.total, name)})"
        if name in RATIOS
        else f"{name:<36} {values[name]}"
        for name in values
    ]
    missing = [name for name, counts in report.articles if counts.missing_articles]
    notes = [f"not in the briefing: {', '.join(missing)}"] if missing else []
    return "\n".join([*body, "", *legend, *notes])


# --- producing the briefing ---------------------------------------------------------------------------------


def anchor_date(gold_doc: Json) -> dt.date:
    """The --date the gold was annotated against (one anchor for every undated article)."""
    anchors = {article["anchor"] for article in gold_doc["articles"] if article.get("anchor")}
    if len(anchors) > 1:
        raise ValueError(f"gold articles use different anchors {sorted(anchors)}; one briefing date cannot fit all")
    return dt.date.fromisoformat(anchors.pop()) if anchors else DEFAULT_ANCHOR


def produce_briefing(gold_doc: Json) -> dict[str, Any]:
    """A briefing of the gold's articles, made in-process with the extractive model."""
    from briefing.options import ModelSpec, Options
    from briefing.pipeline import run_daily

    files = sorted({str(REPO_ROOT / article["file"]) for article in gold_doc["articles"]})
    options = Options(model=ModelSpec(name=MODEL_NAME), date=anchor_date(gold_doc), history=False)
    return run_daily(files, options).briefing.to_dict()


def load_article_texts(gold_doc: Json) -> dict[str, str]:
    """source -> article text, for every file the gold annotates."""
    from briefing.sources import load_sources

    files = sorted({str(REPO_ROOT / article["file"]) for article in gold_doc["articles"]})
    return {article.source: article.text for article in load_sources(files, 10_000_000).articles}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_set(
    name: str, gold_path: Path, floors_path: Path, per_article: bool, briefing_path: Path | None, as_json: bool
) -> tuple[dict[str, Any], list[str]]:
    gold_doc = read_json(gold_path)
    floors = read_json(floors_path)
    briefing = read_json(briefing_path) if briefing_path else produce_briefing(gold_doc)
    report = evaluate(gold_doc, briefing, load_article_texts(gold_doc))
    values = metrics(report.total)
    violations = [f"{name}: {line}" for line in floor_violations(values, floors)]
    result = report.to_dict() if per_article else {"metrics": values, "counts": asdict(report.total)}
    if not as_json:
        print(f"== {name} ({len(gold_doc['articles'])} articles{'' if per_article else ', aggregate only'}) ==")
        print(format_table(report) if per_article else format_totals(report))
        print()
        for violation in violations:
            print(violation)
        print(f"{name} " + summary_line(values, floors, violations))
        print()
    return result, violations


def format_totals(report: Report) -> str:
    """The check set's figures: totals only, so nobody reads its misses to write a rule."""
    values = metrics(report.total)
    return "\n".join(
        f"{name:<36} {values[name]:.3f}  ({cell(report.total, name)})"
        if name in RATIOS
        else f"{name:<36} {values[name]}"
        for name in values
    )


def misses(gold_doc: Json, briefing: Json) -> str:
    """Article by article, what the extraction missed or got wrong: for tuning on the dev set only."""
    predicted = [(article.get("source", ""), article) for article in briefing.get("articles", [])]
    lines: list[str] = []
    for gold in gold_doc["articles"]:
        article = find_by_source(gold_source(gold), predicted) or {}
        actors = article.get("actors", [])
        lines.append(f"=== {Path(gold['file']).name}")
        for actor in gold.get("actors", []):
            if not any(actor_matches(p, actor) for p in actors):
                lines.append(f"  actor missed{'' if actor.get('core', True) else ' (minor)'}: {actor['name']}")
        for p in actors:
            if not any(actor_matches(p, g) for g in gold.get("actors", [])):
                lines.append(f"  actor extra: {p['name']} ({p['type']})")
        forbidden = {normalise_name(n) for n in gold.get("must_not_be_actors", [])}
        for p in actors:
            if predicted_actor_names(p) & forbidden:
                lines.append(f"  actor BANNED: {p['name']}")
        for item, best in paired_positions(gold, article.get("positions", []), actors):
            if best is None:
                lines.append(f"  position missed [{item['actor']}]: {item['evidence'][:160]}")
                continue
            if not attribution_correct(best.get("actor"), acceptable_actors(item, gold["actors"]), actors):
                lines.append(f"  speaker wrong [{best.get('actor')} != {item['actor']}]: {item['evidence'][:120]}")
        for p in article.get("positions", []):
            if not any(matches_item(p.get("evidence"), item) for item in gold.get("positions", [])):
                lines.append(f"  position extra [{p.get('actor')}]: {p.get('evidence', '')[:140]}")
        for item in gold.get("next_steps", []):
            matching = [p for p in article.get("next_steps", []) if matches_item(p.get("evidence"), item)]
            tag = " (optional)" if not is_required(item) else ""
            if not matching:
                lines.append(f"  step missed{tag} [{item.get('actor')}; {item.get('when')}]: {item['evidence'][:150]}")
                continue
            best = best_match(matching, item)
            if item.get("actor") and not attribution_correct(
                best.get("actor"), acceptable_actors(item, gold["actors"]), actors
            ):
                lines.append(f"  step actor wrong [{best.get('actor')} != {item['actor']}]: {item['action']}")
            if not any(p.get("date") == item.get("date") for p in matching):
                lines.append(f"  step date wrong [{best.get('date')} != {item.get('date')}]: {item['evidence'][:100]}")
        for p in article.get("next_steps", []):
            if not any(matches_item(p.get("evidence"), item) for item in gold.get("next_steps", [])):
                lines.append(f"  step extra [{p.get('actor')}; {p.get('when')}]: {p.get('evidence', '')[:140]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all", help="which gold set to score")
    parser.add_argument("--gold", type=Path, help="score this gold file instead of a named set")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="the bounds for --gold")
    parser.add_argument("--briefing", type=Path, help="score this JSON briefing instead of making one (with --gold)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON (verdict on stderr)")
    parser.add_argument("--misses", action="store_true", help="list every miss (samples and dev only)")
    args = parser.parse_args(argv)
    if args.misses:
        if args.set in ("check", "all") and not args.gold:
            parser.error("--misses needs --set samples or --set dev: the check set is read in aggregate only")
        gold_path = args.gold or SETS[args.set][0]
        gold_doc = read_json(gold_path)
        print(misses(gold_doc, read_json(args.briefing) if args.briefing else produce_briefing(gold_doc)))
        return 0

    if args.gold:
        chosen = {args.gold.stem: (args.gold, args.floors, True)}
    else:
        chosen = {name: spec for name, spec in SETS.items() if args.set in (name, "all")}
    results, violations = {}, []
    for name, (gold_path, floors_path, per_article) in chosen.items():
        result, problems = run_set(name, gold_path, floors_path, per_article, args.briefing, args.json)
        results[name] = result
        violations += problems
    if args.json:
        print(json.dumps({**results, "violations": violations}, indent=2))
        for violation in violations:
            print(violation, file=sys.stderr)
    verdict = f"eval: {len(chosen)} set(s) {'FAIL' if violations else 'PASS'}"
    print(verdict, file=sys.stderr if args.json else sys.stdout)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
