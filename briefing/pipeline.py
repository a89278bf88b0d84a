"""The daily pipeline: sources -> articles -> summaries -> Briefing.

Rendering and writing stay with the caller, so the same Briefing can be
written in several formats, printed, or emailed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from briefing.assemble import assemble, deduplicate
from briefing.document import Briefing
from briefing.errors import ModelLoadError, NoArticlesError
from briefing.models import Model, load_model
from briefing.options import Options
from briefing.sources import load_sources
from briefing.summarise import summarise_articles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    briefing: Briefing
    failed_inputs: int


def open_model(options: Options) -> tuple[Model, list[str]]:
    """The requested model, or the fallback (with a warning) if it cannot load."""
    try:
        return load_model(options.model), []
    except ModelLoadError as exc:
        if not options.fallback:
            raise
        log.warning("%s; using --fallback %s instead", exc, options.fallback)
        fallback = load_model(replace(options.model, name=options.fallback))
        return fallback, [
            f"summary by the {options.fallback} fallback: model {options.model.name!r} could not be loaded"
        ]


def run_daily(sources: Sequence[str], options: Options, now: dt.datetime | None = None) -> Result:
    loaded = load_sources(sources, options.max_input_bytes)
    for error in loaded.errors:
        log.error("%s", error)
    articles, duplicates = deduplicate(loaded.articles)
    for note in duplicates:
        log.info("%s", note)
    if not articles:
        raise NoArticlesError(f"no articles could be read from {', '.join(sources)}")
    started = time.perf_counter()
    model, warnings = open_model(options)
    loaded_at = time.perf_counter()
    log.info("loaded model %s (%s) in %.1f s", model.name, model.backend, loaded_at - started)
    summaries = summarise_articles(articles, model, options.generation)
    elapsed = time.perf_counter() - loaded_at
    log.info("summarised %d article(s) in %.1f s (%.2f s per article)", len(articles), elapsed, elapsed / len(articles))
    briefing = assemble(articles, summaries, loaded.errors, model.info, options, now, warnings)
    return Result(briefing=briefing, failed_inputs=len(loaded.errors))
