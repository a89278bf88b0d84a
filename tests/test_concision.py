"""The five-minute gate: eval/concision.py on the samples and the busy day holds its floors."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_concision", REPO / "eval" / "concision.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


concision = load_script()


def test_violations_name_the_set_the_metric_and_the_bound() -> None:
    values = {"reading_share": 0.25, "top_actors_shown": 1.0}
    floors = {"reading_share": {"max": 0.2}, "top_actors_shown": {"min": 1.0}, "nonsense": {"min": 1}}
    assert concision.violations("samples", values, floors) == [
        "samples: reading_share = 0.250 above the bound 0.2",
        "samples: unknown metric in floors: nonsense",
    ]


def test_every_floored_set_exists_and_the_gate_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    floors = json.loads((REPO / "eval" / "concision_floors.json").read_text())
    assert set(floors) == set(concision.SETS)
    for name in floors:
        assert concision.SETS[name][0].is_dir(), name
    status = concision.main([])
    output = capsys.readouterr().out
    assert status == 0, output
    assert output.rstrip().endswith("PASS")
