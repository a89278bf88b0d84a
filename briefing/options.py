"""The one options object that flows through every stage.

Generation settings are kept apart from the model's identity so a cache key or a
benchmark can vary one without touching the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from briefing.fetch import FetchSettings  # plain dataclass; httpx is imported only when fetching

DEFAULT_MODEL = "sshleifer/distilbart-cnn-12-6"
DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run and where: identity only, no generation knobs."""

    name: str = DEFAULT_MODEL
    device: str = "auto"  # auto | cpu | cuda
    prompts_dir: Path | None = None  # user's own prompt templates, if any
    max_input_tokens: int | None = None  # cap per chunk; None = the model's own limit
    quantize: str | None = None  # "int8": dynamic int8 Linear layers (CPU), changes outputs slightly


@dataclass(frozen=True)
class GenerationSettings:
    """User overrides on top of the model's own generation config (None = keep)."""

    num_beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    length_penalty: float | None = None
    batch_size: int = 8
    # Padded input tokens per generate() call: bounds memory, and keeps a long
    # article from making seven short ones pad to its length. On 2 CPU cores with
    # SmolLM2 and real articles, 4096 was fastest (8192: 1.2x slower, 16384: 1.8x).
    batch_tokens: int = 4096

    def overrides(self) -> dict[str, Any]:
        """The generate() keyword arguments the user set explicitly."""
        values = asdict(self)
        values.pop("batch_size")
        values.pop("batch_tokens")
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Options:
    model: ModelSpec = field(default_factory=ModelSpec)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    fallback: str | None = None  # a backend to use when the model cannot load
    title: str = "Daily briefing"
    date: dt.date | None = None  # the briefing's date; anchors undated articles
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    fetch: FetchSettings = field(default_factory=FetchSettings)
    use_cache: bool = True  # the summary cache (see cache.py)
    debug: bool = False

    @property
    def briefing_date(self) -> dt.date:
        return self.date or dt.date.today()
