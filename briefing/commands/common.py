"""What every command shares: logging to stderr, one-line errors, the model and
output options, building Options, and writing the rendered briefing."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from briefing.errors import BriefingError
from briefing.fetch import FetchSettings
from briefing.options import DEFAULT_MAX_INPUT_BYTES, DEFAULT_MODEL, GenerationSettings, ModelSpec, Options

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("md", "html", "json", "ics")  # render.RENDERERS; spelled out so --help stays instant
DETAIL_LEVELS = ("brief", "full")
log = logging.getLogger("briefing")


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"briefing: {record.levelname.lower()}: {record.getMessage()}"


def setup_logging(debug: bool, quiet: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _OneLineFormatter() if not debug else logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s")
    )
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO)
    log.propagate = False
    if not debug:
        # Progress bars and library chatter would clutter cron mail and pipes.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        os.environ.setdefault("TQDM_DISABLE", "1")  # GGUF dequantising uses a bare tqdm bar


def guard(debug: bool, action: Callable[[], T]) -> T:
    """Run `action`, turning failures into one line and an exit code."""
    try:
        return action()
    except BriefingError as exc:
        if debug:
            raise
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # an unexpected bug: still one line, unless --debug
        if debug:
            raise
        raise click.ClickException(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)"
        ) from None


def output_options(function: F) -> F:
    decorators = [
        click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write here (atomically) instead of stdout. Repeat for several formats; each file's format "
            "follows its suffix (.md, .html, .json, .ics for a calendar of the dated next steps) unless "
            "--format is given.",
        ),
        click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help="Output format (default: from the -o suffix, else md).",
        ),
        click.option(
            "--detail",
            type=click.Choice(DETAIL_LEVELS),
            default=None,
            help="brief: the reading layer only (default for Markdown); full: plus every actor, position "
            "and source sentence (default for HTML, where it is folded away). JSON always has everything.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def fetch_options(function: F) -> F:
    """How the commands that fetch web pages and feeds may fetch."""
    return click.option(
        "--allow-private-addresses",
        is_flag=True,
        help="Also fetch from loopback, private and link-local addresses (intranet feeds). Refused by "
        "default: a feed or page could point the fetcher at this machine's own network.",
    )(function)


def history_options(function: F) -> F:
    """The story history: on by default for the daily briefing."""
    function = click.option(
        "--history-days",
        type=click.IntRange(1),
        default=14,
        show_default=True,
        help="How many days back a story may continue from (the story history).",
    )(function)
    return click.option(
        "--no-history",
        is_flag=True,
        help="Neither read nor record the story history (no Developing stories, no steps due from "
        "earlier briefings). `briefing history clear` empties it.",
    )(function)


def model_options(function: F) -> F:
    """The model, generation and run options every briefing-making command takes."""
    decorators = [
        click.option(
            "-m",
            "--model",
            default=DEFAULT_MODEL,
            show_default=True,
            envvar="BRIEFING_MODEL",
            help="Hub id, local model folder, .gguf file, or 'extractive' (no model). Env: BRIEFING_MODEL.",
        ),
        click.option(
            "--endpoint",
            default=None,
            envvar="BRIEFING_ENDPOINT",
            metavar="URL",
            help="An OpenAI-compatible model server (vLLM, TGI, llama.cpp, Ollama, `transformers serve`), "
            "e.g. http://gpu-box:8000/v1; --model names the served model. API key from BRIEFING_API_KEY "
            "or OPENAI_API_KEY only. Env: BRIEFING_ENDPOINT.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1),
            default=None,
            help="With --endpoint: requests in flight at once, for the server to batch [default: 8].",
        ),
        click.option(
            "--request-timeout",
            type=click.FloatRange(1),
            default=None,
            help="With --endpoint: seconds one request may take before it is tried again [default: 300].",
        ),
        click.option(
            "--fallback",
            type=click.Choice(["extractive"]),
            default=None,
            help="If the model cannot be loaded (or a model server stops answering), warn and use this "
            "instead of failing.",
        ),
        click.option(
            "--date",
            "briefing_date",
            type=click.DateTime(["%Y-%m-%d"]),
            default=None,
            help="The briefing's date, YYYY-MM-DD (default: today); anchors articles without a date.",
        ),
        click.option("--title", default="Daily briefing", show_default=True, help="Title at the top of the briefing."),
        click.option(
            "--device",
            type=click.Choice(["auto", "cpu", "cuda"]),
            default="auto",
            show_default=True,
            help="Where the model runs; auto picks CUDA when available (in bf16).",
        ),
        click.option(
            "--num-beams", type=click.IntRange(1), default=None, help="Beam search width (default: the model's own)."
        ),
        click.option(
            "--max-new-tokens",
            type=click.IntRange(1),
            default=None,
            help="Longest summary, in tokens (default: the model's own).",
        ),
        click.option("--min-new-tokens", type=click.IntRange(0), default=None, help="Shortest summary, in tokens."),
        click.option(
            "--no-repeat-ngram-size", type=click.IntRange(0), default=None, help="Never repeat an n-gram of this size."
        ),
        click.option(
            "--length-penalty", type=float, default=None, help="Beam search length penalty (>1 favours longer)."
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1),
            default=None,
            help="Most inputs generated together [default: 16 on CPU, 64 on CUDA].",
        ),
        click.option(
            "--batch-tokens",
            type=click.IntRange(64),
            default=None,
            help="Padded input tokens per generate() call, for beam search and seq2seq models (bounds memory) "
            "[default: 4096 on CPU, 65536 on CUDA].",
        ),
        click.option(
            "--kv-cache-tokens",
            type=click.IntRange(64),
            default=None,
            help="Key/value cache positions held by sequences decoded together, for greedy chat models "
            "(bounds memory) [default: 16384 on CPU, 262144 on CUDA].",
        ),
        click.option(
            "--input",
            "summary_input",
            type=click.Choice(["auto", "whole", "selected"]),
            default="auto",
            show_default=True,
            help="What the model summarises: the whole article, or its key sentences to condense "
            "(the lead and the sentences behind the top positions and next steps); auto: the "
            "measured default for the model.",
        ),
        click.option(
            "--summary",
            "summary_policy",
            type=click.Choice(["auto", "model", "lead"]),
            default="auto",
            show_default=True,
            help="model: the model's summary, each sentence checked against the article; lead: the article's "
            "own lead, with the model's checked sentences added where they say more; auto: the measured "
            "default for the model.",
        ),
        click.option("--no-cache", is_flag=True, help="Generate every summary afresh (skip the summary cache)."),
        click.option(
            "--quantize",
            type=click.Choice(["int8"]),
            default=None,
            help="Dynamic int8 quantisation of Linear layers (CPU): faster, outputs change slightly.",
        ),
        click.option(
            "--max-input-tokens",
            type=click.IntRange(16),
            default=None,
            help="Split articles into parts of at most this many tokens (default: the model's limit).",
        ),
        click.option(
            "--prompts",
            "prompts_dir",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            default=None,
            help="Folder of prompt templates that replace the built-in ones of the same name.",
        ),
        click.option(
            "--max-size",
            type=click.IntRange(1),
            default=DEFAULT_MAX_INPUT_BYTES // (1024 * 1024),
            show_default=True,
            help="Largest input file to read, in MB.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr."),
        click.option("--debug", is_flag=True, help="Show tracebacks and library logs."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def build_options(settings: dict[str, Any]) -> Options:
    """The one place command-line arguments become an Options object."""
    briefing_date: dt.datetime | None = settings["briefing_date"]
    return Options(
        model=ModelSpec(
            name=settings["model"],
            device=settings["device"],
            prompts_dir=settings["prompts_dir"],
            max_input_tokens=settings["max_input_tokens"],
            quantize=settings["quantize"],
            endpoint=settings["endpoint"] or None,
        ),
        generation=GenerationSettings(
            num_beams=settings["num_beams"],
            max_new_tokens=settings["max_new_tokens"],
            min_new_tokens=settings["min_new_tokens"],
            no_repeat_ngram_size=settings["no_repeat_ngram_size"],
            length_penalty=settings["length_penalty"],
            batch_size=settings["batch_size"],
            batch_tokens=settings["batch_tokens"],
            kv_cache_tokens=settings["kv_cache_tokens"],
            concurrency=settings["concurrency"],
            request_timeout=settings["request_timeout"],
        ),
        use_cache=not settings["no_cache"],
        summary_input=settings["summary_input"],
        summary_policy=settings["summary_policy"],
        fallback=settings["fallback"],
        title=settings["title"],
        date=briefing_date.date() if briefing_date else None,
        max_input_bytes=settings["max_size"] * 1024 * 1024,
        fetch=FetchSettings(allow_private_addresses=settings["allow_private_addresses"]),
        history=not settings.get("no_history", True),
        history_days=settings.get("history_days", 14),
        debug=settings["debug"],
    )


def write_outputs(briefing: Any, outputs: tuple[Path, ...], fmt: str | None, detail: str | None = None) -> None:
    """Render to stdout, or to each -o file in the format its suffix names.

    A brief rendering ends by pointing to where the full detail is: an HTML page
    with the detail, else a JSON file, written in the same run."""
    from briefing.deliver import write_atomic
    from briefing.render import SUFFIXES, Layout, render

    targets = [(path, fmt or SUFFIXES.get(path.suffix.lower(), "md")) for path in outputs]
    full = [path for path, f in targets if f == "json" or (f == "html" and Layout(detail).detail_for(f) == "full")]
    if not targets:
        click.echo(render(briefing, fmt or "md", Layout(detail)), nl=False)
        return
    for path, target_format in targets:
        pointer = next((_relative(other, path) for other in full if other != path), None)
        write_atomic(path, render(briefing, target_format, Layout(detail, pointer)))
        log.info("wrote %s", path)


def _relative(target: Path, output: Path) -> str:
    """`target` as a link from beside `output`."""
    return os.path.relpath(target.absolute(), output.absolute().parent)
