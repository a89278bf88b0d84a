"""`briefing history`: look at or prune the story history."""

from __future__ import annotations

import datetime as dt

import click

from briefing.commands.common import guard, setup_logging


@click.group()
def history() -> None:
    """The story history that links stories across days ($BRIEFING_HOME/data/history.sqlite3,
    or the platform data folder)."""


@history.command()
@click.option(
    "--before",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Forget only the briefings dated before this day, YYYY-MM-DD.",
)
def clear(before: dt.datetime | None) -> None:
    """Forget every briefed story (or those of briefings before --before)."""
    setup_logging(debug=False)

    def run() -> None:
        from briefing.history import History

        with History() as store:
            removed = store.clear(before.date() if before else None)
        click.echo(f"forgot {removed} briefing day{'' if removed == 1 else 's'} of stories")

    guard(False, run)


@history.command()
def path() -> None:
    """Print where the history lives."""
    from briefing.history import FILE_NAME
    from briefing.paths import data_dir

    click.echo(str(data_dir() / FILE_NAME))
