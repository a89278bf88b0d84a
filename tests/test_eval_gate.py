"""The evaluation gate: scoring functions on hand-made examples, then the gate itself on the samples."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EVAL_SCRIPT = REPO / "eval" / "evaluate.py"
GOLD_FILE = REPO / "eval" / "gold.json"
FLOORS_FILE = REPO / "eval" / "floors.json"


def load_evaluator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_evaluate", EVAL_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


ev = load_evaluator()

TEXT = (
    "Members of the United Transport Workers (UTW) voted to strike on 7 December.\n\n"
    "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser.\n\n"
    "Council leader Ruth Ellison said the strike would hit shoppers before Christmas.\n\n"
    "A Castlebridge Transit spokesperson said talks could resume next week.\n\n"
    "The council’s cabinet will discuss the dispute on Wednesday.\n\n"
    "The last strike on the network, in the summer of 2024, lasted two days."
)
SOURCE = "samples/articles/bus-strike.md"


def gold_article() -> dict[str, Any]:
    return {
        "file": SOURCE,
        "published": None,
        "anchor": "2026-11-27",
        "actors": [
            {"name": "United Transport Workers", "aliases": ["UTW", "the union"], "core": True},
            {"name": "Sam Okafor", "aliases": ["Okafor", "Mr Okafor"], "core": True},
            {"name": "Ruth Ellison", "aliases": ["Ellison", "Ms Ellison", "the council leader"], "core": True},
            {"name": "Castlebridge Transit", "aliases": ["the company"], "core": False},
        ],
        "must_not_be_actors": ["Christmas", "The County Herald"],
        "positions": [
            {
                "actor": "Sam Okafor",
                "evidence": "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser.",
                "statement": "Drivers have had enough",
            },
            {
                "actor": "Ruth Ellison",
                "evidence": "Council leader Ruth Ellison said the strike would hit shoppers before Christmas.",
                "statement": "the strike would hit shoppers before Christmas",
            },
        ],
        "next_steps": [
            {
                "actor": "United Transport Workers",
                "when": "on 7 December",
                "date": "2026-12-07",
                "evidence": "Members of the United Transport Workers (UTW) voted to strike on 7 December.",
            },
            {
                "actor": "Castlebridge Transit",
                "when": "next week",
                "date": None,
                "evidence": "A Castlebridge Transit spokesperson said talks could resume next week.",
                "also_acceptable": ["United Transport Workers"],
            },
            {
                "actor": "Castlebridge Transit",
                "when": "on Wednesday",
                "date": "2026-12-02",
                "evidence": "The council’s cabinet will discuss the dispute on Wednesday.",
                "optional": True,
            },
        ],
        "not_next_steps": ["The last strike on the network, in the summer of 2024, lasted two days."],
    }


def perfect_prediction(gold: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """What a flawless extraction of the gold article would print."""
    return {
        "source": source or ev.gold_source(gold),
        "actors": [{"name": a["name"], "aliases": list(a["aliases"]), "type": "organisation"} for a in gold["actors"]],
        "positions": [
            {"actor": p["actor"], "statement": p.get("statement", ""), "evidence": p["evidence"]}
            for p in gold["positions"]
        ],
        "next_steps": [
            {"text": "", "when": s["when"], "date": s["date"], "actor": s["actor"], "evidence": s["evidence"]}
            for s in gold["next_steps"]
        ],
    }


def score(gold: dict[str, Any], predicted: dict[str, Any] | None) -> dict[str, float | int]:
    report = ev.evaluate({"articles": [gold]}, {"articles": [predicted] if predicted else []}, {SOURCE: TEXT})
    return ev.metrics(report.total)


# --- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("  The   Northern Teachers’ Union ", "northern teachers union"),
        ("Northern Teachers' Union", "northern teachers union"),
        ("Quillon’s", "quillon"),
        ("Mr. Lee", "mr lee"),
        ("UTW", "utw"),
    ],
)
def test_names_are_normalised(name: str, expected: str) -> None:
    assert ev.normalise_name(name) == expected


def test_generic_descriptor_aliases_are_ignored_when_matching() -> None:
    union = {"name": "United Transport Workers", "aliases": ["UTW", "the union"]}
    assert ev.actor_matches({"name": "UTW", "aliases": []}, union)
    assert ev.actor_matches({"name": "Workers", "aliases": ["The United Transport Workers"]}, union)
    assert not ev.actor_matches({"name": "the union", "aliases": []}, union)
    assert not ev.actor_matches({"name": "Union", "aliases": []}, union)


# --- actors ------------------------------------------------------------------------------------------------


def test_perfect_prediction_scores_one_everywhere_and_meets_the_strictest_floors() -> None:
    gold = gold_article()
    values = score(gold, perfect_prediction(gold))
    for name in ev.RATIOS:
        assert values[name] == 1.0, name
    assert values["must_not_listed"] == values["not_next_step_hits"] == values["missing_articles"] == 0
    strictest = {name: {"min": 1.0} for name in ev.RATIOS} | {name: {"max": 0} for name in ev.COUNT_METRICS}
    assert ev.floor_violations(values, strictest) == []


def test_a_missing_core_actor_lowers_recall_and_core_recall() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["actors"] = [a for a in predicted["actors"] if a["name"] != "Sam Okafor"]
    values = score(gold, predicted)
    assert values["actor_recall"] == pytest.approx(3 / 4)  # over every gold actor
    assert values["core_actor_recall"] == pytest.approx(2 / 3)
    assert values["minor_actor_recall"] == 1.0


def test_a_missing_minor_actor_lowers_recall_but_not_core_recall() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["actors"] = [a for a in predicted["actors"] if a["name"] != "Castlebridge Transit"]
    values = score(gold, predicted)
    assert values["actor_recall"] == pytest.approx(3 / 4)
    assert values["core_actor_recall"] == 1.0
    assert values["minor_actor_recall"] == 0.0


def test_an_actor_named_only_by_a_descriptor_is_neither_found_nor_correct() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["actors"] = [a for a in predicted["actors"] if a["name"] != "United Transport Workers"]
    predicted["actors"].append({"name": "the union", "aliases": []})
    values = score(gold, predicted)
    assert values["core_actor_recall"] == pytest.approx(2 / 3)
    assert values["actor_precision"] == pytest.approx(3 / 4)


def test_an_unmerged_alias_lowers_alias_merging_but_not_recall() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["actors"].append({"name": "Okafor", "aliases": []})
    values = score(gold, predicted)
    # UTW, Okafor and Ellison have proper aliases; Castlebridge Transit only a descriptor.
    assert values["alias_merging"] == pytest.approx(2 / 3)
    assert values["actor_recall"] == 1.0
    assert values["actor_precision"] == 1.0


def test_must_not_actors_are_counted_by_name_or_alias() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["actors"] += [
        {"name": "County Herald", "aliases": []},
        {"name": "Festive season", "aliases": ["christmas"]},
        {"name": "Bus drivers", "aliases": []},
    ]
    values = score(gold, predicted)
    assert values["must_not_listed"] == 2
    assert values["actor_precision"] == pytest.approx(4 / 7)


# --- evidence ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "predicted",
    [
        "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser.",
        '"Drivers  have had enough," said Sam Okafor,\nthe union\'s regional organiser.',
        "said Sam Okafor, the union’s regional organiser.",  # contained in the gold sentence
        "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser. “We have been patient.”",
        "“Drivers have had enough,” said Sam Okafor, the regional organiser of the union.",  # Jaccard 0.85
    ],
)
def test_evidence_matches_despite_spacing_quotes_and_extent(predicted: str) -> None:
    assert ev.evidence_matches(predicted, "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser.")


@pytest.mark.parametrize(
    "predicted",
    [
        "",
        None,
        "he said.",
        "Sam Okafor",
        "The union is seeking 9%.",
        "Drivers have had enough",  # four words of twelve: a fragment, not the sentence
    ],
)
def test_evidence_does_not_match_short_fragments_or_other_sentences(predicted: str | None) -> None:
    assert not ev.evidence_matches(
        predicted, "“Drivers have had enough,” said Sam Okafor, the union’s regional organiser."
    )


def test_alt_evidence_also_matches() -> None:
    item = {"evidence": "One sentence about the strike.", "alt_evidence": ["Drivers will walk out next month."]}
    assert ev.matches_item("Drivers will walk out next month.", item)


def test_evidence_must_be_verbatim_up_to_whitespace() -> None:
    assert ev.is_verbatim("Council leader Ruth Ellison said the strike\nwould hit shoppers", TEXT)
    assert not ev.is_verbatim('"Drivers have had enough," said Sam Okafor', TEXT)  # straightened quotes
    assert not ev.is_verbatim("", TEXT)
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["positions"][0]["evidence"] = '"Drivers have had enough," said Sam Okafor.'
    assert score(gold, predicted)["evidence_verbatim"] == pytest.approx(4 / 5)


# --- positions ---------------------------------------------------------------------------------------------


def test_speaker_resolves_through_the_predicted_actor_list() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["positions"][0]["actor"] = "Mr Okafor"  # a gold alias
    predicted["positions"][1]["actor"] = "the council leader"  # only via the predicted actor's alias
    predicted["actors"][2]["aliases"].append("the council leader")
    assert score(gold, predicted)["speaker_accuracy"] == 1.0


def test_a_wrong_or_generic_speaker_counts_against_speaker_accuracy_only() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["positions"][0]["actor"] = "Ruth Ellison"
    predicted["positions"][1]["actor"] = "the council leader"  # a gold descriptor only
    predicted["actors"][2]["aliases"] = ["Ellison"]
    values = score(gold, predicted)
    assert values["position_recall"] == 1.0
    assert values["speaker_accuracy"] == 0.0
    assert values["position_with_right_speaker_recall"] == 0.0


def test_a_missing_and_an_extra_position() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["positions"][1] = {"actor": "Sam Okafor", "statement": "", "evidence": "The union is seeking 9%."}
    values = score(gold, predicted)
    assert values["position_recall"] == 0.5
    assert values["position_precision"] == 0.5
    assert values["speaker_accuracy"] == 1.0


def test_a_sentence_the_gold_gives_two_speakers_pairs_each_with_its_own_prediction() -> None:
    gold = gold_article()
    shared = "Council leader Ruth Ellison said the strike would hit shoppers before Christmas."
    gold["positions"].append({"actor": "United Transport Workers", "evidence": shared})
    predicted = perfect_prediction(gold)
    predicted["positions"][1]["actor"] = "United Transport Workers"  # the two, in the other order
    predicted["positions"][2]["actor"] = "Ruth Ellison"
    assert score(gold, predicted)["speaker_accuracy"] == 1.0


def test_more_speakers_than_the_gold_gives_a_sentence_cannot_pick_the_right_one() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    extra = dict(predicted["positions"][1], actor="Ruth Ellison")
    predicted["positions"][1]["actor"] = "Sam Okafor"  # wrong first, right second: scored on the first
    predicted["positions"].append(extra)
    assert score(gold, predicted)["speaker_accuracy"] == 0.5


# --- next steps --------------------------------------------------------------------------------------------


def test_a_guessed_date_counts_wrong_and_null_equals_null() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["next_steps"][1]["date"] = "2026-12-04"  # "next week": the gold has no date
    assert score(gold, predicted)["date_accuracy"] == pytest.approx(2 / 3)
    predicted["next_steps"][1]["date"] = None
    predicted["next_steps"][0]["date"] = None  # a derivable date left out is wrong too
    assert score(gold, predicted)["date_accuracy"] == pytest.approx(2 / 3)


def test_optional_steps_are_not_required_but_count_when_given() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["next_steps"].pop()  # the optional one
    values = score(gold, predicted)
    assert values["next_step_recall"] == 1.0
    predicted["next_steps"].pop()
    values = score(gold, predicted)
    assert values["next_step_recall"] == 0.5
    assert values["next_step_precision"] == 1.0


def test_step_actor_may_be_an_also_acceptable_actor() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["next_steps"][1]["actor"] = "UTW"  # also_acceptable
    predicted["next_steps"][2]["actor"] = "Sam Okafor"  # wrong
    assert score(gold, predicted)["next_step_actor_accuracy"] == pytest.approx(2 / 3)


def test_a_past_event_listed_as_a_next_step_is_a_hit_and_not_correct() -> None:
    gold = gold_article()
    predicted = perfect_prediction(gold)
    predicted["next_steps"].append(
        {"text": "", "when": None, "date": None, "actor": None, "evidence": gold["not_next_steps"][0]}
    )
    values = score(gold, predicted)
    assert values["not_next_step_hits"] == 1
    assert values["next_step_precision"] == pytest.approx(3 / 4)


# --- articles, floors, the command line ----------------------------------------------------------------------


def test_briefing_sources_match_however_the_folder_was_named() -> None:
    assert ev.same_source("/home/x/samples/articles/news-feed.jsonl:2", "samples/articles/news-feed.jsonl:2")
    assert ev.same_source("./samples/articles/bus-strike.md", "samples/articles/bus-strike.md")
    assert not ev.same_source("samples/articles/news-feed.jsonl:2", "samples/articles/news-feed.jsonl:1")
    gold = gold_article()
    assert score(gold, perfect_prediction(gold, source="/somewhere/" + SOURCE))["actor_recall"] == 1.0


def test_an_article_missing_from_the_briefing_scores_zero_and_is_counted() -> None:
    values = score(gold_article(), None)
    assert values["missing_articles"] == 1
    assert values["actor_recall"] == values["next_step_recall"] == 0.0


def test_floor_violations_are_detected() -> None:
    values = {"actor_recall": 0.89, "speaker_accuracy": 0.9, "must_not_listed": 1, "evidence_verbatim": 1.0}
    floors = {
        "actor_recall": {"min": 0.9},
        "speaker_accuracy": {"min": 0.9},
        "must_not_listed": {"max": 0},
        "evidence_verbatim": {"min": 1.0, "max": 1.0},
        "actor_recal": {"min": 0.5},
    }
    violations = ev.floor_violations(values, floors)
    assert len(violations) == 3
    assert "actor_recall" in violations[0] and "min 0.9" in violations[0]
    assert "must_not_listed" in violations[1] and "max 0" in violations[1]
    assert "actor_recal'" in violations[2]
    assert ev.summary_line(values, floors, violations).endswith("FAIL (3 violations)")
    assert ev.summary_line(values, {}, []) == "eval: PASS"


def test_the_floors_file_names_only_known_metrics() -> None:
    floors = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
    known = set(ev.RATIOS) | set(ev.COUNT_METRICS)
    assert set(floors) <= known
    assert all(set(bounds) <= {"min", "max"} for bounds in floors.values())


def test_the_command_scores_a_briefing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A briefing that repeats the gold file scores 1.0 throughout: the gold's evidence is verbatim too."""
    gold_doc = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    briefing = {"articles": [perfect_prediction(article) for article in gold_doc["articles"]]}
    (tmp_path / "briefing.json").write_text(json.dumps(briefing), encoding="utf-8")
    args = ["--gold", str(GOLD_FILE), "--floors", str(FLOORS_FILE)]
    assert ev.main([*args, "--briefing", str(tmp_path / "briefing.json")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("gold eval: actor_recall=1.00") and line.endswith("PASS") for line in lines)
    assert lines[-1] == "eval: 1 set(s) PASS"

    worse = copy.deepcopy(briefing)
    for article in worse["articles"]:
        article["actors"] = []
    (tmp_path / "worse.json").write_text(json.dumps(worse), encoding="utf-8")
    assert ev.main([*args, "--briefing", str(tmp_path / "worse.json"), "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["gold"]["metrics"]["actor_recall"] == 0.0
    assert err.strip().splitlines()[-1] == "eval: 1 set(s) FAIL"


def test_the_check_set_is_never_listed_article_by_article(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        ev.main(["--set", "check", "--misses"])
    assert "aggregate only" in capsys.readouterr().err


# --- the gate ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ev.SETS))
def test_each_set_meets_its_floors(name: str) -> None:
    """The extraction, scored against each gold set (samples, dev, check), stays within its floors.
    The check set's failures are reported as totals only."""
    gold_path, floors_path, per_article = ev.SETS[name]
    gold_doc = json.loads(gold_path.read_text(encoding="utf-8"))
    floors = json.loads(floors_path.read_text(encoding="utf-8"))
    assert floors, f"{floors_path} pins no floor"
    report = ev.evaluate(gold_doc, ev.produce_briefing(gold_doc), ev.load_article_texts(gold_doc))
    violations = ev.floor_violations(ev.metrics(report.total), floors)
    assert not violations, "\n".join(
        [*violations, ev.format_table(report) if per_article else ev.format_totals(report)]
    )
