"""Assemble: articles + summaries + failed inputs -> one format-free Briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from briefing.article import Article
from briefing.document import ArticleBriefing, Briefing, ModelInfo, SourceError
from briefing.errors import InputError
from briefing.nlp.analyse import Analysis
from briefing.options import Options
from briefing.summarise import Summary
from briefing.text import count_words


def assemble(
    articles: Sequence[Article],
    summaries: Sequence[Summary],
    analyses: Sequence[Analysis],
    errors: Sequence[InputError],
    model: ModelInfo,
    options: Options,
    generated_at: dt.datetime | None = None,
    extra_warnings: Sequence[str] = (),
) -> Briefing:
    items = tuple(
        ArticleBriefing(
            id=article.id,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
            summary=summary.text,
            actors=analysis.actors,
            positions=analysis.positions,
            next_steps=analysis.next_steps,
            warnings=(*article.warnings, *summary.warnings, *extra_warnings),
            words=count_words(f"{article.title or ''}\n{article.text}"),
        )
        for article, summary, analysis in zip(articles, summaries, analyses, strict=True)
    )
    return Briefing(
        title=options.title,
        date=options.briefing_date,
        generated_at=generated_at or dt.datetime.now(dt.timezone.utc).astimezone(),
        model=model,
        articles=items,
        errors=tuple(SourceError(error.source, error.reason) for error in errors),
    )


def deduplicate(articles: Sequence[Article]) -> tuple[list[Article], list[str]]:
    """Drop articles whose text is the same story as an earlier one (same id)."""
    seen: dict[str, str] = {}
    kept: list[Article] = []
    notes: list[str] = []
    for article in articles:
        if article.id in seen:
            notes.append(f"{article.source}: same text as {seen[article.id]}; skipped")
            continue
        seen[article.id] = article.source
        kept.append(article)
    return kept, notes
