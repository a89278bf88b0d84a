"""`briefing url`: a briefing of the one article on a web page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from briefing.commands.common import (
    build_options,
    fetch_options,
    guard,
    model_options,
    output_options,
    setup_logging,
    write_outputs,
)


@click.command()
@click.argument("page_url", metavar="URL")
@output_options
@fetch_options
@model_options
def url(page_url: str, outputs: tuple[Path, ...], fmt: str | None, detail: str | None, **settings: Any) -> None:
    """Fetch the web page at URL (http or https), extract its article (text, title,
    author, date) and print its briefing.

    Exit status: 0 briefing written; 1 the page could not be fetched or read.
    """
    setup_logging(settings["debug"], settings["quiet"])
    options = build_options(settings)
    from briefing import pipeline
    from briefing.fetch import fetch_article
    from briefing.sources import Loaded

    # A page that cannot be fetched is the whole input, so it fails here (exit 1)
    # rather than becoming a briefing that lists one error.
    article = guard(options.debug, lambda: fetch_article(page_url, options.fetch))
    if click.get_current_context().get_parameter_source("title") is ParameterSource.DEFAULT and article.title:
        options = replace(options, title=article.title)  # one article: its headline is the title
    result = guard(options.debug, lambda: pipeline.brief(Loaded(articles=[article]), options, described=page_url))
    guard(options.debug, lambda: write_outputs(result.briefing, outputs, fmt, detail))
