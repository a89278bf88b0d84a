"""The one options object that flows through every stage.

Generation settings are kept apart from the model's identity so a cache key or a
benchmark can vary one without touching the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
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
    # An OpenAI-compatible server's base URL ("http://gpu-box:8000/v1"): `name` is then the
    # served model's name and the server runs it (models/endpoint.py).
    endpoint: str | None = None


# A GPU has the memory and the parallelism for far larger batches than a laptop CPU.
_BATCH_DEFAULTS = {
    "cpu": {"batch_size": 16, "batch_tokens": 4096, "kv_cache_tokens": 16384},
    "cuda": {"batch_size": 64, "batch_tokens": 65536, "kv_cache_tokens": 262144},
}


@dataclass(frozen=True)
class GenerationSettings:
    """User overrides on top of the model's own generation config (None = keep)."""

    num_beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    length_penalty: float | None = None
    # How much is generated together; None takes the device's default (_BATCH_DEFAULTS).
    # batch_size: the most sequences at once.
    batch_size: int | None = None
    # batch_tokens: padded input tokens per generate() call (beam search, seq2seq
    # models). It bounds memory and keeps a long article from making short ones pad
    # to its length; on 2 CPU cores with SmolLM2, 4096 was fastest (8192: 1.2x slower).
    batch_tokens: int | None = None
    # kv_cache_tokens: greedy decoder-only models prefill each prompt alone and decode
    # together (models/decoding.py); this caps the key/value cache positions those
    # sequences hold, padding and room for new tokens included. 16384 is about 0.75 GB
    # for SmolLM2 in fp32; on 2 CPU cores 32768 was no faster and peaked 0.8 GB higher.
    kv_cache_tokens: int | None = None
    # A model server: how many requests are in flight at once (so the server can batch
    # them), and how long one may take before it is retried.
    concurrency: int | None = None
    request_timeout: float | None = None

    def on_device(self, device: str) -> GenerationSettings:
        """These settings with the batch limits the user left unset filled in for `device`."""
        defaults = _BATCH_DEFAULTS["cuda" if device.startswith("cuda") else "cpu"]
        return replace(self, **{key: value for key, value in defaults.items() if getattr(self, key) is None})

    def overrides(self) -> dict[str, Any]:
        """The generate() keyword arguments the user set explicitly."""
        values = asdict(self)
        for key in (*_BATCH_DEFAULTS["cpu"], "concurrency", "request_timeout"):
            values.pop(key)
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
    # What the model summarises: the whole article (map-then-reduce when long), or its key
    # sentences to condense (selection.py); "auto" takes the measured default for the model.
    summary_input: str = "auto"
    # Whose summary leads: the model's (guarded), or the article's own lead with the model's
    # sentences added only where the guard passes them; "auto" takes the measured default.
    summary_policy: str = "auto"  # auto | model | lead
    # The story history (history.py): link stories across days, say what is new and what
    # falls due; off, nothing is read or recorded.
    history: bool = True
    history_days: int = 14  # how far back a story may continue from
    debug: bool = False

    @property
    def briefing_date(self) -> dt.date:
        return self.date or dt.date.today()
