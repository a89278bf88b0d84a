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

from briefing.article import Article
from briefing.assemble import assemble, deduplicate
from briefing.cache import open_cache
from briefing.document import Briefing
from briefing.errors import ModelLoadError, ModelRunError, NoArticlesError
from briefing.models import Model, load_model
from briefing.models.measured import defaults_for
from briefing.nlp.analyse import Analysis, analyse_articles
from briefing.options import Options
from briefing.selection import select_sentences
from briefing.sources import Loaded, load_sources
from briefing.stories import build_stories
from briefing.summarise import Summary, summarise_articles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    briefing: Briefing
    failed_inputs: int
    texts: tuple[str, ...] = ()  # each article's text, for the story history


def with_history(briefing: Briefing, texts: Sequence[str], options: Options) -> Briefing:
    """The briefing with its stories linked to those of earlier briefings (history.py)."""
    from briefing.continuity import DUE_AHEAD_DAYS, continuity
    from briefing.history import History

    with History() as history:
        earlier = history.earlier_stories(briefing.date, options.history_days)
        due = history.due_candidates(briefing.date, DUE_AHEAD_DAYS)
        previous = history.previous_briefing(briefing.date)
    return replace(briefing, continuity=continuity(briefing, texts, earlier, due, previous))


def record_history(result: Result) -> None:
    """Remember the briefing's stories for the next day's (call once it is written)."""
    from briefing.history import History

    if not result.briefing.continuity.story_ids:
        return  # made without the history
    with History() as history:
        history.record(result.briefing, result.texts)


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


def check_faithfulness(
    summaries: Sequence[Summary],
    articles: Sequence[Article],
    analyses: Sequence[Analysis],
    lead: bool = False,
) -> list[Summary]:
    """Drop generated sentences the article does not support (see guard.py); with `lead`, the
    article's lead is the summary and the model's checked sentences only add to it."""
    from briefing.guard import guard_summaries

    results = guard_summaries(
        [s.text for s in summaries],
        [a.text for a in articles],
        [a.names for a in analyses],
        [a.title for a in articles],
        lead_first=lead,
    )
    for article, result in zip(articles, results, strict=True):
        if result.dropped:
            log.warning(
                "%s: faithfulness guard dropped %d of %d summary sentences",
                article.source,
                result.dropped,
                result.sentences,
            )
    return [
        replace(summary, text=result.text, warnings=(*summary.warnings, *result.warnings))
        for summary, result in zip(summaries, results, strict=True)
    ]


def summary_input(options: Options, model: Model) -> str:
    """Whole article or selected sentences: the user's choice, else the measured default."""
    if options.summary_input != "auto":
        return options.summary_input
    return defaults_for(model.name, model.backend).input


def lead_first(options: Options, model: Model) -> bool:
    """Whether the article's lead leads the summary: the user's choice, else the measured default."""
    if options.summary_policy != "auto":
        return options.summary_policy == "lead"
    return defaults_for(model.name, model.backend).lead_first


def run_daily(sources: Sequence[str], options: Options, now: dt.datetime | None = None) -> Result:
    """Read SOURCES and brief every article in them."""
    loaded = load_sources(sources, options.max_input_bytes, options.fetch)
    return brief(loaded, options, now, described=", ".join(sources))


def brief(loaded: Loaded, options: Options, now: dt.datetime | None = None, described: str = "the sources") -> Result:
    """Articles already read (and the inputs that failed) -> a Briefing."""
    for error in loaded.errors:
        log.error("%s", error)
    articles, duplicates = deduplicate(loaded.articles)
    for note in duplicates:
        log.info("%s", note)
    if not articles:
        raise NoArticlesError(f"no articles could be read from {described}")
    started = time.perf_counter()
    analyses = list(analyse_articles(articles, options.briefing_date))
    log.info("analysed %d article(s) in %.1f s", len(articles), time.perf_counter() - started)
    started = time.perf_counter()
    model, warnings = open_model(options)
    loaded_at = time.perf_counter()
    log.info("loaded model %s (%s) in %.1f s", model.name, model.backend, loaded_at - started)
    cache = open_cache() if options.use_cache and model.backend != "extractive" else None
    selections = None
    if model.backend != "extractive" and summary_input(options, model) == "selected":
        selections = [
            select_sentences(a.text, analysis, model.count_tokens)
            for a, analysis in zip(articles, analyses, strict=True)
        ]
    try:
        summaries = summarise_articles(articles, model, options.generation, cache, selections)
    except ModelRunError as exc:
        if not options.fallback:
            raise
        # What the model answered before it failed is in the cache for the next run.
        log.warning("%s; using --fallback %s instead", exc, options.fallback)
        model = load_model(replace(options.model, name=options.fallback))
        warnings.append(f"summary by the {options.fallback} fallback: the model failed while summarising")
        summaries = summarise_articles(articles, model, options.generation)
    finally:
        if cache is not None:
            cache.close()
    elapsed = time.perf_counter() - loaded_at
    log.info("summarised %d article(s) in %.1f s (%.2f s per article)", len(articles), elapsed, elapsed / len(articles))
    if model.backend != "extractive":  # extractive summaries are source sentences already
        summaries = check_faithfulness(summaries, articles, analyses, lead_first(options, model))
    briefing = assemble(articles, summaries, analyses, loaded.errors, model.info, options, now, warnings)
    texts = tuple(f"{a.title or ''}\n\n{a.text}" for a in articles)
    briefing = replace(briefing, stories=build_stories(briefing.articles, texts))
    if options.history:
        briefing = with_history(briefing, texts, options)
    return Result(briefing=briefing, failed_inputs=len(loaded.errors), texts=texts)
