"""Stories across days, end to end: the samples/days sequence (three briefing days,
eight stories a day; samples/days/README.md says what continues and what falls due)
through `briefing daily --date`, through the digest against a real SMTP server, and
with a run killed (kill -9) between days."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_mail import Inbox, serving_smtp

from briefing.cli import main
from briefing.history import History

DAYS = Path(__file__).resolve().parent.parent / "samples" / "days"
GOLD = json.loads((DAYS / "gold.json").read_text(encoding="utf-8"))
DAY1, DAY2, DAY3 = GOLD["days"]


def brief(day: str, tmp_path: Path, *extra: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / f"{day}.json"
    md = tmp_path / f"{day}.md"
    args = ["daily", str(DAYS / day), "--model", "extractive", "--date", day, "-o", str(out), "-o", str(md), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


def story_ids(data: dict[str, Any]) -> dict[str, str]:
    """Gold label -> story_id, for one day's briefing."""
    day = data["date"]
    return {GOLD["articles"][f"{day}/{Path(a['source']).name}"]: a["story_id"] for a in data["articles"]}


def test_three_days_link_stories_show_what_is_new_and_what_falls_due(tmp_path: Path) -> None:
    first, first_md = brief(DAY1, tmp_path)
    second, second_md = brief(DAY2, tmp_path)
    third, third_md = brief(DAY3, tmp_path)
    ids = [story_ids(day) for day in (first, second, third)]

    # Day 1: nothing before it.
    assert first["developing"] == [] and first["due"] == []
    assert "Developing" not in first_md
    assert all(a["first_seen"] == DAY1 for a in first["articles"])

    # Continuing stories keep their id; new ones get new ids, even with a familiar minister.
    assert ids[1]["bus-strike"] == ids[0]["bus-strike"] == ids[2]["bus-strike"]
    assert ids[1]["port-takeover"] == ids[0]["port-takeover"]
    assert ids[2]["library-closure"] == ids[0]["library-closure"]  # back after more than a week
    assert ids[1]["minister-floods"] != ids[0]["minister-housing"]
    assert ids[2]["minister-floods"] == ids[1]["minister-floods"]

    # Day 2: Developing, with what is new first and the context after.
    developing = {d["story_id"]: d for d in second["developing"]}
    strike = developing[ids[1]["bus-strike"]]
    assert strike["day"] == 2 and strike["first_seen"] == DAY1 and strike["previous_date"] == DAY1
    assert strike["new_positions"] or strike["new_steps"]
    assert "Developing (day 2)" in second_md and "Previously (Mon 23 Nov)" in second_md
    # The library story has no article on day 2, but its cabinet meeting falls due that day.
    due = [d for d in second["due"] if d["story_id"] == ids[0]["library-closure"]]
    assert any(d["date"] == DAY2 and d["status"] == "due" for d in due)
    assert "Due, from earlier briefings" in second_md

    # Day 3: the strike is on its third day; the library story is back after a week.
    developing = {d["story_id"]: d for d in third["developing"]}
    assert developing[ids[2]["bus-strike"]]["day"] == 3
    library = developing[ids[2]["library-closure"]]
    assert library["day"] == 2 and library["previous_date"] == DAY1
    library_articles = [a for a in third["articles"] if a["story_id"] == ids[2]["library-closure"]]
    assert all(a["first_seen"] == DAY1 for a in library_articles)
    # The port board's meeting (dated between day 2 and day 3) passed with no article since.
    was_due = [d for d in third["due"] if d["status"] == "was due"]
    assert any(d["story_id"] == ids[0]["port-takeover"] for d in was_due)
    assert "Was due, with no news since" in third_md


def test_no_history_reads_and_records_nothing(tmp_path: Path) -> None:
    brief(DAY1, tmp_path, "--no-history")
    second, second_md = brief(DAY2, tmp_path, "--no-history")
    assert "story_id" not in second["articles"][0] and second["developing"] == []
    with History() as history:
        assert history.dates() == []


