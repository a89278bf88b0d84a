"""`briefing digest`: the emailed daily digest, made to run from cron."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from briefing.commands.common import guard, setup_logging
from briefing.errors import ExitCode


@click.command()
@click.option(
    "-c",
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The digest's TOML file (see examples/digest.toml).",
)
@click.option("--dry-run", is_flag=True, help="Write the briefing and show the email, but send and mark nothing.")
@click.option("-m", "--model", default=None, help="Use this model instead of the config's `model`.")
@click.option(
    "--endpoint",
    default=None,
    envvar="BRIEFING_ENDPOINT",
    metavar="URL",
    help="An OpenAI-compatible model server instead of the config's `endpoint`. Env: BRIEFING_ENDPOINT.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks and library logs.")
def digest(config_path: Path, dry_run: bool, model: str | None, endpoint: str | None, quiet: bool, debug: bool) -> None:
    """Email a briefing of the feeds' and sources' items not sent before.

    Safe to run from cron: a second run while one is going exits at once, an item
    is marked sent only once the mail server accepted it, and an item whose email
    failed goes into the next run's digest. State lives in the data folder
    ($BRIEFING_HOME/data when set).

    Exit status: 0 sent, or nothing new; 3 some feeds or sources failed (what
    was read was sent); 4 the email was not accepted (the items stay pending);
    1 other failures (config, model, disk).
    """
    setup_logging(debug, quiet)
    from briefing import digest as digest_run
    from briefing.config import load_config

    config = guard(debug, lambda: load_config(config_path))
    if endpoint:
        config = dataclasses.replace(config, endpoint=endpoint)
    outcome = guard(debug, lambda: digest_run.run(config, dry_run=dry_run, model=model))
    if outcome.preview:
        click.echo(outcome.preview, err=True)
    if outcome.exit_code != ExitCode.OK:
        sys.exit(outcome.exit_code)
