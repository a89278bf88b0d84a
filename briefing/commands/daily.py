"""`briefing daily`: a briefing from files, folders or stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from briefing.commands.common import (
    build_options,
    guard,
    log,
    model_options,
    output_options,
    setup_logging,
    write_outputs,
)
from briefing.errors import ExitCode


@click.command()
@click.argument("sources", nargs=-1, required=True)
@output_options
@model_options
def daily(sources: tuple[str, ...], outputs: tuple[Path, ...], fmt: str | None, **settings: Any) -> None:
    """Make a briefing from SOURCES: article files (.txt .md .html .json .jsonl),
    folders of them (read recursively, in sorted order), or - for stdin.

    Exit status: 0 all inputs used; 3 briefing written but some inputs failed; 1 nothing written.
    """
    setup_logging(settings["debug"], settings["quiet"])
    options = build_options(settings)
    from briefing import pipeline

    result = guard(options.debug, lambda: pipeline.run_daily(sources, options))
    guard(options.debug, lambda: write_outputs(result.briefing, outputs, fmt))
    if result.failed_inputs:
        log.error(
            "%d input(s) failed; the briefing has the other %d article(s)",
            result.failed_inputs,
            len(result.briefing.articles),
        )
        sys.exit(ExitCode.PARTIAL)
