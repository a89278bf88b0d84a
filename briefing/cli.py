"""The `briefing` command group. Each subcommand lives in briefing/commands/;
this module only assembles them, so `briefing --help` imports nothing heavy."""

from __future__ import annotations

import click

from briefing import __version__
from briefing.commands.cache import cache
from briefing.commands.daily import daily
from briefing.commands.digest import digest
from briefing.commands.history import history
from briefing.commands.url import url


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="briefing")
def main() -> None:
    """Turn the day's news into a briefing a busy person can read in five minutes.

    Everything runs on this machine with a local Hugging Face model; nothing is
    sent to any service. Start with `briefing daily --help`.
    """


main.add_command(daily)
main.add_command(cache)
main.add_command(url)
main.add_command(digest)
main.add_command(history)
