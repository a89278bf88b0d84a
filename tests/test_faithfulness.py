"""The faithfulness guard against hand-labelled summary sentences (eval/faithfulness.py), and
its claim-level checks on small cases whose answer is plain."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from briefing.guard import guard_summaries, judge_sentences

REPO = Path(__file__).resolve().parent.parent
SOURCE = (
    "Bus drivers in Castlebridge will walk out for three days next month after rejecting a pay offer.\n\n"
    "Castlebridge Transit has offered drivers a 4% rise. The union is seeking 9%.\n\n"
    "Drivers also want changes to shift patterns which, the union says, leave some of them working split "
    "shifts of up to 13 hours.\n\n"
    "Council leader Ruth Ellison said the strike would hit shoppers in the run-up to Christmas.\n\n"
    "The council approved the new depot on Tuesday. The company will build it next year.\n\n"
    "The last strike, in 2024, ended when the company agreed to review overtime rates."
)
TITLE = "Castlebridge bus drivers to strike in pay row"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_faithfulness", REPO / "eval" / "faithfulness.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Castlebridge Transit has offered drivers a 4% rise, while the union wants 9%.", None),
        ("Ruth Ellison said the strike would hit shoppers before Christmas.", None),
        # Names and numbers each in the article, joined into a false claim.
        # The README's old showcase: true pieces from three sentences, joined into a false claim.
        (
            "The union has been patient for two years and has offered a 13-hour shift to workers, and the "
            "company has agreed to review overtime rates.",
            "",
        ),
        ("The company has agreed to review overtime rates and offered a 4% rise.", None),
        ("The council rejected the new depot on Tuesday.", "approve"),  # the opposite verb
        ("The company has built the depot.", "announced in the article, not done"),  # status
        ("Ruth Ellison said drivers want changes to shift patterns.", "speaker"),  # whose words
        ("Title: Castlebridge bus drivers to strike", "prompt label"),
        ("Drivers will strike. Drivers will strike. Drivers will strike.", "over and over"),
        ("Castlebridge bus drivers to strike in pay row.", "headline"),
        ("Drivers in Leeds will walk out for three days.", "Leeds"),
    ],
)
def test_claims(sentence: str, reason: str | None) -> None:
    (verdict,) = judge_sentences([sentence], SOURCE, TITLE)
    if reason is None:
        assert verdict is None
    else:
        assert verdict is not None and reason in verdict, verdict


def test_a_repeated_sentence_is_degenerate_the_second_time() -> None:
    first = "Castlebridge Transit has offered drivers a 4% rise."
    assert judge_sentences([first, first], SOURCE, TITLE) == [None, "repeats an earlier sentence"]


def test_lead_first_keeps_the_lead_and_adds_only_checked_news() -> None:
    summary = (
        "Ruth Ellison said the strike would hit shoppers in the run-up to Christmas. "
        "Ruth Ellison said drivers want changes to shift patterns."
    )
    (result,) = guard_summaries([summary], [SOURCE], [[]], [TITLE], lead_first=True)
    assert result.text.startswith("Bus drivers in Castlebridge will walk out for three days next month")
    assert "shoppers" in result.text and "shift patterns" not in result.text
    assert result.dropped == 1


def test_the_guard_meets_its_floors_on_the_labelled_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    faithfulness = load_script()
    status = faithfulness.main([])
    output = capsys.readouterr().out
    assert status == 0, output
    assert output.rstrip().endswith("PASS")
