"""`briefing daily`: a briefing from files, folders or stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from briefing.commands.common import (
    build_options,
    fetch_options,
    guard,
    history_options,
    log,
    model_options,
    output_options,
    setup_logging,
    write_outputs,
)
from briefing.errors import ExitCode


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="File of RSS, Atom or JSON Feed URLs, one a line (# comments); every entry's page is fetched.",
)
@output_options
@fetch_options
@history_options
@model_options
def daily(
    sources: tuple[str, ...],
    feeds_file: Path | None,
    outputs: tuple[Path, ...],
    fmt: str | None,
    detail: str | None,
    **settings: Any,
) -> None:
    """Make a briefing from SOURCES: article files (.txt .md .html .json .jsonl),
    folders of them (read recursively, in sorted order), - for stdin, or http(s)
    URLs of web pages; and from the entries of the feeds named in --feeds FILE.

    Exit status: 0 all inputs used; 3 briefing written but some inputs failed; 1 nothing written.
    """
    if not sources and feeds_file is None:
        raise click.UsageError("give SOURCES, --feeds FILE, or both")
    setup_logging(settings["debug"], settings["quiet"])
    options = build_options(settings)
    from briefing import pipeline
    from briefing.feeds import load_inputs

    described = ", ".join([*sources, *([str(feeds_file)] if feeds_file else [])])
    result = guard(
        options.debug, lambda: pipeline.brief(load_inputs(sources, feeds_file, options), options, described=described)
    )
    guard(options.debug, lambda: write_outputs(result.briefing, outputs, fmt, detail))
    # Only once the briefing is written: a run that fails leaves the history as it was.
    guard(options.debug, lambda: pipeline.record_history(result))
    if result.failed_inputs:
        log.error(
            "%d input(s) failed; the briefing has the other %d article(s)",
            result.failed_inputs,
            len(result.briefing.articles),
        )
        sys.exit(ExitCode.PARTIAL)