def test_history_clear_from_the_command_line(tmp_path: Path) -> None:
    brief(DAY1, tmp_path)
    brief(DAY2, tmp_path)
    result = CliRunner().invoke(main, ["history", "clear", "--before", DAY2])
    assert result.exit_code == 0 and "forgot 1 briefing day" in result.output
    with History() as history:
        assert [d.isoformat() for d in history.dates()] == [DAY2]


def test_a_run_killed_between_days_loses_no_history(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "briefing", "daily", "--model", "extractive", "-f", "json"]
    day1 = subprocess.run([*command, str(DAYS / DAY1), "--date", DAY1], env=env, capture_output=True, timeout=300)
    assert day1.returncode == 0, day1.stderr.decode()
    with History() as history:
        recorded = [s.id for s in history.earlier_stories(_date(DAY2), 14)]
    assert len(recorded) == 8

    # Day 2 is killed mid-run (kill -9), wherever it is.
    killed = subprocess.Popen([*command, str(DAYS / DAY2), "--date", DAY2], env=env, stdout=subprocess.DEVNULL)
    time.sleep(3)
    killed.send_signal(signal.SIGKILL)
    killed.wait(30)
    with History() as history:
        assert history.dates() == [_date(DAY1)]
        assert [s.id for s in history.earlier_stories(_date(DAY2), 14)] == recorded

    # The re-run of day 2 goes on from day 1 as if nothing had happened.
    again = subprocess.run([*command, str(DAYS / DAY2), "--date", DAY2], env=env, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
    assert json.loads(again.stdout)["developing"]


def test_the_digest_over_three_days_says_what_is_new_and_what_is_due(tmp_path: Path) -> None:
    from briefing import digest as digest_run
    from briefing.config import load_config

    inbox_folder = tmp_path / "inbox"
    inbox_folder.mkdir()
    with serving_smtp() as inbox:
        config_path = tmp_path / "digest.toml"
        config_path.write_text(
            f'title = "Morning briefing"\nmodel = "extractive"\nsources = ["{inbox_folder}"]\n'
            f'output_dir = "briefings"\n[email]\nto = ["desk@example.com"]\nfrom = "briefing@example.com"\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = {inbox.port}\nsecurity = "none"\ntimeout = 5\nretries = 1\n'
            "retry_delay = 0\n",
            encoding="utf-8",
        )
        config = load_config(config_path)
        for day in (DAY1, DAY2, DAY3):
            for article in (DAYS / day).glob("*.json"):  # the day's new items arrive in the folder
                shutil.copy(article, inbox_folder / f"{day}-{article.name}")
            outcome = digest_run.run(config, today=_date(day))
            assert outcome.exit_code == 0
        texts = [_text(inbox, index) for index in range(3)]
    assert len(inbox.received) == 3
    assert "Developing" not in texts[0]
    assert "Developing (day 2)" in texts[1] and "Due, from earlier briefings" in texts[1]
    assert "Developing (day 3)" in texts[2] and "Was due, with no news since" in texts[2]


def _text(inbox: Inbox, index: int) -> str:
    return inbox.received[index].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _date(day: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(day)


@pytest.fixture(autouse=True)
def _needs_the_sequence() -> None:
    assert (DAYS / DAY1).is_dir(), "samples/days is missing"


def test_linking_holds_its_floors_on_the_sequence() -> None:
    """eval/linking.py's gate, at the default threshold (the sweep is for `make eval`)."""
    sys.path.insert(0, str(DAYS.parent.parent / "eval"))
    import linking

    from briefing.continuity import LINK_THRESHOLD

    figures = linking.score(linking.run_sequence(LINK_THRESHOLD), GOLD["articles"], GOLD["days"])
    floors = json.loads(linking.FLOORS.read_text(encoding="utf-8"))
    assert {key: figures[key] >= floor for key, floor in floors.items()} == {key: True for key in floors}, figures
