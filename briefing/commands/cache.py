"""`briefing cache`: look at or empty the summary cache."""

from __future__ import annotations

import click

from briefing.commands.common import guard, setup_logging


@click.group()
def cache() -> None:
    """The summary cache (under $BRIEFING_HOME/cache, or the platform cache folder)."""


@cache.command()
def clear() -> None:
    """Delete every cached summary (and the dequantised copies of .gguf models)."""
    setup_logging(debug=False)

    def run() -> None:
        import shutil

        from briefing.cache import SummaryCache, cache_path
        from briefing.paths import cache_dir

        removed = 0
        if cache_path().exists():
            summaries = SummaryCache()
            removed = summaries.clear()
            summaries.close()
        shutil.rmtree(cache_dir() / "models", ignore_errors=True)
        click.echo(f"removed {removed} cached summar{'y' if removed == 1 else 'ies'} and the converted models")

    guard(False, run)


@cache.command()
def path() -> None:
    """Print where the cache lives."""
    from briefing.cache import cache_path

    click.echo(str(cache_path().parent))
