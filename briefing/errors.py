"""The exceptions the library raises; only cli.py turns them into Click errors."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What the process tells its caller (cron reads these)."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    PARTIAL = 3  # a briefing was written, but some inputs failed
    SEND_FAILED = 4  # `digest`: the briefing was written but the mail server did not accept it


class BriefingError(Exception):
    """Base class: a failure we can explain in one line."""


class InputError(BriefingError):
    """One input (file, URL, stdin) could not be turned into articles."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class NoArticlesError(BriefingError):
    """Nothing usable was found in any of the sources."""


class ModelLoadError(BriefingError):
    """A model could not be loaded; the message says what to do."""


class ModelRunError(BriefingError):
    """A model that loaded failed while summarising (a model server that stopped answering)."""


class PromptError(BriefingError):
    """A prompt template is missing or needs a variable nobody supplied."""


class OutputError(BriefingError):
    """The briefing could not be written."""
